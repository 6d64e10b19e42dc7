"""Recognising a message (pure): the same header digest from a full and a header-only fetch."""

from __future__ import annotations

import hashlib

from intake.mailbox.identity import HeaderIdentity, header_section

FULL = b"From: a@b.example\nMessage-ID: <m-1@b.example>\nSubject: Hi\n\nBody\n"
HEADER_ONLY = b"From: a@b.example\r\nMessage-ID: <m-1@b.example>\r\nSubject: Hi\r\n\r\n"


def test_full_and_header_only_fetch_have_the_same_digest() -> None:
    """BODY[] and BODY[HEADER] of one message give one digest, whatever the line ends."""
    assert HeaderIdentity(FULL).digest == HeaderIdentity(HEADER_ONLY).digest


def test_header_section_stops_at_the_blank_line() -> None:
    """Only the header lines count, joined with CRLF."""
    expected = b"From: a@b.example\r\nMessage-ID: <m-1@b.example>\r\nSubject: Hi"
    assert expected == header_section(FULL)


def test_message_id_is_read_from_the_headers() -> None:
    """The Message-ID is the <...> part of its header, folded or not."""
    assert "<m-1@b.example>" == HeaderIdentity(FULL).message_id
    folded = b"Message-ID:\r\n <x@y> (comment)\r\n\r\nbody"
    assert "<x@y>" == HeaderIdentity(folded).message_id


def test_message_without_message_id_has_none() -> None:
    """No Message-ID header (or no <...> in it) gives None: bytes and headers identify it."""
    no_id = (HeaderIdentity(b"Subject: x\r\n\r\n"), HeaderIdentity(b"\x00\xff"))
    assert (None, None) == tuple(heads.message_id for heads in no_id)


def test_header_identity_keeps_the_section_its_digest_is_of() -> None:
    """One normalisation of the headers: the section stored and the one hashed."""
    for raw in (FULL, HEADER_ONLY, b"Subject: x\r\n\r\n", b"\x00\xff", b"Message-ID: <a@b>"):
        heads = HeaderIdentity(raw)
        assert heads.section == header_section(raw)
        assert heads.digest == hashlib.sha256(header_section(raw)).hexdigest()
