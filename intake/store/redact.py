"""Text that may be stored in clear or logged: no addresses, numbers or message text.

Error columns (messages.error, outbox.last_error, events.detail) and log lines
are readable without the key, so anything headed there passes through here.
A failure is described by its kind, never by words taken from an email.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

from intake.errors import LimitExceeded, MessageError, UnreadableMessage

_ADDRESS = re.compile(r"[^\s<>\"'@,;:()\[\]]+@[^\s<>\"'@,;:()\[\]]+")
_NUMBER = re.compile(r"\+?\d[\d ().-]{6,}\d")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SAFE_DETAIL = re.compile(r"[A-Za-z]?[a-z0-9 ().,:;/_=-]{0,160}")
MAX_DETAIL = 200


def redact(text: str, limit: int = MAX_DETAIL) -> str:
    """One line with email addresses and phone-like numbers masked, bounded length."""
    flat = _CONTROL.sub(" ", text)
    flat = _ADDRESS.sub("<address>", flat)
    flat = _NUMBER.sub("<number>", flat)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _category(exc: BaseException) -> str:
    if isinstance(exc, LimitExceeded):
        return "limit exceeded"
    if isinstance(exc, UnreadableMessage):
        return "unreadable"
    if isinstance(exc, MessageError):
        return "cannot be handled"
    return f"internal error: {type(exc).__name__}"


def message_reason(exc: BaseException) -> str:
    """Why a message was quarantined, safe to store and log.

    The kind of failure, plus the exception's own words only when they are
    plainly a generic description (lower-case words and numbers, no address):
    a sender cannot smuggle a name or a subject into the clear columns.
    """
    category = _category(exc)
    if not isinstance(exc, MessageError):
        return category
    detail = redact(str(exc), 160)
    if detail and "<" not in detail and _SAFE_DETAIL.fullmatch(detail):
        return f"{category}: {detail}"
    return category


def where(exc: BaseException, frames: int = 6) -> str:
    """Where an exception was raised (file:line, innermost first), without its message.

    A traceback's message may quote the data that caused it (pydantic errors
    echo their input), so logs get the place, not the words.
    """
    stack = traceback.extract_tb(exc.__traceback__)[-frames:]
    return " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stack))
