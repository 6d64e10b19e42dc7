"""UK phone numbers in text to E.164, choosing the referrer's own direct line.

phonenumbers (region GB) finds and validates the numbers; the words just
before a number say whose it is ("Mob:", "Direct line", "her mobile",
"switchboard", "Fax"), which decides whether it can be the referrer's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers

_CANDIDATE = re.compile(r"(?<![\w/.])(?:\+|\(?0)[\d() \t.\-\u2013]{8,20}\d")
_EXTENSION_ONLY = re.compile(r"(?i)^\s*(?:ext|extension|x)\.?\s*\d{3,6}\s*$")
_NOT_THEIRS = re.compile(
    r"(?i)(?:\b(?:her|his|their|mum|mom|mam|mother|dad|father|son|daughter|wife|husband|"
    r"client|patient|parent|parents|carer|family|guardian|grandson|granddaughter|nan|gran|"
    r"sister|brother|keyworker)(?:'s|’s)?\b(?:(?!\b(?:me|my|I)\b)[^.\n]){0,40}$)"
    r"|\b(?:switchboard|fax|main\s+(?:line|number)|reception|ward\s+phone|labour\s+ward"
    r"|duty\s+(?:line|desk|number|team|social\s+worker)|out of hours|helpline|school\s+office"
    r"(?=[^\n]{0,20}\bif\s+you\s+need\s+them))\b[^\n]{0,20}$"
    r"|\bcontact\s+(?:her|him|them)\b[^\n]{0,30}$|\b(?:reach|call|ring|phone)\s+(?:her|him|them)\b"
    r"[^\n]{0,30}$"
)
_DIRECT = re.compile(
    r"(?i)\b(?:reach|contact|call|ring|phone|text|get|find)\s+me\b[^\d]{0,40}$"
    r"|\b(?:reached|contactable|available)\s+on\b[^\d]{0,10}$|\b(?:direct(?:\s+(?:line|dial|tel))?|ddi|mob(?:ile)?|m|cell|work\s+mobile|my\s+"
    r"(?:mobile|number|phone)|me\s+on|i'?m\s+on|call\s+me|ring\s+me)\b[^\n\d]{0,15}$"
)
_LANDLINE_LABEL = re.compile(
    r"(?i)\b(?:tel|telephone|phone|t|landline|office|work)\b[^\n\d]{0,12}$"
)


@dataclass(frozen=True)
class PhoneHit:
    """A valid UK number found in text, with how strongly it looks like the writer's own."""

    e164: str
    raw: str
    score: int
    line: str


# Cached: the practice's own numbers recur in the quoted history of most
# messages, and phonenumbers spends tens of microseconds on each parse.
@functools.lru_cache(maxsize=1024)
def _to_e164(raw: str) -> str | None:
    """raw as E.164 when phonenumbers reads it as a possible number, else None."""
    raw = raw.replace("(0)", "")
    try:
        parsed = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    # The country code first: validity (the costly check) matters only abroad.
    if parsed.country_code != 44 and not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_SPLIT_NUMBER = re.compile(r"(\d{3,5}[ \t]?\d{0,4})[ \t]*\n[ \t]*(\d{3,4})(?!\d)")
# Every split number has a line starting with a digit; re finds "\n" by a fast
# scan, where the pattern above is tried at every position of the text.
_LINE_STARTS_DIGIT = re.compile(r"\n[ \t]*\d")


def _join_split_lines(text: str) -> str:
    """Re-join numbers wrapped onto the next line (e.g. '0118 496\\n0553')."""
    if not _LINE_STARTS_DIGIT.search(text):
        return text
    return _SPLIT_NUMBER.sub(r"\1 \2", text)


def find_phones(text: str, *, base_score: int = 0) -> list[PhoneHit]:
    """Every UK number in text, scored: direct/mobile labels up, others' numbers excluded."""
    hits: list[PhoneHit] = []
    text = _join_split_lines(text)
    for match in _CANDIDATE.finditer(text):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 10 or len(digits) > 13:
            continue
        e164 = _to_e164(raw)
        if not e164 or not e164.startswith("+44"):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[max(0, match.start() - 70) : match.start()]
        before = re.split(r"\.\s|\n\s*\n|\|", before)[-1].replace("\n", " ")
        same_line = text[max(line_start, match.start() - 70) : match.start()]
        if _NOT_THEIRS.search(same_line):
            continue
        score = base_score
        if _DIRECT.search(before):
            score += 3
        elif _LANDLINE_LABEL.search(before):
            score += 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        hits.append(PhoneHit(e164=e164, raw=raw, score=score, line=line.strip()))
    return hits


def is_extension_only(text: str) -> bool:
    """True for 'ext 4471' style lines that carry no dialable number."""
    return bool(_EXTENSION_ONLY.match(text))
