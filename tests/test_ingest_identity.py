"""Recognising a message (pure): the same header digest from a full and a header-only fetch."""

from __future__ import annotations

from intake.mailbox.identity import (
    HeaderIdentity,
    header_section,
    headers_digest,
    message_id_of,
)

FULL = b"From: a@b.example\nMessage-ID: <m-1@b.example>\nSubject: Hi\n\nBody\n"
HEADER_ONLY = b"From: a@b.example\r\nMessage-ID: <m-1@b.example>\r\nSubject: Hi\r\n\r\n"


def test_full_and_header_only_fetch_have_the_same_digest() -> None:
    """BODY[] and BODY[HEADER] of one message give one digest, whatever the line ends."""
    assert headers_digest(FULL) == headers_digest(HEADER_ONLY)


def test_header_section_stops_at_the_blank_line() -> None:
    """Only the header lines count, joined with CRLF."""
    expected = b"From: a@b.example\r\nMessage-ID: <m-1@b.example>\r\nSubject: Hi"
    assert expected == header_section(FULL)


def test_message_id_is_read_from_the_headers() -> None:
    """The Message-ID is the <...> part of its header, folded or not."""
    assert "<m-1@b.example>" == message_id_of(FULL)
    assert "<x@y>" == message_id_of(b"Message-ID:\r\n <x@y> (comment)\r\n\r\nbody")


def test_message_without_message_id_has_none() -> None:
    """No Message-ID header (or no <...> in it) gives None: bytes and headers identify it."""
    assert (None, None) == (message_id_of(b"Subject: x\r\n\r\n"), message_id_of(b"\x00\xff"))


def test_header_identity_gives_what_the_three_functions_give() -> None:
    """One pass over the headers: the same section, digest and Message-ID as the functions."""
    for raw in (FULL, HEADER_ONLY, b"Subject: x\r\n\r\n", b"\x00\xff", b"Message-ID: <a@b>"):
        heads = HeaderIdentity(raw)
        assert (heads.section, heads.digest, heads.message_id) == (
            header_section(raw),
            headers_digest(raw),
            message_id_of(raw),
        )
