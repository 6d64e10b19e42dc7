"""The bytes of the one message shape we send, written directly (pure).

Every message of ours is multipart/alternative: a text/plain and a text/html
part, UTF-8, quoted-printable, CRLF line ends. `EmailMessage` took ~1.7 ms to
build and serialise one, most of it re-parsing through the header registry
every header compose.py had already validated, then re-folding it (which gave
one corpus subject in twenty a leading space, and split or joined words of
long non-ASCII ones). Writing the bytes for this one shape takes a tenth of
that, and what goes out is exactly what was checked.

Safety does not rest on the callers alone: a header value holding a control
character or line break is refused (ValueError), the header block must be
ASCII, and folding only puts CRLF before a space between two words.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import string
from collections.abc import Callable, Sequence
from itertools import groupby

from intake.models import Frozen

# CR, LF, NUL and every other control character, plus the Unicode line breaks.
UNSAFE_HEADER_CHARS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")

CRLF = "\r\n"
WIDTH = 78  # RFC 5322: a header line SHOULD fit in 78 characters
EW_WIDTH = 76  # RFC 2047: a line holding an encoded word fits in 76
MAX_LINE = 998  # RFC 5322: MUST
_EW_OVERHEAD = len("=?utf-8?q??=")  # the same for ?b?
# Q-encoding safe even inside a phrase (RFC 2047 section 5 (3)); space is "_".
_Q_LITERAL = frozenset(string.ascii_letters + string.digits + "!*+-/")
# Characters that make a display name a quoted-string rather than atoms.
_PHRASE_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')
# Longer words are encoded, so that they can be split and every line fits.
_MAX_PLAIN_WORD = 60


class Outgoing(Frozen):
    """A composed message: its bytes as SMTP and IMAP want them, and what the outbox records."""

    raw: bytes
    message_id: str
    recipients: tuple[str, ...]


def checked(value: str) -> str:
    """The value itself, or ValueError when it could end a header line or start another."""
    if UNSAFE_HEADER_CHARS.search(value):
        raise ValueError("a header value may not hold control characters or line breaks")
    return value


def _fold(head: str, atoms: Sequence[str], width: int = EW_WIDTH) -> list[str]:
    """`head atom atom ...`, with a line break before a joining space where a line would pass
    width. Unfolding takes the breaks out again, so the value reads exactly as joined; the first
    atom stays beside the name (a break there would read as a leading space)."""
    lines = [f"{head} {atoms[0]}" if atoms else head]
    for atom in atoms[1:]:
        if len(lines[-1]) + 1 + len(atom) <= width:
            lines[-1] += f" {atom}"
        else:
            lines.append(f" {atom}")
    return lines


def _q(char: str) -> str:
    if char in _Q_LITERAL:
        return char
    if char == " ":
        return "_"
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


def _b_len(size: int) -> int:
    return 4 * ((size + 2) // 3)


def _encoded_word(text: str, use_b: bool) -> str:
    if use_b:
        return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8')).decode('ascii')}?="
    return f"=?utf-8?q?{''.join(map(_q, text))}?="


def encoded_words(text: str, first_room: int) -> list[str]:
    """RFC 2047 encoded words for text (Q or B, whichever is shorter): the first at most
    first_room long, the others EW_WIDTH - 1 (a line each).

    A word that would be too long ends after its last space where it has one (the
    space inside it), else between two characters: RFC 2047 readers drop the fold
    between two encoded words, and the email library, which keeps it in a display
    name, then shows a doubled space rather than a broken word.
    """
    use_b = _b_len(len(text.encode("utf-8"))) < sum(len(_q(char)) for char in text)
    costs = [len(char.encode("utf-8")) if use_b else len(_q(char)) for char in text]
    words: list[str] = []
    start, size, room = 0, 0, first_room - _EW_OVERHEAD
    for end, cost in enumerate(costs):
        if end > start and (_b_len(size + cost) if use_b else size + cost) > room:
            space = text.rfind(" ", start, end)
            cut = space + 1 if space >= start and space + 1 < end else end
            words.append(_encoded_word(text[start:cut], use_b))
            start, size, room = cut, sum(costs[cut:end]), EW_WIDTH - 1 - _EW_OVERHEAD
        size += cost
    words.append(_encoded_word(text[start:], use_b))
    return words


def _atoms(head: str, value: str, plain: Callable[[str], bool]) -> list[str]:
    """The value as units to fold: plain words as they are, each run of other words as
    encoded words. Two encoded words only ever meet where a run is too long for one."""
    if not value:
        return []
    if value != " ".join(value.split()):  # odd spacing survives only inside an encoded word
        return encoded_words(value, EW_WIDTH - len(head) - 1)
    atoms: list[str] = []
    for is_plain, group in groupby(value.split(" "), key=plain):
        if is_plain:
            atoms += group
        else:
            room = EW_WIDTH - len(head) - 1 if not atoms else EW_WIDTH - 1
            atoms += encoded_words(" ".join(group), room)
    return atoms


def _plain_word(word: str) -> bool:
    """A word that can go on the wire as it is: ASCII, short, nothing like an encoded word."""
    return word.isascii() and "=?" not in word and 0 < len(word) <= _MAX_PLAIN_WORD


def _atom_word(word: str) -> bool:
    """A plain word that is also an atom of a display name (no specials)."""
    return _plain_word(word) and not _PHRASE_SPECIALS.search(word)


def text_header(name: str, value: str) -> str:
    """An unstructured header (Subject): plain words as they are, the rest encoded (RFC 2047)."""
    head = f"{name}:"
    return CRLF.join(_fold(head, _atoms(head, checked(value), _plain_word)))


def address_header(name: str, addr_spec: str, display_name: str = "") -> str:
    """From/To: `display name <addr>` or a bare address; the address must already be checked."""
    checked(addr_spec)
    head = f"{name}:"
    if not checked(display_name):
        return f"{head} {addr_spec}"
    angle = f"<{addr_spec}>"
    if display_name == " ".join(display_name.split()) and all(
        map(_plain_word, display_name.split(" "))
    ):
        phrase = display_name
        if _PHRASE_SPECIALS.search(phrase):  # a quoted-string, escaped
            phrase = '"' + phrase.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return CRLF.join(_fold(head, [*phrase.split(" "), angle]))
    return CRLF.join(_fold(head, [*_atoms(head, display_name, _atom_word), angle]))


def token_header(name: str, tokens: Sequence[str]) -> str:
    """In-Reply-To/References: checked <id> tokens, a line break only between two of them."""
    value = " ".join(checked(token) for token in tokens)
    if not value.isascii() or "=?" in value:
        return text_header(name, value)  # as the email library did: encoded, decodes the same
    return CRLF.join(_fold(f"{name}:", tokens, WIDTH))


def quoted_printable(text: str) -> bytes:
    """UTF-8 quoted-printable with CRLF line ends, lines of at most 76 (RFC 2045).

    Every line end is made CRLF first (a lone CR or LF would otherwise go out
    raw), and the text ends with one, as the email library always made it end;
    decoding gives back exactly that.
    """
    data = b"\r\n".join(text.encode("utf-8").splitlines()) + b"\r\n"
    return binascii.b2a_qp(data, istext=True)  # CRLF in, CRLF soft line breaks out


def boundary_for(seed: str, *bodies: bytes) -> str:
    """A boundary derived from the seed (the Message-ID), varied until no body holds it.

    "=_" never occurs in quoted-printable output, so the first one always fits;
    the check is what makes that a fact rather than an assumption.
    """
    for attempt in range(100):
        digest = hashlib.sha256(f"{seed}\x00{attempt}".encode()).hexdigest()[:32]
        boundary = f"=_ip{digest}"
        if not any(boundary.encode("ascii") in body for body in bodies):
            return boundary
    raise ValueError("no boundary found that the bodies do not contain")


def multipart_alternative(headers: Sequence[str], text: str, html: str, seed: str) -> bytes:
    """The whole message: headers (already folded), then the text and HTML alternatives."""
    parts = [quoted_printable(text), quoted_printable(html)]
    boundary = boundary_for(seed, *parts)
    head = CRLF.join(
        [
            *headers,
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;",
            f' boundary="{boundary}"',
            "",
            "",
        ]
    ).encode("ascii")  # UnicodeEncodeError (a ValueError) for anything not encoded
    if max(map(len, head.split(b"\r\n"))) > MAX_LINE:
        raise ValueError("a header line longer than 998 octets")
    delimiter = f"--{boundary}\r\n".encode("ascii")
    out = [head]
    for subtype, body in zip(("plain", "html"), parts, strict=True):
        out += [
            delimiter,
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'.encode("ascii"),
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
            body,
            b"\r\n",  # belongs to the delimiter that follows (RFC 2046), not to the body
        ]
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)
