"""Signatures written on one line, as many phone and webmail clients do."""

from __future__ import annotations

from intake.reading.signature import split_signature


def test_one_line_signature_with_separators_is_split_off() -> None:
    """'Name | Title | Organisation | phone' on its own last line is the signature."""
    text = "Hi,\n\nPlease see Tom.\n\nAmy Reed | SENCo | Brook Primary School | 01632 960 222"
    signed = split_signature(text)
    assert (
        "Hi,\n\nPlease see Tom.",
        "Amy Reed | SENCo | Brook Primary School | 01632 960 222",
    ) == (
        signed.body,
        signed.signature,
    )


def test_one_line_list_of_options_is_not_a_signature() -> None:
    """A last line of options separated by bars but not starting with a name stays in the body."""
    text = "Hi,\n\nWe could do:\n\nmornings | afternoons | evenings"
    assert "" == split_signature(text).signature
