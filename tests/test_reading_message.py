"""Reading raw bytes: headers that raise, charsets, BOM, HTML, limits, attachments."""

from __future__ import annotations

import pytest

from intake.errors import LimitExceeded, UnreadableMessage
from intake.reading import ReadingLimits, read_message
from intake.reading.attachments import extract_attachment


def test_unlisted_recipients_header_does_not_raise() -> None:
    """`To: unlisted-recipients:;` (which breaks policy.default in 3.11) reads as no recipients."""
    raw = b"From: a@example.com\r\nTo: unlisted-recipients:;\r\nSubject: hi\r\n\r\nHello\r\n"
    view = read_message(raw)
    assert view.envelope.to == ()
    assert view.body == "Hello"


def test_wrong_charset_falls_back_to_cp1252() -> None:
    """A body declared utf-8 but written in cp1252 is still readable."""
    raw = b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\nCaf\xe9 \x96 ok\n"
    assert read_message(raw).body == "Café – ok"


def test_unknown_charset_in_encoded_word_is_decoded() -> None:
    """An RFC 2047 word with an unknown charset falls back instead of raising."""
    raw = b"From: a@example.com\nSubject: =?x-unknown?Q?Referral_for_Zo=C3=AB?=\n\nbody\n"
    assert read_message(raw).envelope.subject == "Referral for Zoë"


def test_bom_and_leading_blank_lines_are_skipped() -> None:
    """A UTF-8 BOM and blank lines before the headers do not hide the header block."""
    raw = b"\xef\xbb\xbf\r\n   \r\nFrom: a@example.com\r\nSubject: x\r\n\r\nbody\r\n"
    assert read_message(raw).envelope.from_addr == "a@example.com"


def test_bytes_without_headers_are_unreadable() -> None:
    """Input with no header block raises UnreadableMessage."""
    with pytest.raises(UnreadableMessage):
        read_message(b"just some text\nwith no headers\n")


def test_html_only_body_keeps_table_rows() -> None:
    """An HTML-only body is converted to text with each table row on its own line."""
    raw = (
        b"From: a@example.com\nContent-Type: text/html\n\n"
        b"<table><tr><td>Name</td><td>Ann</td></tr><tr><td>Age</td><td>80</td></tr></table>"
    )
    lines = [ln.split() for ln in read_message(raw).body.splitlines() if ln.strip()]
    assert lines == [["Name", "Ann"], ["Age", "80"]]


def test_plain_alternative_is_preferred_over_html() -> None:
    """multipart/alternative gives the text/plain part."""
    raw = (
        b'From: a@example.com\nContent-Type: multipart/alternative; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nplain words\n--b\nContent-Type: text/html\n\n"
        b"<p>html words</p>\n--b--\n"
    )
    assert read_message(raw).body == "plain words"


def test_mime_depth_limit_raises_limit_exceeded() -> None:
    """Nesting deeper than max_mime_depth raises LimitExceeded."""
    inner = b"Content-Type: text/plain\n\nx\n"
    for level in range(5):
        boundary = f"b{level}".encode()
        inner = (
            b'Content-Type: multipart/mixed; boundary="'
            + boundary
            + b'"\n\n--'
            + boundary
            + b"\n"
            + inner
            + b"\n--"
            + boundary
            + b"--\n"
        )
    with pytest.raises(LimitExceeded):
        read_message(b"From: a@example.com\n" + inner, ReadingLimits(max_mime_depth=3))


def test_header_count_limit_raises_limit_exceeded() -> None:
    """More headers than max_header_count raises LimitExceeded."""
    raw = b"From: a@example.com\n" + b"X-A: 1\n" * 50 + b"\nbody\n"
    with pytest.raises(LimitExceeded):
        read_message(raw, ReadingLimits(max_header_count=20))


def test_broken_pdf_attachment_is_a_problem_not_an_exception() -> None:
    """A corrupt PDF records a problem and yields no text."""
    problems: list[str] = []
    found = extract_attachment(
        "form.pdf", "application/pdf", b"%PDF-1.4 garbage", ReadingLimits(), problems
    )
    assert found is None or found.text == ""
    assert problems


def test_oversized_attachment_is_skipped() -> None:
    """An attachment over max_attachment_bytes is not read."""
    problems: list[str] = []
    limits = ReadingLimits(max_attachment_bytes=10)
    assert None is extract_attachment("a.txt", "text/plain", b"x" * 100, limits, problems)
    assert len(problems) == 1


def test_mbox_from_line_without_date_is_skipped() -> None:
    """A leading 'From addr' envelope line (no date) does not hide the headers below it."""
    raw = b"From mike@example.com\r\nFrom: Mike <mike@example.com>\r\nSubject: hi\r\n\r\nbody\r\n"
    assert read_message(raw).envelope.from_addr == "mike@example.com"


def test_html_is_converted_to_text_never_rendered() -> None:
    """Scripts, styles, remote images and forms in HTML mail become text only, or nothing."""
    html = (
        "<html><head><style>p{color:red}</style><script>steal(document.cookie)</script></head>"
        "<body><p>Please see <b>Amy</b>.</p><img src='https://tracker.example/pixel.gif'>"
        "<form action='https://evil.example'><input value='x'></form>"
        "<iframe src='https://evil.example/frame'></iframe></body></html>"
    )
    raw = (
        "From: a@b.example\nSubject: hi\nContent-Type: text/html; charset=utf-8\n\n" + html
    ).encode()
    view = read_message(raw)
    assert "Please see Amy." in " ".join(view.body.split())
    for fragment in ("steal", "cookie", "color:red", "tracker.example", "evil.example", "<"):
        assert fragment not in view.body
