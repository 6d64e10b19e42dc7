"""Every pattern wrapped by cues.starting_with admits each character a match can start with.

The characters are read from the pattern's parsed syntax, so a wording added
later with a new first letter fails here instead of silently never matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest

from intake.understanding import (
    classify,
    client_record,
    clients,
    consent,
    dates,
    extract,
    places,
    referrer,
    safeguarding,
    vocabulary,
)

_SAMPLES = {sre.CATEGORY_DIGIT: "09", sre.CATEGORY_SPACE: " \t\n", sre.CATEGORY_WORD: "aZ_9"}
# "(?:^|[.!?\n])\s*one of our ..." after \b: at the very start \b needs a word
# character first, so the \s* there never starts a match.
_NOT_FIRST = {"classify._STRONG_REFERRAL": " \t\n"}


def _firsts(items: Any, ignore: bool) -> tuple[set[str], bool]:
    """(sample characters a match of items can start with, whether items can match empty)."""
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _first_of(op, av, ignore)
        if ignore:
            chars |= {c.swapcase() for c in chars if len(c.swapcase()) == 1}
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _first_of(op: Any, av: Any, ignore: bool) -> tuple[set[str], bool]:
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return set(), True
    if op is sre.LITERAL:
        return {chr(av)}, False
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE:
                chars |= {chr(c) for c in range(value[0], value[1] + 1)}
            elif kind is sre.CATEGORY:
                chars |= set(_SAMPLES[value])
            else:
                raise AssertionError(f"unhandled class item {kind}")
        return chars, False
    if op is sre.BRANCH:
        results = [_firsts(alternative, ignore) for alternative in av[1]]
        return set().union(*(r[0] for r in results)), any(r[1] for r in results)
    if op is sre.SUBPATTERN:
        _, added, removed, items = av
        return _firsts(items, (ignore or bool(added & re.I)) and not removed & re.I)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        chars, nullable = _firsts(av[2], ignore)
        return chars, nullable or av[0] == 0
    raise AssertionError(f"unhandled op {op}")


def _wrapped() -> Iterator[tuple[str, re.Pattern[str]]]:
    modules = (classify, client_record, clients, consent, dates, extract, places, referrer)
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and value.pattern.startswith("(?="):
                yield f"{module.__name__.rsplit('.', 1)[1]}.{name}", value
    for need, patterns in vocabulary.NEED_PATTERNS.items():
        for i, pattern in enumerate(patterns):
            yield f"need {need.value} {i}", pattern
    for i, (_, pattern) in enumerate(vocabulary.ROLE_TITLES):
        yield f"role {i}", pattern
    for place, pattern in places.PLACE_PATTERNS.items():
        yield f"place {place}", pattern
    for flag, pattern in safeguarding.FLAG_PATTERNS.items():
        yield f"flag {flag}", pattern
    for i, pattern in enumerate(dates._AGE_PATTERNS):
        if pattern.pattern.startswith("(?="):
            yield f"age {i}", pattern
    for i, (_, pattern) in enumerate(clients._CUES):
        if pattern.pattern.startswith("(?="):
            yield f"client cue {i}", pattern


WRAPPED = dict(_wrapped())


def test_the_wrapped_patterns_are_found() -> None:
    assert len(WRAPPED) > 80


@pytest.mark.parametrize("name", sorted(WRAPPED))
def test_lookahead_admits_every_first_character(name: str) -> None:
    pattern = WRAPPED[name]
    lookahead, _, body = pattern.pattern.partition(")(?:")
    first = re.compile(lookahead.removeprefix("(?="), pattern.flags)
    ignore = bool(pattern.flags & re.I)
    chars, nullable = _firsts(sre_parse.parse(body[:-1], pattern.flags), ignore)
    assert not nullable
    refused = sorted(c for c in chars - set(_NOT_FIRST.get(name, "")) if not first.match(c))
    assert refused == []
