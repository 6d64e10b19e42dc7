"""Raw bytes to a MessageView: decoded headers, the readable body, forwards and attachments.

The message is parsed with the compat32 policy, which never raises on header
access, and every header is decoded by `intake.reading.headers`. The body is
the text/plain alternative when there is one, else HTML converted to text
with inscriptis (tables kept). message/rfc822 parts are kept as forwarded
messages. Limits on depth, parts and header count raise LimitExceeded.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime

from intake.errors import LimitExceeded, UnreadableMessage
from intake.models import Envelope
from intake.reading.attachments import AttachmentText, attachment_kind, extract_attachment
from intake.reading.charsets import decode_bytes
from intake.reading.headers import decode_header_value, message_ids, parse_addresses, parse_date
from intake.reading.limits import DEFAULT_LIMITS, ReadingLimits

_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,200}[ \t]*:")
_MBOX_FROM = re.compile(rb"^From [^\s:]+(?: |\r?\n)")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_SPACE_BEFORE_COLON = re.compile(rb"(?m)^([!-9;-~]{1,200})[ \t]+:")
_TAG = re.compile(r"<[^>]{0,2000}>")
_SCRIPT_STYLE = re.compile(r"(?is)<(script|style|head)\b.*?</\1\s*>")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class ForwardedMessage:
    """An attached message (message/rfc822): who sent it and what it says."""

    from_name: str | None
    from_addr: str | None
    subject: str
    date: datetime | None
    text: str


@dataclass(frozen=True)
class MessageView:
    """What the understanding stage needs from a message, already decoded."""

    headers: dict[str, tuple[str, ...]]
    envelope: Envelope
    content_type: str
    part_types: tuple[str, ...]
    body: str
    body_was_html: bool
    forwarded: tuple[ForwardedMessage, ...]
    attachments: tuple[AttachmentText, ...]
    problems: tuple[str, ...]

    def header(self, name: str) -> str:
        """First value of a header, decoded, or ''."""
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    def has_header(self, name: str) -> bool:
        """True when the header is present (even empty)."""
        return name.lower() in self.headers


@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    forwarded: list[ForwardedMessage] = field(default_factory=list)
    attachments: list[AttachmentText] = field(default_factory=list)
    part_types: list[str] = field(default_factory=list)


@dataclass
class _Walk:
    limits: ReadingLimits
    problems: list[str]
    parts: int = 0


def _strip_preamble(raw: bytes) -> bytes:
    """Drop a UTF-8 BOM, leading blank lines and an mbox 'From ' line."""
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    data = data.lstrip(b" \t\r\n")
    if _MBOX_FROM.match(data):
        newline = data.find(b"\n")
        data = data[newline + 1 :] if newline >= 0 else b""
    return data


def _normalise_header_block(data: bytes) -> bytes:
    """Remove white space before header colons (obsolete RFC 822 syntax Python rejects)."""
    end = _HEADER_END.search(data)
    cut = end.start() if end else len(data)
    block = data[:cut]
    if not _SPACE_BEFORE_COLON.search(block):
        return data
    return _SPACE_BEFORE_COLON.sub(rb"\1:", block) + data[cut:]


def _check_header_block(data: bytes, limits: ReadingLimits) -> None:
    """Raise UnreadableMessage without a header block, LimitExceeded on too many or huge headers."""
    if not data or not _HEADER_LINE.match(data):
        raise UnreadableMessage("not an email message: no header block")
    end = _HEADER_END.search(data)
    block = data[: end.start()] if end else data
    sizes: list[int] = []
    for line in block.splitlines():
        if line[:1] in (b" ", b"\t") and sizes:
            sizes[-1] += len(line)
        elif line:
            sizes.append(len(line))
    if len(sizes) > limits.max_header_count:
        raise LimitExceeded(f"message has {len(sizes)} headers (limit {limits.max_header_count})")
    if sizes and max(sizes) > limits.max_header_bytes:
        raise LimitExceeded(f"a header is longer than {limits.max_header_bytes} bytes")


def _headers(msg: email.message.Message) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        out.setdefault(str(name).strip().lower(), []).append(str(value))
    return {k: tuple(v) for k, v in out.items()}


def _raw(headers: dict[str, tuple[str, ...]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def _envelope(raw_headers: dict[str, tuple[str, ...]]) -> Envelope:
    from_pairs = parse_addresses(list(raw_headers.get("from", ())))
    reply_pairs = parse_addresses(list(raw_headers.get("reply-to", ())))
    to_pairs = parse_addresses(list(raw_headers.get("to", ())))
    from_name, from_addr = from_pairs[0] if from_pairs else ("", "")
    reply_addr = next((a for _, a in reply_pairs if a), "")
    ids = message_ids(_raw(raw_headers, "message-id"))
    return Envelope(
        message_id=ids[0] if ids else None,
        in_reply_to=(message_ids(_raw(raw_headers, "in-reply-to")) or (None,))[0],
        references=message_ids(_raw(raw_headers, "references")),
        subject=decode_header_value(_raw(raw_headers, "subject") or ""),
        from_name=from_name or None,
        from_addr=from_addr.lower() or None,
        reply_to=reply_addr.lower() or None,
        to=tuple(a.lower() for _, a in to_pairs if a),
        date=parse_date(_raw(raw_headers, "date")),
    )


def html_to_text(html: str, limits: ReadingLimits, problems: list[str]) -> str:
    """Readable text of an HTML body, keeping table rows on their own lines."""
    if len(html) > limits.max_html_chars:
        problems.append("body: HTML truncated")
        html = html[: limits.max_html_chars]
    html = _SCRIPT_STYLE.sub(" ", html)
    try:
        from inscriptis import get_text

        return str(get_text(html))
    except Exception as exc:  # deep nesting or odd markup: fall back to tag stripping
        problems.append(f"body: HTML converter failed ({type(exc).__name__})")
        return _TAG.sub(" ", html)


def _payload_bytes(part: email.message.Message, walk: _Walk) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:  # broken transfer encodings
        walk.problems.append(f"part: undecodable payload ({type(exc).__name__})")
        return b""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    return b""


def _part_text(part: email.message.Message, walk: _Walk) -> str:
    data = _payload_bytes(part, walk)
    charset = None
    try:
        charset = part.get_param("charset")
    except Exception:  # malformed Content-Type parameters
        charset = None
    if isinstance(charset, tuple):
        charset = charset[2] if len(charset) > 2 else None
    return decode_bytes(data, charset if isinstance(charset, str) else None)


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:  # malformed parameters
        return ""
    if isinstance(name, tuple):
        name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name)


def _is_attachment(part: email.message.Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment") or bool(_filename(part))


def _content_type(part: email.message.Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:  # unparsable Content-Type: treat as plain text
        return "text/plain"


def _children(part: email.message.Message) -> list[email.message.Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, email.message.Message)]
    return []


def _best_alternative(children: list[email.message.Message]) -> list[email.message.Message]:
    """Prefer a non-empty text/plain alternative, else the richest other one."""
    for child in children:
        if _content_type(child) == "text/plain" and _payload_bytes_peek(child):
            return [child]
    for child in reversed(children):
        ctype = _content_type(child)
        if ctype == "text/html" or ctype.startswith("multipart/"):
            return [child]
    return children[:1]


def _payload_bytes_peek(part: email.message.Message) -> bool:
    payload = part.get_payload()
    return isinstance(payload, str) and bool(payload.strip())


def _collect(part: email.message.Message, depth: int, walk: _Walk, out: _Collected) -> None:
    walk.parts += 1
    if walk.parts > walk.limits.max_parts:
        raise LimitExceeded(f"message has more than {walk.limits.max_parts} MIME parts")
    if depth > walk.limits.max_mime_depth:
        raise LimitExceeded(f"MIME nesting deeper than {walk.limits.max_mime_depth}")
    ctype = _content_type(part)
    out.part_types.append(ctype)
    if ctype.startswith("multipart/"):
        children = _children(part)
        if ctype == "multipart/alternative":
            children = _best_alternative(children)
        for child in children:
            _collect(child, depth + 1, walk, out)
        return
    if ctype == "message/rfc822":
        for inner in _children(part):
            out.forwarded.append(_forwarded(inner, depth + 1, walk))
        return
    if ctype == "text/rfc822-headers":
        return
    attached = _is_attachment(part)
    filename = _filename(part) if attached else ""
    if not attached and ctype == "text/plain":
        out.plain.append(_part_text(part, walk))
    elif not attached and ctype == "text/html":
        out.html.append(html_to_text(_part_text(part, walk), walk.limits, walk.problems))
    elif attachment_kind(filename, ctype) is not None and (attached or ctype != "text/plain"):
        found = extract_attachment(
            filename, ctype, _payload_bytes(part, walk), walk.limits, walk.problems
        )
        if found is not None and found.text:
            out.attachments.append(found)


def _forwarded(inner: email.message.Message, depth: int, walk: _Walk) -> ForwardedMessage:
    headers = _headers(inner)
    envelope = _envelope(headers)
    collected = _Collected()
    _collect(inner, depth, walk, collected)
    text, _ = _body_of(collected)
    return ForwardedMessage(
        from_name=envelope.from_name,
        from_addr=envelope.from_addr,
        subject=envelope.subject,
        date=envelope.date,
        text=text,
    )


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _body_of(collected: _Collected) -> tuple[str, bool]:
    if any(t.strip() for t in collected.plain):
        return _tidy("\n\n".join(collected.plain)), False
    if collected.html:
        return _tidy("\n\n".join(collected.html)), True
    return "", False


def read_message(raw: bytes, limits: ReadingLimits = DEFAULT_LIMITS) -> MessageView:
    """Parse raw bytes into a MessageView. Raises UnreadableMessage or LimitExceeded."""
    if not isinstance(raw, bytes | bytearray):
        raise UnreadableMessage("not an email message: expected bytes")
    if len(raw) > limits.max_message_bytes:
        raise LimitExceeded(f"message is {len(raw)} bytes (limit {limits.max_message_bytes})")
    data = _strip_preamble(bytes(raw))
    _check_header_block(data, limits)
    data = _normalise_header_block(data)
    problems: list[str] = []
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
    except RecursionError as exc:
        raise LimitExceeded("MIME structure too deeply nested to parse") from exc
    raw_headers = _headers(msg)
    if not raw_headers:
        raise UnreadableMessage("not an email message: no header block")
    walk = _Walk(limits=limits, problems=problems)
    collected = _Collected()
    try:
        _collect(msg, 0, walk, collected)
    except RecursionError as exc:
        raise LimitExceeded("MIME structure too deeply nested to read") from exc
    body, was_html = _body_of(collected)
    if msg.defects:
        problems.append("mime: " + ", ".join(sorted({type(d).__name__ for d in msg.defects})))
    headers = {k: tuple(decode_header_value(v) for v in vals) for k, vals in raw_headers.items()}
    return MessageView(
        headers=headers,
        envelope=_envelope(raw_headers),
        content_type=_content_type(msg),
        part_types=tuple(collected.part_types),
        body=body,
        body_was_html=was_html,
        forwarded=tuple(collected.forwarded),
        attachments=tuple(collected.attachments),
        problems=tuple(problems),
    )
