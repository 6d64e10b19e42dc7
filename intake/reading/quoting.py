"""Split a body into the sender's new text and the quoted or forwarded history below it.

Replies quote history in many shapes: "On ... wrote:", "> " lines, Outlook
"From:/Sent:/To:/Subject:" blocks, "-----Original Message-----"; forwards add
"---------- Forwarded message ---------" and "Begin forwarded message:". The
referrer is only ever the author of the new text, but the history can still
describe the client, so each part is kept with who wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.reading.headers import parse_addresses

_FORWARD_MARKER = re.compile(
    r"(?im)^[ \t>]*(?:-{2,}\s*Forwarded message\s*-{2,}|Begin forwarded message\s*:"
    r"|-{2,}\s*(?:Original|Forwarded) (?:Message|e-?mail)\s*-{2,}"
    r"|-{3,} ?Doorgestuurd bericht ?-{3,})"
)
_ORIGINAL_MARKER = re.compile(r"(?im)^[ \t>]*-{2,}\s*Original Message\s*-{2,}")
_ON_WROTE = re.compile(
    r"(?im)^[ \t]*(?:On|Le|Am|El|Il)\b[^\n]{0,300}(?:\n[^\n]{0,200}){0,2}?"
    r"(?:wrote|a écrit|schrieb|escribió|ha scritto)\s*:[ \t]*$"
)
_OUTLOOK_BLOCK = re.compile(
    r"(?im)^[ \t>*]*(?:From|De|Von|Van)[ \t]*:[ \t]*(?P<from>[^\n]*)\n"
    r"(?:[ \t>*]*[^\n]{0,300}\n){0,1}"
    r"[ \t>*]*(?:Sent|Date|Envoyé|Gesendet|Datum|To)[ \t]*:"
)
_UNDERSCORE_RULE = re.compile(r"(?m)^[ \t]*_{10,}[ \t]*$")
_QUOTE_LINE = re.compile(r"(?m)^[ \t]*>")
_WROTE_WHO = re.compile(r"(?is)^\s*\S+\s.*?,\s*(?P<who>[^,\n]*?<?[^\s<>]+@[^\s<>]+>?)\s*wrote")
_FWD_SUBJECT = re.compile(r"(?i)^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw)\s*:")


@dataclass(frozen=True)
class Segment:
    """One part of a body: 'new', 'quoted' or 'forwarded', with its author when known."""

    kind: str
    text: str
    author_name: str | None = None
    author_addr: str | None = None


def _strip_quote_marks(text: str) -> str:
    return re.sub(r"(?m)^[ \t]*(?:>[ \t]?)+", "", text)


def _author(block_head: str) -> tuple[str | None, str | None]:
    """Who wrote a quoted or forwarded block, from its From: line or 'On ... wrote:' line."""
    match = re.search(r"(?im)^[ \t>*]*(?:From|De|Von)[ \t]*:[ \t]*(.+)$", block_head)
    candidate = match.group(1) if match else None
    if candidate is None:
        wrote = _WROTE_WHO.search(block_head.replace("\n", " "))
        candidate = wrote.group("who") if wrote else None
    if not candidate:
        return None, None
    candidate = candidate.replace("[mailto:", "<").replace("]", ">").strip(" *")
    pairs = parse_addresses([candidate])
    if not pairs:
        return candidate.strip() or None, None
    name, addr = pairs[0]
    return (name or None), (addr.lower() or None)


def _markers(text: str) -> list[tuple[int, str]]:
    """(offset, kind) of every place where history starts."""
    found: list[tuple[int, str]] = []
    for match in _FORWARD_MARKER.finditer(text):
        kind = "quoted" if _ORIGINAL_MARKER.match(match.group(0)) else "forwarded"
        found.append((match.start(), kind))
    for match in _ON_WROTE.finditer(text):
        found.append((match.start(), "quoted"))
    for match in _OUTLOOK_BLOCK.finditer(text):
        start = match.start()
        rule = None
        for rule_match in _UNDERSCORE_RULE.finditer(text, max(0, start - 80), start):
            rule = rule_match
        found.append((rule.start() if rule else start, "quoted"))
    first_quote = _QUOTE_LINE.search(text)
    if first_quote and not any(offset < first_quote.start() for offset, _ in found):
        found.append((first_quote.start(), "quoted"))
    found.sort()
    merged: list[tuple[int, str]] = []
    for offset, kind in found:
        if merged and offset - merged[-1][0] < 40:
            if kind == "forwarded":
                merged[-1] = (merged[-1][0], kind)
            continue
        merged.append((offset, kind))
    return merged


def split_quoted(text: str, subject: str = "") -> list[Segment]:
    """Segments of a body in order: the new text first, then each history block."""
    markers = _markers(text)
    if not markers:
        return [Segment("new", text.strip())]
    forwarding = bool(_FWD_SUBJECT.match(subject))
    segments = [Segment("new", text[: markers[0][0]].strip())]
    for index, (offset, kind) in enumerate(markers):
        end = markers[index + 1][0] if index + 1 < len(markers) else len(text)
        block = _strip_quote_marks(text[offset:end])
        if kind == "quoted" and forwarding and index == 0:
            kind = "forwarded"
        name, addr = _author(block[:600])
        segments.append(Segment(kind, block.strip(), name, addr))
    return segments
