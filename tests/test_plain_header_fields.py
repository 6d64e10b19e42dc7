"""plain_fields: a header block read without the email parser gives what the parser
(compat32) gives, or steps aside (None) for the parser to read it."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32

from hypothesis import given, settings
from hypothesis import strategies as st

from intake.mailbox.identity import header_block
from intake.reading.headers import plain_fields
from tests.corpus_support import corpus_cases

_NAMES = st.sampled_from(["From", "To", "Message-ID", "to", "X-Odd!~", "Subject", "A", "Cc"])
_TEXT = st.text(st.sampled_from([*'ab <>@.,:;"()\t ', "é", "\r"]), max_size=20)
_ENDS = st.sampled_from(["\r\n", "\n"])
_LINE = st.one_of(
    st.tuples(_NAMES, st.sampled_from([":", ": ", ":\t", " :"]), _TEXT).map("".join),
    st.tuples(st.sampled_from([" ", "\t"]), _TEXT).map("".join),  # a continuation
    st.sampled_from(["From someone", "no colon here", ":empty name", ""]),
)


def _as_parser_reads(block: bytes) -> dict[str, list[str]]:
    msg = BytesHeaderParser(policy=compat32).parsebytes(block)
    return {name.lower(): [str(v) for v in msg.get_all(name, [])] for name in msg}


_ASCII = st.text(st.sampled_from([*'ab <>@.,:;"()\t ']), max_size=20)
_PLAIN_LINE = st.one_of(
    st.tuples(_NAMES.filter(lambda n: " " not in n), st.sampled_from([":", ": ", ":\t"]), _ASCII),
    st.tuples(st.sampled_from([" ", "\t"]), _ASCII),
).map("".join)


def _agrees(lines: list[tuple[str, str]], ended: bool) -> bool:
    """Where plain_fields answers, each field's values are the email parser's; True when
    it answered."""
    text = "".join(line + end for line, end in lines) + ("\r\n" if ended else "")
    block = text.encode("utf-8")
    fields = plain_fields(block)
    if fields is not None:
        assert fields == _as_parser_reads(block)
    return fields is not None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PLAIN_LINE, _ENDS), min_size=1, max_size=8))
def test_plain_blocks_read_as_the_email_parser_reads_them(lines: list[tuple[str, str]]) -> None:
    """Field lines, folded values and either line end: read, and read alike."""
    starts_folded = lines[0][0][0] in " \t"
    assert _agrees(lines, ended=True) is not starts_folded


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_LINE, _ENDS), max_size=8), st.booleans())
def test_any_block_is_read_alike_or_left_to_the_email_parser(
    lines: list[tuple[str, str]], ended: bool
) -> None:
    """Bare CRs, non-ASCII, Unix From lines, lines with no field, no end: never misread."""
    _agrees(lines, ended)


def test_real_headers_are_mostly_plain_and_read_alike() -> None:
    """Over the corpus, plain_fields reads most header blocks, each as the parser does."""
    blocks = [header_block(path.read_bytes()) for path in corpus_cases()]
    read = [(block, fields) for block in blocks if (fields := plain_fields(block)) is not None]
    assert len(read) > len(blocks) // 2
    for block, fields in read:
        assert fields == _as_parser_reads(block)


def test_blocks_the_parser_must_read_are_left_to_it() -> None:
    """Not ASCII, a bare CR, a Unix From line, a line with no field, or no blank line."""
    for block in (
        "Subject: café\r\n\r\n".encode(),
        b"Subject: a\rb\r\n\r\n",
        b"From someone Tue Nov 24 2026\r\nSubject: x\r\n\r\n",
        b"Subject: x\r\nnot a field\r\n\r\n",
        b"Subject: x\r\n",
    ):
        assert plain_fields(block) is None
