"""Ways to break an email, for property-based tests and the fuzz target.

Each mutation takes the message bytes and a few numbers chosen by the
caller (Hypothesis or atheris), and returns the hostile bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CHARSETS = (b"utf-8", b"us-ascii", b"iso-8859-1", b"utf-7", b"x-unknown", b"utf-16", b"\xff\xfe")
_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.I)
_CHARSET = re.compile(rb'charset="?[^";\s]+"?', re.I)


def truncate(raw: bytes, a: int, b: int) -> bytes:
    return raw[: a % (len(raw) + 1)]


def flip_bytes(raw: bytes, a: int, b: int) -> bytes:
    if not raw:
        return raw
    data = bytearray(raw)
    for i in range(1 + b % 16):
        pos = (a + i * 7919) % len(data)
        data[pos] ^= 1 + (b + i) % 255
    return bytes(data)


def break_boundaries(raw: bytes, a: int, b: int) -> bytes:
    found = _BOUNDARY.search(raw)
    if not found:
        return raw + b"\r\n--\r\n--nonsense--\r\n"
    boundary = found.group(1)
    mode = a % 3
    if mode == 0:  # the closing boundary disappears
        return raw.replace(b"--" + boundary + b"--", b"")
    if mode == 1:  # the declared boundary differs from the one used
        return raw.replace(found.group(0), b'boundary="' + boundary[::-1] + b'"', 1)
    return raw.replace(b"--" + boundary, b"--" + boundary[: b % (len(boundary) + 1)])


def wrong_charset(raw: bytes, a: int, b: int) -> bytes:
    charset = CHARSETS[a % len(CHARSETS)]
    replaced = _CHARSET.sub(b"charset=" + charset, raw)
    if replaced == raw:
        return b"Content-Type: text/plain; charset=" + charset + b"\r\n" + raw
    return replaced


def deep_nesting(raw: bytes, a: int, b: int) -> bytes:
    depth = 1 + a % 200
    head = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    tail = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return b"From: deep@example.org\r\nMIME-Version: 1.0\r\n" + head + raw + tail


def huge_headers(raw: bytes, a: int, b: int) -> bytes:
    if a % 2:
        extra = b"Subject: " + b"A" * (1000 + b % 300_000) + b"\r\n"
    else:
        extra = b"".join(b"X-H%d: v\r\n" % i for i in range(10 + b % 5000))
    return extra + raw


def many_parts(raw: bytes, a: int, b: int) -> bytes:
    count = 10 + a % 3000
    parts = b"".join(b"--p\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(count))
    return (
        b"From: parts@example.org\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n' + parts + b"--p--\r\n"
    )


MUTATIONS: tuple[Callable[[bytes, int, int], bytes], ...] = (
    truncate,
    flip_bytes,
    break_boundaries,
    wrong_charset,
    deep_nesting,
    huge_headers,
    many_parts,
)
