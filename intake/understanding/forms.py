"""Web forms and system referral forms: "Label: value" and "Label" / value-on-next-line.

Forms put the referrer's and the client's facts behind labels, so a label
vocabulary decides which value is whose. Question labels such as
"Individual or group?" are removed before free-text rules run, so the
options they list are not read as answers; unticked boxes are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINE_LABEL = re.compile(
    r"^[ \t*•\-]*(?P<label>[A-Za-z][^:\n]{1,70}?)[ \t]*(?:[:|]|\?[ \t]*:?)[ \t]*(?P<value>.*)$"
)
# A label ends at ":", "|" or "?": a line with none of them is not tried (most
# lines of a letter), as the lazy label would be stretched to each length first.
_LABEL_ENDS = (":", "|", "?")


def _label_match(line: str) -> re.Match[str] | None:
    """_LINE_LABEL.match(line), not tried on a line without a character a label ends at."""
    for end in _LABEL_ENDS:
        if end in line:
            return _LINE_LABEL.match(line)
    return None


_UNTICKED = re.compile(r"(?m)^[ \t]*(?:☐|\[\s\]|□|\(\s\))[^\n]*$")
_TICK_MARK = re.compile(r"(?m)^[ \t]*(?:☑|☒|✓|✔|\[[xX✓✔]\]|■)\s*")
_QUESTION_LABEL = re.compile(
    r"(?m)^[ \t]*[A-Z][^\n?:]{2,80}\?[ \t]*:[ \t]*"
    r"|^[ \t]*[A-Z][^\n?:.]{0,50}\bor\b[^\n?:.]{1,40}\?[ \t]*$"
)

REFERRER_NAME = re.compile(
    r"(?i)^(?:your|referrer'?s?|contact|name\s+of\s+referrer|referring\s+person'?s?)\s*(?:full\s+)?"
    r"name$|^(?:referred|completed|submitted)\s+by$|^allocated\s+worker$|^referrer$"
    r"|^name\s+of\s+referrer$"
)
CLIENT_NAME = re.compile(
    r"(?i)name\s+of\s+(?:the\s+)?(?:person|client|child|young\s+person|patient|pupil|resident|"
    r"service\s+user|individual)|(?:child|client|patient|pupil|resident|person|young\s+person|"
    r"service\s+user|baby)'?s?\s+(?:full\s+)?name|who\s+would\s+attend|^(?:client|patient|pupil|"
    r"child|resident|service\s+user)$|^person\s+being\s+referred$"
)
CLIENT_AGE = re.compile(r"(?i)^age\b|\bage\s+of\s+(?:the\s+)?(?:person|client|child)|'s\s+age$")
PHONE = re.compile(
    r"(?i)^(?:your\s+)?(?:phone|telephone|tel|mobile|contact\s+(?:number|phone|telephone)|"
    r"direct\s+(?:dial|line)|referrer'?s?\s+(?:phone|telephone|number))(?:\s+number)?$"
    r"|(?:parent|guardian)(?:/guardian)?\s+(?:phone|telephone|mobile)"
)
ORGANISATION = re.compile(
    r"(?i)^(?:your\s+)?(?:organisation|organization|employer|agency|company|practice|team)$"
)
PHONE_EXTRA = re.compile(r"(?i)^contact\s+(?:number|telephone)$|^mobile$")
ROLE = re.compile(
    r"(?i)^(?:your\s+)?(?:role|job\s+title|position|designation|relationship\b.{0,40})$"
)
WHO_FOR = re.compile(
    r"(?i)who\s+is\s+(?:this|the)\s+referral\s+for|referring\s+yourself|are\s+you\s+the\s+person"
)
_CLIENT_SECTION = re.compile(
    r"(?i)^\s*(?:section\s+\d+\s*[:.-]?\s*|[A-Z0-9]\.\s*|\d+\.\s*)?(?:about\s+the\s+(?:person|client|child|young\s+person)|person\s+details|client\s+"
    r"details|patient\s+details|details\s+of\s+(?:the\s+)?(?:person|client|child)|child'?s?\s+"
    r"details|person\s+being\s+referred)\b"
)
_REFERRER_SECTION = re.compile(
    r"(?i)^\s*(?:(?:section\s+\d+\s*[:.-]?\s*|[A-Z0-9]\.\s*|\d+\.\s*)?(?:about\s+you|your\s+details|"
    r"referrer(?:'s)?(?:\s+details)?|worker|referring\s+professional|referred\s+by))\s*:?\s*$"
)


@dataclass
class FormFields:
    """Labelled values found in a form, by meaning."""

    referrer_name: str | None = None
    client_name: str | None = None
    client_age: str | None = None
    phone: str | None = None
    organisation: str | None = None
    role: str | None = None
    who_for: str | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)


_NO_COLON = re.compile(
    r"^(?P<label>(?i:(?:patient|client|child|pupil|resident|student|person)(?:'s)?\s+(?:full\s+)?name"
    r"|name|surname|forenames?(?:\(s\))?|designation|job\s+title|organisation|organization"
    r"|contact\s+(?:number|telephone)|telephone|mobile|department|referrer))[ \t]+"
    r"(?P<value>[A-Z0-9+(][^\n]{0,80})$"
)


def _next_is_field(lines: list[str], index: int) -> bool:
    """True when the next non-empty line is a labelled value (so a heading opens a section)."""
    for line in lines[index : index + 3]:
        line = line.strip()
        if line:
            return bool(_label_match(line) or _NO_COLON.match(line))
    return False


def _pairs(text: str) -> list[tuple[str, str, str]]:
    """(section, label, value) for each labelled line, values on the next line included."""
    lines = text.split("\n")
    out: list[tuple[str, str, str]] = []
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line:
            continue
        starts_fields = _next_is_field(lines, index)
        if _CLIENT_SECTION.match(line) and len(line) < 60 and starts_fields:
            section = "client"
        elif _REFERRER_SECTION.match(line) and starts_fields:
            section = "referrer"
        bare = _NO_COLON.match(line)
        if bare and len(line) <= 100 and not _label_match(line):
            out.append((section, bare.group("label"), bare.group("value").strip()))
            continue
        match = _label_match(line)
        if match and match.group("value").strip():
            out.append((section, match.group("label").strip(), match.group("value").strip()))
            continue
        label = match.group("label").strip() if match else line
        if len(label) < 70 and index < len(lines) and _is_label_line(line):
            nxt = lines[index].strip()
            if nxt and not _label_match(nxt):
                out.append((section, label.rstrip("?: "), nxt))
                index += 1
    return out


def _is_label_line(line: str) -> bool:
    if len(line) > 60 and not line.endswith((":", "?")):
        return False
    return bool(
        REFERRER_NAME.search(line.rstrip("?: "))
        or CLIENT_NAME.search(line)
        or CLIENT_AGE.search(line.rstrip("?: "))
        or PHONE.search(line.rstrip("?: "))
        or WHO_FOR.search(line)
        or line.endswith("?")
        or line.endswith(":")
        or re.match(
            r"(?i)^(?:your\b|name\b|relationship|consent|date\s+of|where\b|what\b|how\b|who\b|"
            r"which\b|preferred|individual\s+or|age\b|phone|telephone|email|address|designation|"
            r"organisation|organization|job\s+title|role\b|contact\s+number)",
            line,
        )
    )


def read_form(text: str) -> FormFields:
    """The labelled facts of a form; empty when the text is not a form."""
    fields = FormFields()
    for section, label, value in _pairs(text):
        clean = " ".join(label.lower().split()).rstrip("?: ")
        fields.pairs.append((clean, value))
        if value.lower() in ("(left blank)", "n/a", "-", "none", "not known"):
            continue
        if section == "client" and (clean in ("name", "forename(s)", "forenames", "surname")):
            if clean == "name":
                fields.client_name = fields.client_name or value
            continue
        if section == "referrer" and clean in ("name", "full name"):
            fields.referrer_name = fields.referrer_name or value
            continue
        if section == "client" and (PHONE.search(clean) or ORGANISATION.search(clean)):
            continue
        if CLIENT_NAME.search(clean):
            fields.client_name = fields.client_name or value
        elif REFERRER_NAME.search(clean):
            fields.referrer_name = fields.referrer_name or value
        elif CLIENT_AGE.search(clean):
            fields.client_age = fields.client_age or value
        elif PHONE.search(clean) or PHONE_EXTRA.search(clean):
            fields.phone = fields.phone or value
        elif ORGANISATION.search(clean):
            fields.organisation = fields.organisation or value
        elif ROLE.search(clean):
            fields.role = fields.role or value
        elif WHO_FOR.search(clean):
            fields.who_for = fields.who_for or value
    return fields


_NO_PREFERENCE = re.compile(
    r"(?im)^[ \t]*(?:in[\s-]person\s+or\s+online|online\s+or\s+in[\s-]person"
    r"|face[\s-]to[\s-]face\s+or\s+online)\s*\??\s*:?\s*(?:no\s+preference|either|not\s+sure|don'?t\s+mind|both)\b[^\n]*$"
)


def without_form_noise(text: str) -> str:
    """Text with unticked options and question labels removed, ticks turned into plain lines."""
    text = _NO_PREFERENCE.sub("Either online or in person.", text)
    text = _UNTICKED.sub("", text)
    text = _TICK_MARK.sub("", text)
    text = _QUESTION_LABEL.sub("", text)
    return re.sub(
        r"(?im)^[ \t]*(?:individual\s+or\s+group|in[\s-]person\s+or\s+online|online\s+or\s+in"
        r"[\s-]person)\s*\??\s*:",
        "",
        text,
    )
