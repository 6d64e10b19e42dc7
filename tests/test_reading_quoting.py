"""Splitting new text from quoted and forwarded history, and finding the signature."""

from __future__ import annotations

from intake.reading.quoting import split_quoted
from intake.reading.signature import split_signature


def test_on_wrote_starts_quoted_history() -> None:
    """Text after an 'On ... wrote:' line is quoted, with its author."""
    text = "New words.\n\nOn Tue, 3 Mar 2026 at 10:00, Ann Lee <ann@example.com> wrote:\n> old\n"
    segments = split_quoted(text)
    assert [s.kind for s in segments] == ["new", "quoted"]
    assert segments[1].author_addr == "ann@example.com"


def test_outlook_header_block_is_quoted() -> None:
    """An Outlook From/Sent/To/Subject block starts quoted history."""
    text = (
        "Yes please.\n\n________________________________\nFrom: Ann <ann@example.com>\n"
        "Sent: 14 April 2026 18:02\nTo: b@example.com\nSubject: Re: x\n\nold text\n"
    )
    segments = split_quoted(text)
    assert segments[0].text == "Yes please."
    assert segments[1].kind == "quoted"


def test_forwarded_marker_makes_a_forwarded_segment() -> None:
    """'---------- Forwarded message ---------' starts a forwarded part."""
    text = (
        "See below.\n\n---------- Forwarded message ---------\nFrom: Kim <kim@example.com>\n"
        "Date: Sun, 8 Mar 2026\nSubject: Mum\n\nMum is 81.\n"
    )
    segments = split_quoted(text)
    assert segments[1].kind == "forwarded"
    assert segments[1].author_addr == "kim@example.com"


def test_signature_after_sign_off_is_separated() -> None:
    """Lines after 'Kind regards' are the signature; the disclaimer is dropped."""
    text = (
        "Please see Sam.\n\nKind regards\nJo Bloggs\nStaff Nurse\n\n"
        "This email is confidential and intended only for the addressee.\n"
    )
    signed = split_signature(text)
    assert signed.body == "Please see Sam."
    assert signed.signature == "Jo Bloggs\nStaff Nurse"
    assert signed.disclaimer.startswith("This email is confidential")
