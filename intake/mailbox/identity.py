"""Who a message is, whatever folder or UID it turns up under (pure).

A message is recognised by the SHA-256 of its bytes, then by a digest of its
header section (what is known of mail fetched header-only: too large, or
older than the first-run window), then by its Message-ID. These survive a
UIDVALIDITY change and a copy in a second folder (Gmail labels).
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property

from intake.reading.headers import field_values

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_LINE_END = re.compile(rb"\r?\n")
_ANGLE_ID = re.compile(r"<[^<>\s]+>")


def header_section(raw: bytes) -> bytes:
    """The header lines of a message (or of a header-only fetch), with CRLF line ends."""
    head = _BLANK_LINE.split(raw, maxsplit=1)[0]
    return _LINE_END.sub(b"\r\n", head.rstrip(b"\r\n"))


def header_block(raw: bytes) -> bytes:
    """The bytes up to the first blank line, unchanged: all a header parser reads of a message."""
    ends = [end for end in (raw.find(b"\n\n") + 2, raw.find(b"\n\r\n") + 3) if end > 2]
    return raw[: min(ends)] if ends else raw


class HeaderIdentity:
    """What identifies a message by its headers, from one normalisation of them: the
    section, its SHA-256 (the same for a full and a header-only fetch) and the
    Message-ID (<...>), or None when it has none."""

    def __init__(self, raw: bytes) -> None:
        self.section = header_section(raw)
        self.digest = hashlib.sha256(self.section).hexdigest()

    @cached_property
    def message_id(self) -> str | None:
        """Parsed only when asked for: a fetch may have given it already."""
        try:
            values = field_values(self.section + b"\r\n\r\n", "Message-ID")
        except (TypeError, ValueError):  # a malformed header block: identified by its hash
            return None
        found = _ANGLE_ID.search(values[0]) if values else None
        return found.group(0) if found else None
