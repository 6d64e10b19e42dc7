"""Cue words stay in step with the patterns they let skip, and folding finds what re would."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from intake.understanding import consent, extract, places
from intake.understanding.cues import Cues, cues, fold
from intake.understanding.places import PLACE_CUES, PLACE_PATTERNS
from intake.understanding.safeguarding import FLAG_CUES, FLAG_PATTERNS
from intake.understanding.vocabulary import NEED_CUES, NEED_PATTERNS


def _syntax(pattern: str) -> Iterator[tuple[int, str]]:
    """(index, character) of a pattern's source outside escapes and character classes."""
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            yield i, char
        i += 1


def _unwrapped(pattern: str) -> str:
    """A pattern's source without leading flags or a \\b(?:...) around all of it."""
    pattern = re.sub(r"^\(\?[a-z]+\)", "", pattern)
    looked = re.match(r"\(\?=(?:\(\?i:)?\[[^\]]*\]\)?(?:\|\^)?\)\(\?:", pattern)
    if looked:  # cues.starting_with wraps the pattern as (?=[first])(?:...)
        pattern = pattern[looked.end() : -1]
    body = pattern.removesuffix("\\b")
    opened = re.match(r"^(?:\\b)?\(\?:", body)
    if not opened:
        return pattern
    depth = 0
    for i, char in _syntax(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return body[opened.end() : i] if i == len(body) - 1 else pattern
    return pattern


def _alternatives(pattern: str) -> list[str]:
    """The top-level |-separated alternatives of a pattern's source (unwrapped)."""
    pattern = _unwrapped(pattern)
    parts, depth, start = [], 0, 0
    for i, char in _syntax(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return [*parts, pattern[start:]]


def _has_cue(alternative: str, flags: int, found: Cues) -> bool:
    alternative = re.sub(r"\(\?:|\)", "", alternative)  # wid(?:ow|ower) holds "widow"
    if flags & re.IGNORECASE:
        folded_cues = found.folded + tuple(c for c in found.exact if not c.isalpha())
        return any(cue in alternative.lower() for cue in folded_cues)
    return any(cue in alternative for cue in found.exact)


CUED: dict[str, tuple[list[re.Pattern[str]], Cues]] = {
    **{f"need {n.value}": (NEED_PATTERNS[n], NEED_CUES[n]) for n in NEED_PATTERNS},
    **{f"place {p}": ([PLACE_PATTERNS[p]], PLACE_CUES[p]) for p in PLACE_PATTERNS},
    "online": ([places._ONLINE], places._ONLINE_CUES),
    "in person": ([places._IN_PERSON], places._IN_PERSON_CUES),
    "individual": ([places._INDIVIDUAL], places._INDIVIDUAL_CUES),
    "group": ([places._GROUP], places._GROUP_CUES),
    "consent form": (
        [consent._FORM_QUESTION, consent._FORM_NO, consent._FORM_YES],
        consent._FORM_CUES,
    ),
    "consent no": ([consent._NO], consent._NO_CUES),
    "consent no more": ([consent._NO_MORE], consent._NO_MORE_CUES),
    "consent yes extra": ([consent._YES_EXTRA], consent._YES_EXTRA_CUES),
    **{f"flag {f}": ([FLAG_PATTERNS[f]], FLAG_CUES[f]) for f in FLAG_PATTERNS},
    "availability": ([extract._AVAILABILITY], extract._AVAILABILITY_CUES),
    "access": ([extract._ACCESS], extract._ACCESS_CUES),
}


@pytest.mark.parametrize("name", sorted(CUED))
def test_every_alternative_names_one_of_its_cues(name: str) -> None:
    """A new wording added to a pattern must bring a cue word, or it would never be scanned for."""
    patterns, found = CUED[name]
    missing = [
        alternative
        for pattern in patterns
        for alternative in _alternatives(pattern.pattern)
        if not _has_cue(alternative, pattern.flags, found)
    ]
    assert [] == missing


def test_fold_keeps_what_ignorecase_matches() -> None:
    """Letters re.IGNORECASE equates with ASCII ones fold to them, one character each."""
    text = "DEMENTİA, dementıa, Alzheimer'ſ, Korsakoff"
    assert re.search(r"(?i)dementia", text)
    assert "dementia" in fold(text)
    assert "dementia" in fold("dementıa")
    assert "alzheimer's" in fold("Alzheimer'ſ")
    assert "korsakoff" in fold("Korsakoff")


def test_capitalised_cues_are_matched_as_written() -> None:
    found = cues("FTD dement")
    assert found.maybe_in("FTD", fold("FTD"))
    assert not found.maybe_in("ftd", fold("ftd"))
    assert found.maybe_in("DEMENTIA", fold("DEMENTIA"))
