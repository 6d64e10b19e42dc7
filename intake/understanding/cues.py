"""Cue words: a cheap, exact test that a pattern cannot match, so it need not scan.

Python's re tries every position for patterns that start with \\b or ignore
case (about 20 ns a character each), and most text names no need or place.
Every match of a cued pattern contains one of its cue words, so text with
none of them is skipped without changing any result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The only non-ASCII characters re.IGNORECASE matches to ASCII letters; lower()
# alone would miss them ("İ" even lowers to two characters).
_LOOKALIKES = (("İ", "i"), ("ı", "i"), ("ſ", "s"), ("K", "k"))


def fold(text: str) -> str:
    """Lower-case text in which every ASCII letter a case-insensitive pattern matches is itself."""
    for odd, plain in _LOOKALIKES:
        if odd in text:
            text = text.replace(odd, plain)
    return text.lower()


@dataclass(frozen=True)
class Cues:
    """Words one of which every match contains: lower case in folded text, capitals as written."""

    folded: tuple[str, ...]
    exact: tuple[str, ...]

    def maybe_in(self, text: str, folded: str) -> bool:
        """False only when no match is possible; `folded` is fold(text)."""
        for word in self.folded:
            if word in folded:
                return True
        # A loop, not any(): no generator per call (tens of thousands a parse).
        for word in self.exact:  # noqa: SIM110
            if word in text:
                return True
        return False


def cues(words: str) -> Cues:
    """Cues from space-separated words: lower case for case-insensitive patterns, else exact."""
    split = words.split()
    return Cues(
        folded=tuple(w for w in split if w.islower()),
        exact=tuple(w for w in split if not w.islower()),
    )


_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


def starting_with(first: str, pattern: re.Pattern[str]) -> re.Pattern[str]:
    """pattern, tried only where its first character can be (`first`, a character class).

    Each attempt at a case-insensitive alternation of many words costs re
    every alternative; a one-class lookahead rejects most positions at once.
    `first` must admit every character a match can start with, so the
    matches are the same (tests/test_understanding_first_chars.py checks
    this); "[...]|^" leaves out the spaces that only a line's start allows.
    """
    body = _GLOBAL_FLAGS.sub("", pattern.pattern, count=1)
    return re.compile(f"(?={first})(?:{body})", pattern.flags)
