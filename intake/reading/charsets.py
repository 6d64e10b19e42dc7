"""Decoding bytes whose declared charset may be wrong, unknown or missing.

Real mail declares "us-ascii" over UTF-8, "utf-8" over Latin-1, and names that
Python does not know ("x-unknown", "uft-8", "unicode-1-1-utf-7"), so decoding
tries the declared charset, then UTF-8, then cp1252, and never fails.
"""

from __future__ import annotations

import codecs

_ALIASES: dict[str, str] = {
    "uft-8": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "none": "utf-8",
    "x-user-defined": "cp1252",
    "ks_c_5601-1987": "cp949",
    "x-mac-cyrillic": "mac-cyrillic",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
}


def normalise_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    cleaned = str(name).strip().strip("\"'").lower()
    cleaned = _ALIASES.get(cleaned, cleaned)
    try:
        return codecs.lookup(cleaned).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode bytes, trusting the declared charset only when it decodes cleanly."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    codec = normalise_charset(charset)
    tried: list[str] = []
    for candidate in (codec, "utf-8", "cp1252"):
        if not candidate or candidate in tried:
            continue
        tried.append(candidate)
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    return data.decode("latin-1")
