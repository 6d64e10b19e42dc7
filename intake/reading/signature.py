"""Find the sign-off and signature block of the sender's new text, and drop disclaimers.

The referrer's name, job title, organisation and direct line often appear only
below "Kind regards", so the new text is split into the message proper and
the signature lines; legal disclaimers and "Sent from my iPhone" are removed
so their words (e.g. "confidential", "intended recipient") are not read as
content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SIGN_OFF = re.compile(
    r"(?i)^[ \t]*(?:(?:with\s+)?(?:kind(?:est)?|best|warm(?:est)?|many|sincere|fond|warm)\s+"
    r"(?:regards|wishes|thanks|rgds)|regards|best|thanks(?: again| so much| very much)?"
    r"|thank you(?: (?:so|very) much)?(?: (?:in advance|again))?|many thanks(?: again)?"
    r"|with (?:many |grateful )?thanks|cheers|yours(?: (?:sincerely|faithfully|truly))?"
    r"|all (?:the )?best|best wishes|love|take care|speak soon|diolch(?: yn fawr)?"
    r"|cofion(?: gorau| cynnes)?|ta|thanks and regards|kind regards and thanks"
    r"|with best wishes|respectfully|warmly|sincerely|gratefully|thx|tks|ta very much|x+)"
    r"\s*[,.!]*[ \t]*$"
)
_DASH_DASH = re.compile(r"(?m)^-- ?$")
_SENT_FROM = re.compile(
    r"(?im)^[ \t]*(?:Sent from (?:my |Outlook|Mail|Yahoo|Samsung|Gmail)|Get Outlook for)[^\n]*$"
)
_DISCLAIMER_START = re.compile(
    r"(?i)^[ \t]*(?:[*=_~-]{8,}\s*$|(?:this|the information in this) (?:e-?mail|message|"
    r"communication)\b.{0,80}\b(?:confidential|intended|privileged)|confidentiality(?: notice)?:"
    r"|disclaimer:|(?:important|legal)(?: notice)?:|if you are not the intended recipient"
    r"|please consider the environment|official[- ]sensitive\s*$|official\s*$"
    r"|caution: this email|email disclaimer)"
)


_NAME_LIKE = re.compile(
    r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Revd?)\.?\s+)?[A-ZÀ-Ý][\w'’.\-]*(?:\s+[A-ZÀ-Ý][\w'’.\-]*){0,3}"
    r"(?:\s+[A-Z]{2,}(?:\s+[A-Z]{2,})*)?\s*,?$"
)


@dataclass(frozen=True)
class SignedText:
    """The new text split into body, sign-off line, signature lines and disclaimer."""

    body: str
    sign_off: str
    signature: str
    disclaimer: str


def _without_disclaimer(lines: list[str]) -> tuple[list[str], str]:
    for index, line in enumerate(lines):
        if index > 0 and _DISCLAIMER_START.match(line):
            rest = "\n".join(lines[index:])
            return lines[:index], rest
    return lines, ""


_ONE_LINE_SIGNATURE = re.compile(r"^[^|•·\n]{2,60}(?:\s+[|•·]\s+[^|•·\n]{1,80}){2,}$")


def _fallback_signature(lines: list[str]) -> int | None:
    """Start of a trailing block of short lines (name, title, phone) without a sign-off."""
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and lines[start - 1].strip() and len(lines[start - 1]) < 70:
        start -= 1
    block = lines[start:end]
    if len(block) == 1 and start > 0 and _ONE_LINE_SIGNATURE.match(block[0].strip()):
        first = re.split(r"\s+[|•·]\s+", block[0].strip())[0]
        return start if _NAME_LIKE.match(first) else None
    if not (1 < len(block) <= 8 and start > 0) or any(ln.rstrip().endswith("?") for ln in block):
        return None
    prose = any(len(ln) > 45 and not re.search(r"\d|@", ln) for ln in block[1:])
    return start if _NAME_LIKE.match(block[0].strip()) and not prose else None


def split_signature(text: str) -> SignedText:
    """Split the sender's new text at the last sign-off (or '-- '), dropping disclaimers."""
    text = _SENT_FROM.sub("", text)
    lines = text.split("\n")
    lines, disclaimer = _without_disclaimer(lines)
    cut: int | None = None
    sign_off = ""
    for index in range(len(lines) - 1, -1, -1):
        if SIGN_OFF.match(lines[index]) and index >= 1:
            cut, sign_off = index, lines[index].strip()
            break
    if cut is None:
        dashes = list(_DASH_DASH.finditer("\n".join(lines)))
        if dashes:
            joined = "\n".join(lines)
            start = dashes[-1].start()
            return SignedText(
                joined[:start].strip(), "", joined[dashes[-1].end() :].strip(), disclaimer
            )
        fallback = _fallback_signature(lines)
        if fallback is None:
            return SignedText("\n".join(lines).strip(), "", "", disclaimer)
        return SignedText(
            "\n".join(lines[:fallback]).strip(), "", "\n".join(lines[fallback:]).strip(), disclaimer
        )
    body = "\n".join(lines[:cut]).strip()
    signature = "\n".join(lines[cut + 1 :]).strip()
    return SignedText(body, sign_off, signature, disclaimer)
