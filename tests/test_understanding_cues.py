"""Cue words stay in step with the patterns they let skip, and folding finds what re would."""

from __future__ import annotations

import re

import pytest

from intake.models import Need
from intake.understanding.cues import Cues, cues, fold
from intake.understanding.vocabulary import NEED_CUES, NEED_PATTERNS


def _alternatives(pattern: str) -> list[str]:
    """The top-level |-separated alternatives of a pattern's source."""
    parts, depth, start, i = [], 0, 0, 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]]


def _has_cue(alternative: str, flags: int, found: Cues) -> bool:
    alternative = re.sub(r"\(\?:|\)", "", alternative)  # wid(?:ow|ower) holds "widow"
    if flags & re.IGNORECASE:
        return any(cue in alternative.lower() for cue in found.folded)
    return any(cue in alternative for cue in found.exact)


@pytest.mark.parametrize("need", sorted(NEED_PATTERNS, key=str))
def test_every_need_alternative_names_one_of_its_cues(need: Need) -> None:
    """A new wording added to a need must bring a cue word, or it would never be scanned for."""
    found = NEED_CUES[need]
    missing = [
        alternative
        for pattern in NEED_PATTERNS[need]
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
