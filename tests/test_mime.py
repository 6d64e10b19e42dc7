"""The bytes we write for a message: well-formed, folded, and nothing smuggled into a header."""

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.config import Practice
from intake.models import Envelope
from intake.replying.compose import build_alert, build_reply, clean_header
from intake.replying.mime import (
    address_header,
    boundary_for,
    encoded_words,
    quoted_printable,
    text_header,
    token_header,
)
from tests.builders import parsed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PRACTICE = Practice(email="hello@innerpulse.example")
MSG_ID = "<ip.x@innerpulse.example>"
REPLY_HEADERS = [
    *("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References"),
    *("Auto-Submitted", "X-Auto-Response-Suppress", "MIME-Version", "Content-Type"),
]
ALERT_HEADERS = [
    *("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"),
    *("X-Auto-Response-Suppress", "Importance", "X-Priority", "Priority"),
    *("MIME-Version", "Content-Type"),
]
# Names and subjects from anywhere: controls, line breaks, emoji, accents, encoded words.
hostile_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\r", "\n", "\r\n", " ", "=?", "?=", '"', "\\", "é", "ł", "ŵ", "🎵"]),
        st.sampled_from(["=?utf-8?q?a=0D=0AX-Evil:_1?=", "=?utf-8?b?4pyT?=", "Bcc: x@y.z"]),
        st.text(st.characters(codec="ascii"), min_size=20, max_size=80),
    ),
    max_size=40,
).map("".join)


def parse(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def alert(
    subject: str = "Hello",
    text: str = "hi\n",
    html: str = "<p>hi</p>\n",
    *,
    to: str = "therapist@innerpulse.example",
    msg_id: str = MSG_ID,
    in_reply_to: str | None = None,
) -> bytes:
    return build_alert(
        PRACTICE,
        to,
        subject=subject,
        text=text,
        html=html,
        msg_id=msg_id,
        now=NOW,
        urgent=True,
        in_reply_to=in_reply_to,
    ).raw


def reply(envelope: Envelope | None = None, practice: Practice = PRACTICE) -> bytes:
    return build_reply(
        envelope or parsed().envelope,
        practice,
        reference="IP-0007",
        text="t",
        html="h",
        msg_id=MSG_ID,
        now=NOW,
    ).raw


def assert_well_formed(raw: bytes) -> EmailMessage:
    """CRLF line ends only, short header lines, no defects anywhere."""
    head, _, _ = raw.partition(b"\r\n\r\n")
    lines = raw.split(b"\r\n")
    assert b"" == lines[-1]
    assert all(b"\r" not in line and b"\n" not in line and len(line) <= 998 for line in lines)
    assert all(len(line) <= 78 for line in head.split(b"\r\n"))
    assert head.isascii()
    msg = parse(raw)
    assert [] == msg.defects
    assert all([] == list(value.defects) for value in msg.values())  # type: ignore[attr-defined]
    assert all([] == p.defects for p in msg.iter_parts())
    return msg


def as_sent(text: str) -> str:
    """The text with CRLF line ends, ending in one."""
    lines = re.split(r"\r\n|\r|\n", text)
    return "\r\n".join(lines[:-1] if lines[-1] == "" and len(lines) > 1 else lines) + "\r\n"


def rfc2047(raw: bytes, name: str) -> str:
    """A header as an RFC 2047 reader shows it (the fold between two encoded words dropped)."""
    head = raw.partition(b"\r\n\r\n")[0].decode("ascii").replace("\r\n ", " ")
    value = re.search(rf"^{name}: (.*)$", head, re.M)
    assert value is not None
    return "".join(
        part.decode(charset or "ascii") if isinstance(part, bytes) else part
        for part, charset in decode_header(value.group(1))
    )


@settings(max_examples=300, deadline=None)
@given(subject=hostile_text)
def test_any_subject_round_trips_and_adds_no_header(subject: str) -> None:
    """Whatever the subject, the parsed message shows it cleaned, and no other header appears."""
    raw = alert(f"URGENT: {subject}")
    msg = assert_well_formed(raw)
    assert ALERT_HEADERS == list(msg.keys())
    assert clean_header(f"URGENT: {subject}") == msg["Subject"]
    msg = assert_well_formed(reply(parsed(subject=subject).envelope))
    assert REPLY_HEADERS == list(msg.keys())
    assert msg["Subject"].endswith(" [IP-0007]") and not msg["Subject"].startswith(" ")


@settings(max_examples=300, deadline=None)
@given(name=hostile_text)
def test_any_display_name_round_trips_and_adds_no_header(name: str) -> None:
    """The practice name reads back exactly as cleaned to an RFC 2047 reader, and but for
    spaces to the email library, which keeps the fold between two encoded words of a display
    name (a name too long for one encoded word; it did the same with its own output)."""
    practice = Practice(email="hello@innerpulse.example", name=name)
    raw = reply(practice=practice)
    msg = assert_well_formed(raw)
    assert REPLY_HEADERS == list(msg.keys())
    expected = clean_header(name, 80)
    (address,) = msg["From"].addresses
    assert "hello@innerpulse.example" == address.addr_spec
    assert "".join(expected.split()) == "".join(address.display_name.split())
    if b"=?utf-8?" in raw.partition(b"\r\nTo:")[0]:
        assert f"{expected} <hello@innerpulse.example>" == rfc2047(raw, "From")
    else:  # atoms or a quoted-string: the email library reads those exactly
        assert expected == address.display_name


def test_short_display_names_read_back_exactly() -> None:
    """Welsh, Polish, emoji and specials: one encoded word or a quoted-string, exact."""
    for name in ("Therapi Cerdd Siân", 'Zażółć, "gęślą" (jaźń)', "Smith, Jo & Co.", "Ŵ 🎵"):
        practice = Practice(email="hello@innerpulse.example", name=name)
        msg = assert_well_formed(reply(practice=practice))
        assert name == msg["From"].addresses[0].display_name


@settings(max_examples=300, deadline=None)
@given(text=st.text(), html=st.text())
def test_parts_decode_to_exactly_the_rendered_text(text: str, html: str) -> None:
    """Quoted-printable loses nothing: line ends come back as CRLF (RFC 2046), and a text
    gets a final one if it lacks it, as the email library always gave it."""
    msg = assert_well_formed(alert(text=text, html=html))
    assert "multipart/alternative" == msg.get_content_type()
    plain, rich = msg.iter_parts()
    assert as_sent(text) == plain.get_content()  # type: ignore[attr-defined]
    assert as_sent(html) == rich.get_content()  # type: ignore[attr-defined]
    assert ("text/plain", "text/html") == (plain.get_content_type(), rich.get_content_type())
    assert "quoted-printable" == plain["Content-Transfer-Encoding"]


def test_quoted_printable_lines_are_short_and_crlf() -> None:
    """Long lines get soft breaks; trailing spaces and "=" are encoded."""
    body = quoted_printable("x" * 300 + " \n= é\n" + "y" * 200)
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"=20\r\n=3D =C3=A9\r\n" in body


def test_boundary_is_deterministic_and_avoids_the_bodies() -> None:
    """The same Message-ID gives the same boundary; a body holding it gets another."""
    first = boundary_for(MSG_ID, b"body")
    assert first == boundary_for(MSG_ID)
    other = boundary_for(MSG_ID, b"text --" + first.encode() + b" more")
    assert other != first and other == boundary_for(MSG_ID, first.encode())


@pytest.mark.parametrize("bad", ["a\r\nBcc: x@y.z", "a\nb", "a\rb", "a\x00b", "a\u2028b", "\x85"])
def test_header_writers_refuse_line_breaks_and_controls(bad: str) -> None:
    """Defence in depth: a value that got past compose.py's guards is refused, not folded."""
    with pytest.raises(ValueError):
        text_header("Subject", bad)
    with pytest.raises(ValueError):
        address_header("From", "a@b.example", bad)
    with pytest.raises(ValueError):
        address_header("To", bad)
    with pytest.raises(ValueError):
        token_header("References", ["<a@b>", bad])


def test_encoded_words_fit_the_line_and_split_after_a_space() -> None:
    """RFC 2047: each encoded word at most 75 characters; a long run breaks at a space."""
    words = encoded_words("Ünïcödé " * 12, 60)
    assert len(words) > 1 and len(words[0]) <= 60
    assert all(len(word) <= 75 for word in words)


def test_non_ascii_and_listed_addresses_are_refused() -> None:
    """An address goes into To as it is, so it must be one plain ASCII addr-spec."""
    for bad in ("zoë@school.example", "a@zoë.example", "a@b.example, c@d.example"):
        env = parsed().envelope.model_copy(update={"reply_to": bad})
        with pytest.raises(ValueError, match="no valid address"):
            reply(env)
    with pytest.raises(ValueError, match="no valid address"):
        alert(to="a@b.example\r\nBcc: c@d.example")


def test_alert_threads_only_under_a_well_formed_message_id() -> None:
    """The digest confirmation's In-Reply-To comes from her mail: only a clean <id> is used."""
    good = parse(alert(in_reply_to=" <her@mail.example> "))
    assert "<her@mail.example>" == good["In-Reply-To"] == good["References"]
    bad = parse(alert(in_reply_to="<a@b>\r\nBcc: c@d.example"))
    assert bad["In-Reply-To"] is None and bad["Bcc"] is None


def test_own_message_id_must_be_one_clean_token() -> None:
    """A Message-ID of ours with a line break in it is a bug: refused, not sent."""
    with pytest.raises(ValueError, match="Message-ID"):
        alert(msg_id="<a@b>\r\nBcc: c@d.example")
