"""Names, roles and organisations from signatures, display names and "Label: value" lines.

The sender's signature is the best source of their name, job and employer;
the From display name ("RAMAN, Priya (MILLBROOK SURGERY)", "Hale, Marcus")
is the fallback. Organisation choice follows the corpus rule: the employer
(practice, school, hospital, hospice, council, care home, charity), not a
ward or team inside it when both are named, never a trust above it.
"""

from __future__ import annotations

import itertools
import re

from intake.models import Role
from intake.understanding.vocabulary import ROLE_TITLES

TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Revd|Rev|Reverend|Sister|Father|Cllr)\.?"
_PARTICLE = r"(?:de|da|van|von|der|den|le|la|ní|nic|mac|bin|binti|al|el|ap|ab|y|du|di)"
_UP = "A-ZÀ-ÖØ-ÝĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LOW = "a-zß-öø-ÿāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżž"
# Bounded lengths keep every match attempt short: a long run of letters (a
# mangled or hostile message) must cost linear, not quadratic, time.
_NAME_WORD = (
    rf"(?:[{_UP}][{_LOW}'’\-]{{0,24}}(?:[{_UP}][{_LOW}'’\-]{{1,24}})?(?![{_UP}])"
    rf"|[{_UP}]{{2,24}}(?:['’\-][{_UP}]{{1,24}})?(?![{_LOW}]))"
)
_INITIAL = r"[A-Z]\.?"
# A NAME (title, initial or name word) always begins with one of these capitals.
NAME_START = rf"[{_UP}]"
NAME = (
    rf"(?:{TITLE}\s+)?(?:{_INITIAL}\s*)?{_NAME_WORD}"
    rf"(?:[ \t]+(?:{_PARTICLE}[ \t]+)?(?:{_NAME_WORD}|{_INITIAL}))" + r"{0,3}"
)
_NAME_LINE = re.compile(
    rf"^(?P<name>(?:{TITLE}\s+)?(?:(?:{_INITIAL}\s*){{1,2}}{_NAME_WORD}|{NAME}))"
    r"(?:[\s,]+(?P<post>(?:[A-Z][A-Za-z()&]*[A-Z)][A-Za-z()]*|BSc|MSc|MA|BA|PhD|Hons|\(Hons\)"
    r"|RN|RGN|MBBS)(?:[\s,/]+(?:[A-Z][A-Za-z()&]*[A-Z)][A-Za-z()]*|BSc|MSc|MA|BA|PhD|Hons|"
    r"\(Hons\)))*))?\s*[,.]?\s*$"
)
_NOT_NAME_WORDS = {
    "thanks",
    "thank",
    "regards",
    "best",
    "kind",
    "many",
    "warm",
    "love",
    "cheers",
    "yours",
    "sent",
    "from",
    "tel",
    "mobile",
    "phone",
    "email",
    "the",
    "team",
    "school",
    "office",
    "nurse",
    "teacher",
    "manager",
    "coordinator",
    "head",
    "lead",
    "social",
    "worker",
    "hospital",
    "council",
    "service",
    "services",
    "practice",
    "surgery",
    "home",
    "house",
    "trust",
    "nhs",
    "care",
    "centre",
    "unit",
    "ward",
    "mum",
    "dad",
    "senco",
    "gp",
    "partner",
    "consultant",
    "sister",
    "assistant",
    "clinical",
    "specialist",
    "director",
    "officer",
    "support",
    "music",
    "therapy",
    "referral",
    "dear",
    "hi",
    "hello",
    "jacqueline",
    "inner",
    "pulse",
    "admin",
    "reception",
    "enquiries",
    "enquiry",
    "referrals",
    "bookings",
    "appointments",
    "secretary",
    "secretaries",
    "administrator",
    "mailbox",
    "noreply",
    "duty",
    "info",
    "hospice",
    "academy",
    "college",
    "ltd",
    "limited",
    "group",
    "and",
    "pronouns",
    "mob",
    "web",
    "www",
    "fax",
    "direct",
    "address",
    "working",
    "days",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "ext",
    "extension",
    "diolch",
    "cofion",
    "ysgol",
    "p.s",
    "ps",
    "sorry",
    "speak",
    "soon",
    "take",
    "x",
    "xx",
    "road",
    "street",
    "lane",
    "avenue",
    "registered",
    "charity",
    "company",
    "number",
}
_ORG_EMPLOYER = re.compile(
    r"(?i)\b(?:school|academy|college|surgery|practice|health\s+centre|medical\s+centre|"
    r"hospital|hospice|council|care\s+home|nursing\s+home|residential\s+home|ltd|limited|llp|"
    r"cic|charity|church|friends|society|association|foundation|university|ysgol|ysbyty|"
    r"services|partnership|lodge|house|court|manor|grange|gardens|villa|centre|center|"
    r"chapel|parish|cathedral|nursery|clinic|consortium|federation|management|solutions|"
    r"camhs|rehabilitation|neurorehabilitation|hall|supported\s+living|housing|home\s*care|"
    r"care\s+agency|respite|extra\s+care|institute|borough\s+of|county|city\s+of)\b|^adopt\b"
)
_ORG_TEAM = re.compile(
    r"(?i)\b(?:team|unit|ward|service|department|dept|directorate|division|programme|hub|"
    r"base|suite)\b"
)
_ORG_ABOVE = re.compile(
    r"(?i)\b(?:nhs\s+(?:foundation\s+)?trust|foundation\s+trust|health\s+board|\bICB\b|"
    r"integrated\s+care\s+board|university\s+health\s+board|trust$|\bnhs\b$|group$|"
    r"multi[\s-]academy\s+trust|diocese|primary\s+care\s+network|\bPCN\b|healthcare\s+group)"
)
_CONTACT_LINE = re.compile(
    r"(?i)@|https?://|www\.|\b(?:tel|telephone|phone|mob|mobile|fax|t|m|e|w|ddi|direct|"
    r"switchboard|email|e-mail|web|ext|extension|bleep|pager)\b\s*[:.]|\d{4,}|^\+?\d[\d\s()]{7,}"
)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_ADDRESS_WORDS = re.compile(
    r"(?i)^\s*\d+[a-z]?\s+\w+|\b(?:road|street|lane|avenue|drive|way|close|crescent|place|"
    r"square|terrace|park\s+road|hill)\b\s*,"
)
_SPLIT_SIG = re.compile(r"\s*(?:\||•|·|,|\s[–—-]\s|\bat\b)\s*")
_DISPLAY_PAREN = re.compile(r"\s*[\(\[]([^)\]]*)[\)\]]\s*")
_LABEL = re.compile(
    r"(?im)^[ \t*•\-]*(?P<label>[A-Za-z][A-Za-z'’ /()&]{1,50}?)[ \t]*[:|][ \t]*"
    r"(?P<value>[^\n]{1,200})$"
)


def label_values(text: str) -> list[tuple[str, str]]:
    """('label', 'value') pairs from "Label: value" lines, labels lower-cased."""
    out: list[tuple[str, str]] = []
    for match in _LABEL.finditer(text):
        value = match.group("value").strip()
        if value:
            out.append((" ".join(match.group("label").lower().split()), value))
    return out


def looks_like_name(text: str) -> bool:
    """True when a short line reads as a person's name rather than a job or place."""
    words = [w.strip(".,").lower() for w in text.split()]
    if not words or len(words) > 6:
        return False
    return not any(w in _NOT_NAME_WORDS for w in words)


def clean_name(text: str) -> str | None:
    """A person's name from a signature line, without post-nominals or trailing notes."""
    text = re.split(r"\s{2,}|\t|\s+(?:Date|Tel|Email|Mob|Phone)\s*:", text.strip())[0]
    text = text.strip().strip(",.;:-–*_ ")
    text = re.split(r"\s[|–—(]|\s-\s|,\s*(?=[A-Z]{2,}|[A-Z][a-z]+\s+[A-Z][a-z]+)", text)[0].strip()
    match = _NAME_LINE.match(text)
    if not match:
        return None
    name = match.group("name").strip()
    words = name.split()
    while len(words) > 2 and words[-1].isupper() and len(words[-1]) >= 2:
        words.pop()
    name = " ".join(words)
    if not looks_like_name(name):
        return None
    return name


def name_from_display(display: str | None) -> str | None:
    """A person's name from a From display name, or None for a role or organisation account."""
    if not display:
        return None
    text = _DISPLAY_PAREN.sub(" ", display).strip().strip("\"'")
    text = re.sub(r"\s*[\[<][^\]>]*[\]>]", "", text)
    if "@" in text or not text:
        return None
    if "," in text:
        last, _, first = text.partition(",")
        if last.strip() and first.strip() and len(last.split()) <= 2:
            text = f"{first.strip()} {last.strip()}"
    text = " ".join(
        w.capitalize() if (w.isupper() and len(w) > 2) or text.islower() else w
        for w in text.split()
    )
    text = re.sub(r"\s+", " ", text).strip()
    if not looks_like_name(text) or _ORG_EMPLOYER.search(text) or _ORG_TEAM.search(text):
        return None
    if not re.match(rf"^{NAME}$", text):
        return None
    return text


def org_from_display(display: str | None) -> str | None:
    """An organisation in brackets in a display name: "RAMAN, Priya (MILLBROOK SURGERY)"."""
    if not display:
        return None
    match = _DISPLAY_PAREN.search(display)
    if not match:
        return None
    inner = match.group(1).strip()
    if inner.isupper():
        inner = " ".join(w.capitalize() for w in inner.split())
    return inner if _ORG_EMPLOYER.search(inner) or _ORG_TEAM.search(inner) else None


def org_rank(text: str) -> int:
    """2 for an employer, 1 for a team/ward/unit, 0 for not an organisation, -1 above (a trust)."""
    if _ORG_ABOVE.search(text):
        return -1
    if _ORG_TEAM.search(text):
        return 1
    if _ORG_EMPLOYER.search(text):
        return 2
    return 0


def _org_piece_ok(piece: str) -> bool:
    words = piece.split()
    if not words or len(words) > 9 or len(piece) > 80:
        return False
    if not piece[0].isupper() and not piece.startswith("ysgol"):
        return False
    capitals = sum(1 for w in words if w[:1].isupper())
    return capitals >= max(1, len(words) // 2)


_STRONG_EMPLOYER = re.compile(
    r"(?i)\b(?:school|academy|college|surgery|practice|hospital|hospice|council|care\s+home|"
    r"nursing\s+home|residential\s+home|ltd|limited|llp|cic|charity|church|university|ysgol|"
    r"ysbyty|centre|center|lodge|house|clinic|nursery|trust|services)\b"
)
_ROLE_WORDS_ONLY = re.compile(
    r"(?i)^(?:(?:senior|lead|specialist|clinical|deputy|assistant|principal|community|"
    r"paediatric|registered|trainee|qualified|student|acting|interim|head|chief|team|"
    r"service|support|activities?|wellbeing|care|home|unit|ward|practice)\s+)*(?:manager|"
    r"coordinator|co-ordinator|lead|leader|nurse|worker|officer|teacher|director|administrator)$"
)


_GENERIC_ORG_WORDS = {
    "day",
    "hospice",
    "ward",
    "unit",
    "team",
    "community",
    "care",
    "the",
    "of",
    "and",
    "service",
    "services",
    "home",
    "nursing",
    "residential",
    "school",
    "hospital",
    "centre",
    "support",
    "adult",
    "adults",
    "children's",
    "childrens",
    "social",
    "health",
    "mental",
    "family",
    "palliative",
    "inpatient",
    "in-patient",
    "clinical",
    "learning",
    "disability",
    "music",
    "therapy",
    "therapies",
    "neuro",
    "rehabilitation",
    "department",
    "primary",
    "secondary",
    "neurorehabilitation",
    "general",
    "medical",
    "memory",
    "assessment",
    "specialist",
}
_NOT_PERSON_WORDS = {
    "wordpress",
    "website",
    "form",
    "forms",
    "notification",
    "notifications",
    "system",
    "noreply",
    "no-reply",
    "mailer",
    "portal",
    "wpforms",
    "jotform",
    "typeform",
    "bot",
}
_NOT_NAME_WORDS |= _NOT_PERSON_WORDS


_ROLE_END = re.compile(
    r"(?i)\b(?:psychologist|nurse|worker|teacher|therapist|officer|manager|co-?ordinator|lead|"
    r"assistant|consultant|physio\w*|sister|midwife|doctor|GP|SENCo|head|practitioner|specialist|"
    r"chaplain|director|administrator|prescriber|registrar|matron|psychiatrist|paediatrician|"
    r"visitor|adviser|advisor|partner)\s*(?:\([^)]*\))?$"
)
_PROPER_NOUNS = re.compile(r"^(?:[A-Z][\w'’&-]+\s+){1,4}[A-Z][\w'’&-]+$")


def _org_piece(piece: str) -> tuple[int, str] | None:
    piece = piece.strip(" .;:*_")
    if not piece or _CONTACT_LINE.search(piece) or _POSTCODE.search(piece):
        return None
    if _ADDRESS_WORDS.search(piece) or re.search(r"(?i)registered\s+charity|since\s+\d", piece):
        return None
    if not _org_piece_ok(piece) or _ROLE_WORDS_ONLY.match(piece):
        return None
    rank = org_rank(piece)
    if rank == 0:
        return (0, piece) if _PROPER_NOUNS.match(piece) and _role_title(piece) is None else None
    if _role_title(piece) is not None and (
        (not _STRONG_EMPLOYER.search(piece) and not _ORG_TEAM.search(piece))
        or _ROLE_END.search(piece)
    ):
        return None
    if len(piece.split()) < 2 and not piece.isupper():
        return None
    if len(piece.split()) <= 2 and not {w.lower() for w in piece.split()} - _GENERIC_ORG_WORDS:
        return None
    return rank, piece


def organisation_candidates(lines: list[str]) -> list[tuple[int, int, str]]:
    """(rank, order, text) for each organisation-like piece of signature lines."""
    pieces: list[str] = []
    for line in lines:
        pieces += _SPLIT_SIG.split(line.strip())
    piped = [line.strip() for line in lines if "|" in line]
    if len(piped) > 1:
        pieces += [p.strip() for p in " ".join(piped).split("|") if p.strip() not in pieces]
    found: list[tuple[int, int, str]] = []
    for piece in pieces:
        checked = _org_piece(piece)
        if checked:
            found.append((checked[0], len(found), checked[1]))
    return found


def proper_noun_fallback(lines: list[str]) -> str | None:
    """A capitalised line that is no name, job or address: an employer named without keywords."""
    for piece in lines:
        checked = _org_piece(piece)
        if checked and checked[0] == 0 and not looks_like_person(piece):
            return checked[1]
    for previous, piece in itertools.pairwise(lines):
        checked = _org_piece(piece)
        if checked and checked[0] == 0 and _role_title(previous) is not None:
            return checked[1]
    return None


def looks_like_person(text: str) -> bool:
    """Two or three capitalised words with no organisation word: probably a person's name."""
    words = text.split()
    return (
        2 <= len(words) <= 3
        and clean_name(text) == text
        and not re.search(
            r"(?i)\b(?:support|care|trust|group|network|friends|partners|associates|solutions)\b",
            text,
        )
    )


def choose_organisation(candidates: list[tuple[int, int, str]]) -> str | None:
    """The employer when one is named, else the first team or unit named."""
    usable = [c for c in candidates if c[0] > 0]
    if not usable:
        return None
    best = max(usable, key=lambda c: (c[0], -c[1]))
    wider = [
        c
        for c in usable
        if c[0] == best[0]
        and c[2].endswith(" " + best[2])
        and len(c[2].split()) <= 6
        and not re.search(r"\s[-–]\s|\.", c[2])
    ]
    return wider[0][2] if wider else best[2]


def _role_title(text: str) -> Role | None:
    if re.search(r"(?i)\bvirtual\s+school\b", text):
        return Role.other
    for role, pattern in ROLE_TITLES:
        if pattern.search(text):
            return role
    return None


def role_from_title(lines: list[str]) -> tuple[Role, str] | None:
    """The role named by a job title in signature lines, with the line it came from."""
    for line in lines:
        stripped = line.strip()
        if not stripped or "@" in stripped or len(stripped) > 120:
            continue
        role = _role_title(stripped)
        if role is not None:
            return role, stripped
    return None


ORG_LABEL = re.compile(
    r"(?i)^(?:your\s+|referrer'?s?\s+)?(?:organisation|organization|employer|agency|company|"
    r"team|practice\s+name|referring\s+(?:organisation|service|team))$"
)
