"""Who is being referred: the client's name from forms, labels, subject and prose.

Every person-name in the text is a candidate; cues raise a candidate's score
("refer Orla", "my son Kai", "Maya Thackeray DOB ...", "Name: ..." in a
form), and how often the name recurs breaks ties, because a referral keeps
talking about its client. Names tied to someone else ("his wife Eirlys",
"Dr Shah", the referrer, the author of a forwarded message) are excluded.
A first name alone is completed from elsewhere ("Jan (Janet Langley)",
"Mr Boateng" -> "Kofi Boateng").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from intake.understanding import people
from intake.understanding.cues import starting_with

_NAME = people.NAME
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "baby", "prof", "revd", "rev"}
_TITLES = TITLES
STOP_WORDS = {
    "i",
    "he",
    "she",
    "they",
    "we",
    "the",
    "this",
    "that",
    "our",
    "my",
    "his",
    "her",
    "their",
    "music",
    "therapy",
    "dear",
    "hi",
    "hello",
    "thank",
    "thanks",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jacqueline",
    "mum",
    "dad",
    "mam",
    "inner",
    "pulse",
    "ward",
    "school",
    "year",
    "referral",
    "re",
    "fw",
    "fwd",
    "dob",
    "nhs",
    "gp",
    "please",
    "if",
    "as",
    "in",
    "on",
    "at",
    "for",
    "and",
    "but",
    "so",
    "yes",
    "no",
    "unfortunately",
    "currently",
    "following",
    "since",
    "after",
    "before",
    "also",
    "however",
    "there",
    "it",
    "is",
    "a",
    "an",
    "client",
    "patient",
    "name",
    "age",
    "sessions",
    "session",
    "down",
    "down's",
    "autism",
    "dementia",
    "pmld",
    "asc",
    "asd",
    "best",
    "kind",
    "many",
    "urgent",
    "private",
    "confidential",
    "official",
    "sensitive",
    "your",
    "you",
    "can",
    "could",
    "would",
    "will",
    "today",
    "yesterday",
    "tomorrow",
    "christmas",
    "easter",
    "online",
    "zoom",
    "teams",
    "mother",
    "father",
    "grandad",
    "nan",
    "parkinson's",
    "alzheimer's",
    "stroke",
    "huntington's",
    "tourette's",
    "young",
    "fund",
    "funding",
    "premium",
    "plus",
    "services",
    "service",
    "worker",
    "team",
    "council",
    "hospital",
    "hospice",
    "unit",
    "centre",
    "home",
    "house",
    "trust",
    "primary",
    "academy",
    "college",
    "church",
    "surgery",
    "practice",
    "date",
    "birth",
    "address",
    "diagnosis",
    "reason",
    "consent",
    "background",
    "section",
    "referrer",
    "telephone",
    "email",
    "tel",
    "mobile",
    "phone",
    "role",
    "job",
    "title",
    "organisation",
    "he's",
    "she's",
    "i'm",
    "i've",
    "i'd",
    "we're",
    "we've",
    "it's",
    "that's",
    "what",
    "when",
    "where",
    "who",
    "how",
    "why",
    "any",
    "all",
    "some",
    "one",
    "two",
    "sorry",
    "hope",
    "just",
    "again",
    "still",
    "now",
    "then",
    "here",
    "very",
    "really",
    "lovely",
    "sadly",
    "ideally",
    "hopefully",
    "definitely",
    "both",
    "each",
    "every",
    "not",
    "nothing",
    "ok",
    "okay",
    "sent",
    "from",
    "to",
    "subject",
    "cc",
    "weekly",
    "term",
    "easy",
    "read",
    "makaton",
    "bsl",
    "camhs",
    "sen",
    "send",
    "ehcp",
    "aln",
    "ta",
    "senco",
    "ot",
    "slt",
    "cpn",
    "mri",
    "ct",
    "ipu",
    "nicu",
    "scbu",
    "icu",
    "itu",
    "covid",
    "god",
    "jesus",
    "welsh",
    "english",
    "scottish",
    "irish",
    "british",
    "uk",
    "key",
    "stage",
    "p1",
    "p7",
    "bank",
    "holiday",
    "holidays",
    "room",
    "bed",
    "bay",
    "floor",
    "wing",
    "lounge",
    "night",
    "day",
    "week",
    "month",
    "morning",
    "afternoon",
    "evening",
    "radio",
    "piano",
    "guitar",
    "drum",
    "drums",
    "choir",
    "band",
    "area",
    "areas",
    "need",
    "needs",
    "other",
    "main",
    "current",
    "presenting",
    "history",
    "number",
    "ref",
    "legal",
    "status",
    "parents",
    "type",
    "format",
    "frequency",
    "location",
    "delivery",
    "capacity",
    "signed",
    "completed",
    "summary",
    "goals",
    "injury",
    "music:",
    "student",
    "pupil",
    "resident",
    "person",
}
_NOT_CLIENT_BEFORE = starting_with(
    r"[cdefhmnprstw]",
    re.compile(
        r"(?i)(?:\bmy\s+(?:\w+\s+)?(?:colleague|manager|supervisor|friend|boss|line\s+manager|"
        r"teacher|GP|consultant|keyworker)|\b(?:his|her|their|the|whose)\s+(?:\w+\s+)?(?:wife|husband|partner|mum|mam|mother|"
        r"dad|father|son|daughter|sister|brother|carer|keyworker|key\s+worker|supervisor|colleague|"
        r"manager|teacher|friend|granddaughter|grandson|nan|gran|grandad|consultant|GP|nurse|"
        r"social\s+worker|sons|daughters|parents|children|niece|nephew|boss|TA|SENCo|aunt|uncle|"
        r"cousin)|\b(?:Dr|Doctor|Nurse|Sister|Prof|Professor|Revd|Rev|Father|Cllr|Sir)\.?|\bcc'?d?|"
        r"\bcopied|\bfrom|\bwith|\bthanks|\bthank\s+you|\bdear|\bhi|\bhello|\bspoke\s+(?:to|with)|"
        r"\bspoken\s+(?:to|with)|\bsigned|\bcontact|\bcall|\bemail)\s*,?\s*$"
    ),
)
_NOT_CLIENT_AFTER = re.compile(
    r"^\s*(?:\((?!DOB|D\.O\.B|NHS)(?:CPN|SENCo|OT|SLT|GP|TA|[A-Z]{2,5}|his|her|their)\b|,\s*(?:our|the|his|her|their|"
    r"a)\s+(?:\w+\s+)?(?:OT|SLT|nurse|SENCo|teacher|GP|consultant|keyworker|manager|coordinator|"
    r"psychologist|social\s+worker|physio|worker|CPN|daughter|son|wife|husband|mum|dad|"
    r"support)|\s*\((?:son|daughter|wife|husband|mum|dad|mother|father|sister|brother|LPA|NOK)\b"
    r"|(?:'s|’s)\s+(?:mum|dad|mother|father|wife|husband|son|daughter|parents|carer)\b)"
)
_AGE_WORDS = (
    r"(?i:d\.?\s?o\.?\s?b\b|born\b|aged?\s*:?\s*\d|\d{1,3}\s*(?:[,.;)]|years?|yrs?|y/?o\b))"
)
_BORN_OR_AGED = re.compile(rf"(?P<name>{_NAME})\s*(?:\(|,|-|–)?\s*{_AGE_WORDS}")
_IS_AGED = re.compile(rf"(?P<name>{_NAME})\s+(?i:is\s+(?:a|an|now|just)?\s*\d{{1,3}}\b)")
_COMMA_WHO = re.compile(rf"(?P<name>{_NAME})\s*(?:\([^)]{{0,30}}\)\s*)?,\s+(?i:who|aged?)\b")
_HAS_DIAGNOSIS = re.compile(
    rf"(?P<name>{_NAME})\s+(?i:has\s+(?:a\s+diagnosis|been\s+diagnosed|got))"
)
# What follows the name in these cues, found in the text first: trying the
# name at every capital costs far more than one scan for words most text lacks.
_AFTER_NAME: dict[re.Pattern[str], re.Pattern[str]] = {
    _BORN_OR_AGED: re.compile(_AGE_WORDS),
    _IS_AGED: re.compile(r"\s(?i:is\s+(?:a|an|now|just)?\s*\d)"),
    _COMMA_WHO: re.compile(r",\s+(?i:who|aged?)\b"),
    _HAS_DIAGNOSIS: re.compile(r"\s(?i:has\s+(?:a\s+diagnosis|been\s+diagnosed|got))"),
}
_CUES: list[tuple[int, re.Pattern[str]]] = [
    (
        6,
        starting_with(
            "(?i:[acmrstvw])",
            re.compile(
                rf"(?i:\b(?:refer|referring|referral\s+(?:for|of|regarding|re)|music\s+therapy\s+for|"
                rf"sessions?\s+for|the\s+client\s+is|writing\s+about|writing\s+regarding|consider|"
                rf"work\s+with|see|visit|about)\s+(?:(?:my|our|one\s+of\s+our)\s+(?:\w+\s+){{0,2}}"
                rf"(?:son|daughter|mum|mam|mother|dad|father|husband|wife|partner|grandson|"
                rf"granddaughter|gran|nan|grandad|client|patient|pupil|resident|brother|sister|"
                rf"students?|pupils?|inpatients?|residents?|parishioners?|boy|girl)s?,?\s+)?)"
                rf"(?P<name>{_NAME})"
            ),
        ),
    ),
    (
        6,
        starting_with(
            "(?i:[mo])",
            re.compile(
                rf"(?i:\b(?:my|our)\s+(?:\w+\s+){{0,2}}(?:son|daughter|mum|mam|mother|dad|father|husband|"
                rf"wife|partner|grandson|granddaughter|nan|gran|grandad|grandma|boy|girl|baby|brother|"
                rf"sister|child|twin|grandmother|grandfather|stepson|stepdaughter|client|patient|pupil|"
                rf"resident|student|parishioner)(?:'s\s+name\s+is|\s+is\s+called|\s+called|\s+named|,|"
                rf"\s+-|\s+–)?)\s+(?P<name>{_NAME})"
            ),
        ),
    ),
    (
        5,
        starting_with(
            "(?i:[bcgilmprswy])",
            re.compile(
                rf"(?i:\b(?:client|patient|pupil|resident|gentleman|lady|man|woman|boy|girl|student|"
                rf"young\s+(?:person|man|woman|lady)|inpatient|service\s+user)(?:\s+(?:called|named|is)|,|"
                rf"\s+-|\s+–)?)\s+(?P<name>{_NAME})"
            ),
        ),
    ),
    (7, _BORN_OR_AGED),
    (5, _IS_AGED),
    (
        7,
        re.compile(
            rf"\b[Mm]y\s+(?:mum|mam|mother|dad|father|husband|wife|son|daughter|partner|nan|gran)"
            rf"\s*\((?P<name>{_NAME})\)"
        ),
    ),
    (3, re.compile(rf"^(?:Mum|Mam|Dad|Nan|Gran|Grandad|Grandma)\s*\((?P<name>{_NAME})\)", re.M)),
    (
        5,
        starting_with(
            "(?i:[bcglmprwy])",
            re.compile(
                rf"(?i:\b(?:lady|gentleman|man|woman|boy|girl|patient|resident|child|young\s+person)\b"
                rf"[^.\n]{{0,40}}?\s[-–:]\s*)(?P<name>{_NAME})"
            ),
        ),
    ),
    (5, _COMMA_WHO),
    (
        3,
        re.compile(
            rf"(?P<name>{_NAME})\s+(?i:has|had|was|is|loves|enjoys|attends|lives|moved|became|"
            rf"struggles|responds|finds|sings|plays)\b"
        ),
    ),
    (5, _HAS_DIAGNOSIS),
    (5, re.compile(rf"(?im:^\s*re\s*:\s*)(?P<name>{_NAME})")),
    (
        8,
        re.compile(
            rf"(?im:^[ \t•*\-]*(?:student|pupil|client|patient|child|young\s+person|resident|"
            rf"service\s+user|person\s+referred)(?:'s)?(?:\s+(?:full\s+)?name)?\s*:\s*)(?P<name>{_NAME})"
        ),
    ),
    (2, re.compile(rf"(?P<name>(?:Mr|Mrs|Ms|Miss|Master|Baby)\.?\s+{_NAME})")),
]
_ANY_NAME = re.compile(rf"(?P<name>{_NAME})")


@dataclass
class Candidate:
    """A possible client name with its score and first position."""

    name: str
    score: float
    position: int
    snippet: str


def _plain_word(word: str) -> str:
    return word.lower().strip(".,").replace("’", "'").removesuffix("'s")


def _stop(word: str) -> bool:
    plain = _plain_word(word)
    return plain in STOP_WORDS or plain in _CONDITION_WORDS or word.lower() in STOP_WORDS


def _clean(name: str) -> str | None:
    name = re.sub(r"(?:'s|’s)$", "", name.strip()).strip(" ,.;:-–")
    words = name.split()
    while words and _stop(words[-1]):
        words.pop()
    if words and words[0].lower().strip(".") == "baby" and len(words) > 1:
        words.pop(0)
    real = [w for w in words if w.lower().strip(".") not in _TITLES]
    if not real or _stop(real[0]) or len(real[0].strip(".")) < 2:
        return None
    if real[0].isupper() and len(real[0]) <= 3:
        return None
    if real[0].isupper() and len(words) == 1:
        return None
    words = [w.capitalize() if w.isupper() and len(w) > 1 else w for w in words[:4]]
    return " ".join(words)


def _key(name: str) -> str:
    words = [w.strip(".,").lower() for w in name.split() if w.lower().strip(".") not in _TITLES]
    return words[0] if words else name.lower()


def _excluded(text: str, start: int, end: int) -> bool:
    return bool(_NOT_CLIENT_BEFORE.search(text[max(0, start - 40) : start])) or bool(
        _NOT_CLIENT_AFTER.match(text[end : end + 40])
    )


_NAME_START = re.compile(people.NAME_START)


def _finditer(pattern: re.Pattern[str], text: str, capitals: list[int]) -> Iterator[re.Match[str]]:
    """pattern.finditer(text), trying a pattern that opens with a name only at capitals.

    re attempts a match at every position, and the long name pattern makes each
    attempt costly; a name always begins with a capital, so the matches are the same.
    """
    if not pattern.pattern.startswith("(?P<name>"):
        yield from pattern.finditer(text)
        return
    end = 0
    for start in capitals:
        if start >= end and (match := pattern.match(text, start)):
            yield match
            end = match.end()


def gather(text: str, weight: float, offset: int, out: dict[str, Candidate]) -> None:
    """Add cue-scored candidates from one text to `out`, keyed by first name."""
    capitals = [m.start() for m in _NAME_START.finditer(text)]
    for score, pattern in _CUES:
        after = _AFTER_NAME.get(pattern)
        if after is not None and not after.search(text):
            continue
        for match in _finditer(pattern, text, capitals):
            start, end = match.span("name")
            name = _clean(match.group("name"))
            if not name or _excluded(text, start, end):
                continue
            key = _key(name)
            snippet = text[max(0, start - 50) : end + 50].replace("\n", " ")
            found = out.get(key)
            if found is None:
                out[key] = Candidate(name, score * weight, offset + start, snippet)
            else:
                found.score += score * weight
                if len(name) > len(found.name) and _key(name) == key:
                    found.name = name


_CONDITION_WORDS = {
    "message",
    "date",
    "sent",
    "reply",
    "forwarded",
    "original",
    "regards",
    "thanks",
    "alzheimer",
    "parkinson",
    "down",
    "huntington",
    "asperger",
    "tourette",
    "crohn",
    "lewy",
    "makaton",
    "zoom",
    "teams",
    "facetime",
    "whatsapp",
    "google",
    "nhs",
    "camhs",
}
_WORD = re.compile(r"\b[A-Z][a-zà-öø-ÿ'’\-]{1,20}\b")


def gather_recurring(text: str, out: dict[str, Candidate]) -> None:
    """Names that recur three or more times become weak candidates even without a cue."""
    counts: dict[str, int] = {}
    first_at: dict[str, int] = {}
    for match in _WORD.finditer(text):
        word = match.group(0)
        plain = word.lower().replace("’", "'").removesuffix("'s")
        if plain in STOP_WORDS or plain in _TITLES or plain in _CONDITION_WORDS:
            continue
        if _excluded(text, match.start(), match.end()):
            continue
        counts[word] = counts.get(word, 0) + 1
        first_at.setdefault(word, match.start())
    for word, count in counts.items():
        if count >= 3 and word.lower() not in out:
            start = first_at[word]
            snippet = text[max(0, start - 50) : start + 50].replace("\n", " ")
            out[word.lower()] = Candidate(word, 1.0, start, snippet)


def add_frequency(text: str, out: dict[str, Candidate]) -> None:
    """Raise each candidate by how often its first name recurs in the text."""
    for key, candidate in out.items():
        first = next(
            (w for w in candidate.name.split() if w.lower().strip(".") not in _TITLES), key
        )
        count = len(_word_pattern(first).findall(text))
        candidate.score += min(count, 6)


_CLOSING_QUOTES = ('"', "”", "'", "’")


# Patterns built from a name are cached here: the running service makes more
# distinct patterns than re's own cache holds, so re would compile them anew.
@functools.lru_cache(maxsize=1024)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b")


@functools.lru_cache(maxsize=1024)
def _nickname_patterns(nick: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """'Gwenllian (Gwen) Davies' and 'Dorothy Evans ("Dot")' for the nickname."""
    quoted = rf"\((?:known\s+as\s+)?[\"“'‘]?{re.escape(nick)}[\"”'’]?\)"
    return (
        re.compile(rf"\b([A-Z][\w'’\-]+)\s*{quoted}\s+([A-Z][\w'’\-]+)"),
        re.compile(rf"\b([A-Z][\w'’\-]+)\s+([A-Z][\w'’\-]+)\s*{quoted}"),
    )


@functools.lru_cache(maxsize=1024)
def _completion_patterns(first: str) -> tuple[re.Pattern[str], ...]:
    """The patterns complete() reads a fuller form of a first name with."""
    name = re.escape(first)
    return (
        re.compile(rf"\b([A-Z][a-zà-ÿ'’\-]+)\s+{name}\b"),
        re.compile(rf"\b{name}\s*\(((?:[A-Z][\w'’\-]+\s+)+[A-Z][\w'’\-]+)\)"),
        re.compile(rf"\b{name}\s+\([^)]{{1,30}}\)\s+([A-Z][\w'’\-]+)"),
        re.compile(
            rf"\b{name}(?:[ \t]+|[ \t]*\n[ \t]*)"
            r"((?:[A-Z][a-zà-ÿ'’]+-)?[A-Z][a-zà-ÿ'’]+)\b"
            r"(?![ \t]*(?:School|"
            r"Primary|House|Road|Street|Hospital|Court|Ward|Unit|Centre|Lodge))"
        ),
    )


def _full_name_for_nickname(nick: str, text: str) -> str | None:
    """'Gwenllian (Gwen) Davies' or 'Dorothy Evans ("Dot")' for the nickname given."""
    if f"{nick})" not in text and not any(f"{nick}{q})" in text for q in _CLOSING_QUOTES):
        return None  # both patterns need the nickname just inside a closing bracket
    inner_pattern, after_pattern = _nickname_patterns(nick)
    inner = inner_pattern.search(text)
    if inner and inner.group(2).lower() not in STOP_WORDS:
        return f"{inner.group(1)} {inner.group(2)}"
    after = after_pattern.search(text)
    if after and after.group(1).lower() not in STOP_WORDS | _TITLES:
        return f"{after.group(1)} {after.group(2)}"
    return None


def complete(name: str, text: str, others: set[str] | None = None) -> str:
    """A fuller form of the name when the text gives one (never someone else's name)."""
    others = others or set()
    words = name.split()
    real = [w for w in words if w.lower().strip(".") not in _TITLES]
    if not real:
        return name
    first = real[0]
    if first not in text:
        return name  # every pattern below needs the first name in the text
    if len(real) <= 2:
        full = _full_name_for_nickname(first, text)
        if full:
            return full
    given_first, bracketed, nicknamed, surnamed = _completion_patterns(first)
    if len(real) == 1 and len(words) > len(real):
        for match in given_first.finditer(text):
            given = match.group(1)
            if given.lower() in STOP_WORDS | _TITLES or given.lower() in others:
                continue
            return f"{given} {first}"
        return name
    paren = bracketed.search(text)
    if paren and len(real) == 1:
        return paren.group(1)
    nick = nicknamed.search(text)
    if nick and len(real) == 1 and nick.group(1).lower() not in STOP_WORDS:
        return f"{first} {nick.group(1)}"
    if len(real) == 1:
        for found in surnamed.finditer(text):
            surname = found.group(1)
            if surname.lower() not in STOP_WORDS and surname.lower() not in others:
                return f"{first} {surname}"
    return name


def normalise_form_name(value: str) -> str | None:
    """A form's name value as 'First Last': 'WARDLE, Simon' -> 'Simon Wardle', no nicknames."""
    value = re.split(r"\s*[\(\[]|\s+(?:DOB|D\.O\.B|born|aged?)\b|\s{2,}|\t", value, flags=re.I)[0]
    value = value.strip(" ,.;:")
    if "," in value:
        last, _, first = value.partition(",")
        value = f"{first.strip()} {last.strip()}"
    words = [w.capitalize() if w.isupper() and len(w) > 2 else w for w in value.split()]
    if not words or len(words) > 5:
        return None
    text = " ".join(words)
    return text if people.looks_like_name(text) or len(words) <= 3 else None
