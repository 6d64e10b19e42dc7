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
_UNTICKED = re.compile(r"(?m)^[ \t]*(?:☐|\[\s\]|□|\(\s\))[^\n]*$")
_TICK_MARK = re.compile(r"(?m)^[ \t]*(?:☑|☒|✓|✔|\[[xX✓✔]\]|■)\s*")
_QUESTION_LABEL = re.compile(
    r"(?m)^[ \t]*[A-Z][^\n?:]{2,80}\?[ \t]*:[ \t]*|^[ \t]*[A-Z][^\n?:.]{0,50}\bor\b[^\n?:.]{1,40}\?[ \t]*$"
)

REFERRER_NAME = re.compile(
    r"(?i)^(?:your|referrer'?s?|contact|name\s+of\s+referrer|referring\s+person'?s?)\s*(?:full\s+)?"
    r"name$|^name$|^(?:referred|completed|submitted)\s+by$|^allocated\s+worker$|^referrer$"
    r"|^full\s+name$"
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
ROLE = re.compile(r"(?i)^(?:your\s+)?(?:role|job\s+title|position|relationship(?:\s+to\s+\w+)?)$")
WHO_FOR = re.compile(
    r"(?i)who\s+is\s+(?:this|the)\s+referral\s+for|referring\s+yourself|are\s+you\s+the\s+person"
)
_CLIENT_SECTION = re.compile(
    r"(?i)^\s*(?:about\s+the\s+(?:person|client|child|young\s+person)|person\s+details|client\s+"
    r"details|patient\s+details|details\s+of\s+(?:the\s+)?(?:person|client|child)|child'?s?\s+"
    r"details|person\s+being\s+referred)\b"
)
_REFERRER_SECTION = re.compile(
    r"(?i)^\s*(?:about\s+you|your\s+details|referrer(?:'s)?\s+details|referrer|worker|"
    r"referring\s+professional)\s*:?\s*$"
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
        if _CLIENT_SECTION.match(line) and len(line) < 60:
            section = "client"
        elif _REFERRER_SECTION.match(line):
            section = "referrer"
        match = _LINE_LABEL.match(line)
        if match and match.group("value").strip():
            out.append((section, match.group("label").strip(), match.group("value").strip()))
            continue
        label = match.group("label").strip() if match else line
        if len(label) < 70 and index < len(lines) and _is_label_line(line):
            nxt = lines[index].strip()
            if nxt and not _LINE_LABEL.match(nxt):
                out.append((section, label.rstrip("?: "), nxt))
                index += 1
    return out


def _is_label_line(line: str) -> bool:
    return bool(
        REFERRER_NAME.search(line.rstrip("?: "))
        or CLIENT_NAME.search(line)
        or CLIENT_AGE.search(line.rstrip("?: "))
        or PHONE.search(line.rstrip("?: "))
        or WHO_FOR.search(line)
        or line.endswith("?")
        or line.endswith(":")
        or re.match(r"(?i)^(?:date\s+of\s+birth|consent|preferred\s+way|individual\s+or)", line)
    )


def read_form(text: str) -> FormFields:
    """The labelled facts of a form; empty when the text is not a form."""
    fields = FormFields()
    for section, label, value in _pairs(text):
        clean = " ".join(label.lower().split()).rstrip("?: ")
        fields.pairs.append((clean, value))
        if value.lower() in ("(left blank)", "n/a", "-", "none", "not known"):
            continue
        if CLIENT_NAME.search(clean) or (clean == "name" and section == "client"):
            fields.client_name = fields.client_name or value
        elif REFERRER_NAME.search(clean):
            fields.referrer_name = fields.referrer_name or value
        elif CLIENT_AGE.search(clean):
            fields.client_age = fields.client_age or value
        elif PHONE.search(clean):
            fields.phone = fields.phone or value
        elif ORGANISATION.search(clean):
            fields.organisation = fields.organisation or value
        elif ROLE.search(clean):
            fields.role = fields.role or value
        elif WHO_FOR.search(clean):
            fields.who_for = fields.who_for or value
    return fields


def without_form_noise(text: str) -> str:
    """Text with unticked options and question labels removed, ticks turned into plain lines."""
    text = _UNTICKED.sub("", text)
    text = _TICK_MARK.sub("", text)
    text = _QUESTION_LABEL.sub("", text)
    return re.sub(
        r"(?im)^[ \t]*(?:individual\s+or\s+group|in[\s-]person\s+or\s+online|online\s+or\s+in"
        r"[\s-]person)\s*\??\s*:",
        "",
        text,
    )
