"""Cheap pre-checks skip a pattern only where it could not have matched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake.understanding import forms, phones, vocabulary

# Digits, the blanks the patterns allow and a letter: the characters that matter.
_PHONE_TEXT = st.text(alphabet="0123456789 \t\nx", max_size=40)


@given(text=_PHONE_TEXT)
def test_split_numbers_need_a_line_starting_with_a_digit(text: str) -> None:
    """Text the pre-check passes over holds no number wrapped onto a second line."""
    if not phones._LINE_STARTS_DIGIT.search(text):
        assert phones._SPLIT_NUMBER.search(text) is None


def test_split_numbers_are_still_joined() -> None:
    """The skip leaves wrapped numbers to be joined as before."""
    assert "0118 496 0553" == phones._join_split_lines("0118 496\n0553")
    assert "Tel 0118\n" == phones._join_split_lines("Tel 0118\n")


@given(line=st.text(alphabet="Ab :|?\t*•-.x", max_size=30))
def test_form_labels_need_a_character_a_label_ends_at(line: str) -> None:
    """A line without ':', '|' or '?' is never a 'Label: value' line, so it is not tried."""
    expected = forms._LINE_LABEL.match(line)
    if not any(end in line for end in forms._LABEL_ENDS):
        assert expected is None
    found = forms._label_match(line)
    assert (expected and expected.span()) == (found and found.span())


_CLAUSE_PIECES = [*"x ,.;(\n", "but", "But", "and", "however", "although", "band"]


@given(before=st.lists(st.sampled_from(_CLAUSE_PIECES), max_size=30).map("".join))
def test_the_last_clause_break_is_the_last_of_all_breaks(before: str) -> None:
    """One match finds where the last clause break ends, as listing every break did."""
    breaks = list(vocabulary._CLAUSE_BREAK.finditer(before))
    last = vocabulary._LAST_CLAUSE_BREAK.match(before)
    assert (breaks[-1].end() if breaks else None) == (last.end() if last else None)
