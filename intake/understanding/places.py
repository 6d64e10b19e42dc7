"""Where sessions would happen (setting), how (delivery) and for whom (individual or group).

Place words are read in sentences about sessions first ("sessions could be
in school", "visit him at home"); two different places offered as options
("at home or at school") leave the setting open. Without such a sentence,
where the client lives or stays ("lives in a nursing home", "on the ward")
decides, then the kind of employer writing.
"""

from __future__ import annotations

import re

from intake.models import Delivery, Role, SessionFormat, Setting
from intake.understanding.cues import Cues, cues, fold, starting_with
from intake.understanding.vocabulary import is_negated

_I = re.IGNORECASE
PLACE_PATTERNS: dict[str, re.Pattern[str]] = {
    "hospice_home": starting_with(r"[h]", re.compile(r"\bhospice\s+at\s+home\b", _I)),
    Setting.care_home.value: starting_with(
        r"[cdenr]",
        re.compile(
            r"\bcare\s+home\b|\bnursing\s+home\b|\bresidential\s+(?:home|care|unit)\b|\bcare\s+centre\b"
            r"|\bresidents'?\s+lounge\b|\bEMI\s+unit\b|\bdementia\s+unit\b|\bextra\s+care\b",
            _I,
        ),
    ),
    Setting.hospice.value: starting_with(
        r"[dhi]",
        re.compile(
            r"\bhospice\b(?!\s+at\s+home)|\bin[\s-]?patient\s+unit\b|\bIPU\b|\bday\s+hospice\b", _I
        ),
    ),
    Setting.neuro_rehab.value: starting_with(
        r"[inr]",
        re.compile(
            r"\bneuro[\s-]?rehab\w*|\brehab(?:ilitation)?\s+(?:unit|centre|center|ward|hospital|"
            r"facility|placement)\b|\bin\s+rehab\b",
            _I,
        ),
    ),
    Setting.hospital.value: starting_with(
        r"[acehimnoprstw]",
        re.compile(
            r"\bhospital\b|\bon\s+the\s+ward\b|\bward\s+\d+\w?\b|\b(?:the|his|her|our)\s+ward\b|\bNICU\b"
            r"|\bSCBU\b|\bneonatal\s+(?:unit|intensive\s+care)\b|\bcot[\s-]?side\b|\binpatient\b"
            r"|\bpaediatric\s+unit\b|\bspecial\s+care\s+baby\s+unit\b|\b(?:stroke|acute|medical|"
            r"surgical|elderly\s+care|respiratory|cardiac|oncology|children'?s)\s+(?:unit|ward)\b",
            _I,
        ),
    ),
    Setting.school.value: starting_with(
        r"[acinrsy]",
        re.compile(
            r"(?<!after )(?<!before )(?<!off )(?<!out of )\bschool\b"
            r"(?!\s+(?:runs?|day|holidays?|hours|"
            r"office|nurse|counsellor|report|uniform|trips?|friends?|work|bus))|\bacademy\b|\bin\s+class\b|\bclassroom\b|\bASC\s+base\b|\bsensory\s+room\b"
            r"|\bcollege\b|\bnursery\b|\bysgol\b|\bresource\s+base\b",
            _I,
        ),
    ),
    Setting.home.value: starting_with(
        r"[acfhilmopstv]|^",
        re.compile(
            r"\bat\s+home\b|\b(?:his|her|their|the\s+family|my|our)\s+(?:own\s+|foster\s+|family\s+)?"
            r"(?:home|house|flat|"
            r"bungalow)\b|\bhome\s+visits?\b|\bsupported\s+living\b|\bhousebound\b|\bcome\s+to\s+(?:the"
            r"\s+house|us\b|our\s+house)|\bvisit\s+(?:him|her|them|us)\s+at\s+home\b|\bhome[\s-]based\b"
            r"|\bat\s+(?:his|her|their)\s+(?:mum|dad|parents)'?s\b|\bfamily\s+home\b|\bin\s+the\s+home\b"
            r"|\b(?:at|to)\s+ours\b|\bown\s+home\b|\bclient'?s\s+(?:own\s+)?home\b|\bhome\s+address\b"
            r"|\bcome\s+to\s+(?:the\s+)?(?:house|flat|home)\b"
            r"|^\s*(?:preferred\s+)?(?:setting|location|venue)\s*[:\-–]?\s+(?:own\s+|the\s+)?home\b",
            _I,
        ),
    ),
    "come_to_us": starting_with(
        r"[cv]",
        re.compile(
            r"\bcome\s+(?:out\s+|over\s+|round\s+|down\s+|up\s+)?(?:to|and\s+see)\s+(?:me|us)\b"
            r"|\bvisit\s+(?:me|us)\b",
            _I,
        ),
    ),
    "other": starting_with(
        r"[acdmopsvy]",
        re.compile(
            r"\b(?:church|parish|village|scout|sports)\s+hall\b|\bvillage\s+hall\b|\bcommunity\s+(?:centre|center|hall)\b|\bour\s+(?:base|"
            r"premises|centre|offices?|clinic|hall|hub)\b|\byour\s+(?:studio|premises|room|practice|"
            r"clinic|base)\b|\bday\s+centre\b|\bat\s+the\s+hub\b|\bmeeting\s+room\b",
            _I,
        ),
    ),
}
# Every match of a place pattern contains one of its cue words (see cues.py).
PLACE_CUES: dict[str, Cues] = {
    "hospice_home": cues("hospice"),
    Setting.care_home.value: cues("care nursing resident unit"),
    Setting.hospice.value: cues("hospice patient ipu"),
    Setting.neuro_rehab.value: cues("rehab"),
    Setting.hospital.value: cues("hospital ward nicu scbu neonatal cot inpatient unit"),
    Setting.school.value: cues("school academy class base sensory college nursery ysgol"),
    Setting.home.value: cues("home house flat bungalow supported come mum dad parents ours"),
    "come_to_us": cues("come visit"),
    "other": cues("hall community base premises centre office clinic hub studio room practice"),
}
_SESSION_CUE = starting_with(
    r"[abcdfghilmnostvw]",
    re.compile(
        r"(?i)\bsessions?\b|\btherapy\b|\bcome\s+into\b|\bsee\s+(?:him|her|them|the|this|our|my|mr|mrs|ms|miss|mx|dr)\b"
        r"|\b(?:could|can|would)\s+you\s+(?:see|visit|work\s+with)\b|\bvisit|\bcome\s+(?:to|in|out)\b"
        r"|\btake\s+place\b|\bheld\b|\ba\s+(?:quiet\s+)?room\b|\bspace\b|\bcould\s+(?:be|happen|work)\b"
        r"|\bwould\s+(?:be|happen|suit|work)\b|\bwork\s+(?:with|best)\b|\bmeet\b|\bdeliver|\boffer"
        r"|\bin[\s-]person\b|\bface[\s-]to[\s-]face\b|\bwhere\b|\blocation\b|\bvenue\b|\bbest\b"
        r"|\bneeds?\s+to\s+be\b|\bsetting\b|\b(?:has|have)\s+to\s+be\b|\ba\s+(?:\w+\s+)?room\b|\bgroups?\b"
    ),
)
_ONLINE = starting_with(
    r"[bfgorstuvwz]",
    re.compile(
        r"(?i)\bonline\b|\bzoom\b|\b(?:on|via|over|using|by)\s+(?:microsoft\s+|ms\s+)?teams\b"
        r"|\bteams\s+(?:call|session|meeting|link)s?\b|\bvideo\s*(?:call|link|session)?s?\b|\bremote(?:ly)?"
        r"\b|\bvirtual(?:ly)?\b(?!\s+school)|\bskype\b|\bfacetime\b|\bgoogle\s+meet\b|\bwhatsapp\s+video\b"
    ),
)
_ONLINE_CUES = cues("online zoom teams video remote virtual skype facetime google whatsapp")
_IN_PERSON = starting_with(
    r"[bcfhitv]",
    re.compile(
        r"(?i)\bin[\s-]person\b|\bface[\s-]to[\s-]face\b|\bhome\s+visits?\b|\bvisit\s+(?:him|her|them|us)"
        r"\b|\bcome\s+(?:out\s+|over\s+|round\s+)?to\s+(?:the|his|her|their|our|us)\b|\btravel\s+to\s+(?:him|her|them|us|the)\b"
        r"|\bbring\s+(?:him|her|them)\s+(?:to\s+(?:you|your)|along)\b|\b(?:come|travel)\s+to\s+(?:you\b|your\s+"
        r"(?:studio|room|practice|premises|clinic|base))|\bcome\s+into\s+(?:school|the\s+(?:home|unit|"
        r"ward|hospice|school))\b"
    ),
)
_IN_PERSON_CUES = cues("person face visit come travel bring")
_INDIVIDUAL = starting_with(
    r"[1\[fiost]|^",
    re.compile(
        r"(?im)\bindividual(?:ly)?\s+(?:music\s+(?:therapy\s+)?)?(?:sessions?|therapy|work|basis|support|"
        r"input|slots?|referral|place|music)\b|\bone[\s-]to[\s-]one\b|\bone[\s-]on[\s-]one\b|\b1[:\-]1\b"
        r"|\b1\s+to\s+1\b|^\s*individual\s*$|\bindividual\s+(?:rather|if|please)\b|\bon\s+(?:his|her|"
        r"their)\s+own\b(?=[^.]{0,40}(?:session|group|please|rather))|\bindividual\b(?=\s*[,.)])"
        r"|^\s*(?:session\s+)?(?:format|type)\s*:?\s+(?:\[\s*[xX✓✔]\s*\]\s*)?individual\b"
        r"|\[\s*[xX✓✔]\s*\]\s*individual\b"
    ),
)
_INDIVIDUAL_CUES = cues("individual one 1 own")
_GROUP = starting_with(
    r"[\[abcfgjmostw]|^",
    re.compile(
        r"(?im)\bgroup\s+(?:music\s+)?(?:sessions?|therapy|work|setting|basis|music|programme)\b"
        r"|\b(?:small|weekly|music(?:\s+therapy)?|therapy|a|the|our|bereavement|sibling)\s+group\b"
        r"(?!\s+of\s+(?:friends|people\s+who))|\bas\s+a\s+group\b|\bwhole[\s-]class\b|\bclass\s+group\b"
        r"|^\s*group\s*$|\bgroups?\s+for\s+(?:our|the|a)\b|\bfor\s+(?:our|the|a\s+few|several|some\s+of"
        r"\s+our)\s+residents\b|\bjoin\s+(?:the|a|our)\s+(?:\w+\s+)?group\b|\bgroup\s+of\s+(?:\w+\s+)?"
        r"(?:residents|pupils|children|patients|young\s+people|adults|students|members|siblings)"
        r"|^\s*(?:session\s+)?(?:format|type)\s*:?\s+(?:\[\s*[xX✓✔]\s*\]\s*)?group\b"
        r"|\[\s*[xX✓✔]\s*\]\s*group\b|\bgroups?\b(?=[^.]{0,30}\b(?:join|attend)\b)"
        r"|\bjoin\s+(?:a|the|your|any|one\s+of\s+your)\s+(?:\w+\s+)?groups?\b"
    ),
)
_GROUP_CUES = cues("group class resident")
_REQUEST = re.compile(
    r"(?i)\b(?:could\s+you|would\s+you|would\s+(?:like|love|prefer|be\s+best)|we'?d\s+like|I'?d\s+"
    r"like|please|asking\s+for|looking\s+for|request\w*|hoping|ideally|prefer\w*|thinking)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_OR_BETWEEN = re.compile(r"(?i)\b(?:or|either|/|whichever)\b")


_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_LINE_STARTS_ITEM = re.compile(
    r"^\s*(?:[-•*>]|\d+[.)]|[A-Z][\w '’/()&-]{0,40}[:?]\s|[A-Z][\w'’/()&-]*(?: [\w'’/()&-]+){0,4}"
    r"(?:\s{2,}|\t)\S)"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'‘(])")


def sentences(text: str) -> list[str]:
    """Sentences of text, re-joining lines that hard-wrapped mail clients broke."""
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        lines = [ln.strip() for ln in paragraph.split("\n") if ln.strip()]
        units: list[str] = []
        for line in lines:
            if units and not _LINE_STARTS_ITEM.match(line) and not units[-1].endswith((":", "?")):
                units[-1] = f"{units[-1]} {line}"
            else:
                units.append(line)
        for unit in units:
            out += [s.strip() for s in _SENTENCE_END.split(unit) if s.strip()]
    return out


def _places_in(sentence: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    folded = fold(sentence)
    for place, pattern in PLACE_PATTERNS.items():
        if not PLACE_CUES[place].maybe_in(sentence, folded):
            continue
        for match in pattern.finditer(sentence):
            if any(a <= match.start() < b for a, b in taken):
                continue
            if is_negated(sentence, match.start(), match.end()):
                continue
            taken.append((match.start(), match.end()))
            found.append((match.start(), "home" if place == "hospice_home" else place))
    found.sort()
    return found


_RESIDENCE = re.compile(
    r"(?i)\b(?:lives?|lived|living|resident|moved\s+(?:in|into)|inpatient|in-patient|admitted|"
    r"staying|stays|currently\s+(?:in|at|on)|is\s+(?:in|at|on)\s+(?:a|the|our)|on\s+(?:the\s+)?"
    r"(?:ward|unit)|\bday\s+patient\b|\bpatient\s+(?:at|in|on)\b|(?:she|he|they|mum|dad)(?:'s|’s|'re|’re|\s+is|\s+are)\s+(?:now\s+)?(?:in|at)\s+"
    r"(?!school\b)[A-Z]?\w+|"
    r"(?:ward|unit)|in\s+(?:the\s+)?hospital|housebound|bed-?bound|with\s+us\s+(?:at|on|in))\b"
    r"|^\s*(?:ward|location|current\s+location|address|setting|venue|place|lives)\b"
)
_SPECIFIC_OVER_HOSPITAL = {"neuro_rehab", "hospice"}


def _resolve_us(place: str, role: Role | None, organisation: str | None) -> str | None:
    """'come to us' is the family home, or the writer's own workplace for staff."""
    if place != "come_to_us":
        return place
    if role in (None, Role.parent, Role.carer, Role.self):
        return "home"
    employer = _setting_from_employer(role, organisation)
    return employer.value if employer else None


def find_setting(
    text: str, role: Role | None, organisation: str | None, online_only: bool
) -> tuple[Setting | None, str, bool]:
    """(setting, snippet, a place was asked for); options like "home or school" give None."""
    session_places: list[tuple[str, str, bool]] = []
    other_places: list[tuple[str, str]] = []
    previous = ""
    for sentence in sentences(text):
        asked_before = previous.endswith("?") and bool(_SESSION_CUE.search(previous))
        previous = sentence
        places = _places_in(sentence)
        if not places or (online_only and _ONLINE.search(sentence)):
            continue
        names = [n for _, p in places if (n := _resolve_us(p, role, organisation))]
        if not names:
            continue
        if "hospital" in names and _SPECIFIC_OVER_HOSPITAL & set(names):
            names = [n for n in names if n != "hospital"]
        if role == Role.care_home_staff:
            names = [
                "care_home" if n == "home" and "our home" in sentence.lower() else n for n in names
            ]
        if _SESSION_CUE.search(sentence) or asked_before:
            ambiguous = len(set(names)) > 1 and bool(_OR_BETWEEN.search(sentence))
            session_places.append((names[0], sentence, ambiguous))
            for extra in names[1:]:
                session_places.append((extra, sentence, ambiguous))
        elif _RESIDENCE.search(sentence):
            other_places.extend((n, sentence) for n in names)
    if session_places:
        if any(amb for _, _, amb in session_places):
            return None, next(s for _, s, amb in session_places if amb), True
        places_asked = {p for p, _, _ in session_places}
        chosen = session_places[-1] if len(places_asked) > 1 else session_places[0]
        strong = [sp for sp in session_places if re.search(r"(?i)\bsessions?\b", sp[1])]
        if len(places_asked) > 1 and strong:
            chosen = strong[0]
        if chosen[0] == "other":
            return None, chosen[1], True
        employer = _setting_from_employer(role, organisation)
        if chosen[0] == "hospital" and employer in (Setting.neuro_rehab, Setting.hospice):
            return employer, chosen[1], True
        return Setting(chosen[0]), chosen[1], True
    if online_only:
        return None, "", False
    if other_places:
        distinct = [p for p, _ in other_places if p != "other"]
        if distinct:
            employer = _setting_from_employer(role, organisation)
            if distinct[0] == "hospital" and employer in (Setting.neuro_rehab, Setting.hospice):
                return employer, other_places[0][1], False
            return Setting(distinct[0]), other_places[0][1], False
    return _setting_from_employer(role, organisation), organisation or "", False


def _setting_from_employer(role: Role | None, organisation: str | None) -> Setting | None:
    org = (organisation or "").lower()
    if role == Role.care_home_staff or re.search(r"care home|nursing home|residential", org):
        return Setting.care_home
    if re.search(r"hospice", org):
        return Setting.hospice
    if re.search(r"neuro\w*\s*rehab|rehabilitation", org):
        return Setting.neuro_rehab
    if role == Role.teacher or re.search(r"school|academy|ysgol", org):
        return Setting.school
    return None


def _unnegated(pattern: re.Pattern[str], found: Cues, text: str) -> list[re.Match[str]]:
    """Matches of pattern not denied; text without its cue words is not scanned."""
    if not found.maybe_in(text, fold(text)):
        return []
    return [m for m in pattern.finditer(text) if not is_negated(text, m.start(), m.end())]


_MUST_ONLINE = starting_with(
    r"[hnow]",
    re.compile(
        r"(?i)\b(?:(?:has|have|need|needs|would\s+have)\s+to\s+be|only)\s+(?:done\s+)?online\b"
        r"|\bonline\s+only\b|\bonline\s+(?:is|would\s+be)\s+the\s+only\b"
    ),
)
_PREFERENCE = re.compile(r"(?i)\b(?:instead|rather|prefer\w*|would\s+need|has\s+to|have\s+to)\b")


def find_delivery(text: str) -> tuple[Delivery | None, str, bool]:
    """(delivery, snippet, both offered) from explicit online / in-person wording."""
    must = _MUST_ONLINE.search(text)
    if must and not is_negated(text, must.start(), must.end()):
        return Delivery.online, must.group(0), False
    online = [
        m
        for m in _unnegated(_ONLINE, _ONLINE_CUES, text)
        if not re.search(r"(?i)\bonly\s+(?:\w+\s+){0,2}$", text[max(0, m.start() - 30) : m.start()])
    ]
    in_person = _unnegated(_IN_PERSON, _IN_PERSON_CUES, text)
    if online and in_person:
        online_pref = [m for m in online if _PREFERENCE.search(_sentence_at(text, m.start()))]
        person_pref = [m for m in in_person if _PREFERENCE.search(_sentence_at(text, m.start()))]
        if person_pref and not online_pref:
            return Delivery.in_person, person_pref[0].group(0), False
        if online_pref and not person_pref:
            return Delivery.online, online_pref[0].group(0), False
        return None, online[0].group(0), True
    if online:
        return Delivery.online, online[0].group(0), False
    if in_person:
        return Delivery.in_person, in_person[0].group(0), False
    return None, "", False


def _sentence_at(text: str, position: int) -> str:
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position)) + 1
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def find_format(text: str) -> tuple[SessionFormat | None, str]:
    """individual or group when the text asks for one (and not both)."""
    text = re.sub(r"\[\s\]\s*\w+", " ", text)
    individual = _unnegated(_INDIVIDUAL, _INDIVIDUAL_CUES, text)
    group = _unnegated(_GROUP, _GROUP_CUES, text)
    if individual and group:
        individual_asked = [m for m in individual if _REQUEST.search(_sentence_at(text, m.start()))]
        group_asked = [m for m in group if _REQUEST.search(_sentence_at(text, m.start()))]
        if individual_asked and not group_asked:
            return SessionFormat.individual, individual_asked[0].group(0)
        if group_asked and not individual_asked:
            return SessionFormat.group, group_asked[0].group(0)
        return None, ""
    if individual:
        return SessionFormat.individual, individual[0].group(0)
    if group:
        return SessionFormat.group, group[0].group(0)
    return None, ""
