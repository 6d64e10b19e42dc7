"""From a MessageView to a Record: who refers whom, for what, where, and with whose consent.

The text is read in layers, each tagged with its Source for evidence: the
sender's new text (minus signature), the signature, attachments, forwarded
parts, then quoted history not written by the practice itself. The referrer
comes only from the new text, signature and headers; the client may be
described anywhere except the practice's own quoted replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from intake.models import (
    Client,
    Delivery,
    Evidence,
    Kind,
    Need,
    Record,
    Referrer,
    Role,
    SessionFormat,
    Setting,
    Source,
)
from intake.reading.message import MessageView
from intake.reading.quoting import Segment, split_quoted
from intake.reading.signature import SignedText, split_signature
from intake.understanding import people, places
from intake.understanding.classify import classify_human, classify_robot
from intake.understanding.consent import find_consent
from intake.understanding.dates import age_at, find_age, find_dob
from intake.understanding.forms import FormFields, read_form, without_form_noise
from intake.understanding.missing import find_missing
from intake.understanding.phones import PhoneHit, find_phones
from intake.understanding.safeguarding import find_flags
from intake.understanding.vocabulary import NEED_PATTERNS, is_negated

_SALUTATION = re.compile(
    r"(?im)^\s*(?:dear|hi|hello|hiya|hey|good\s+(?:morning|afternoon|evening)|morning|afternoon"
    r"|to\s+whom\s+it\s+may\s+concern|bore\s+da|shwmae|helo|annwyl)\b[^\n]{0,60}$"
)


@dataclass(frozen=True)
class Layer:
    """A piece of text and where it came from."""

    source: Source
    text: str


@dataclass
class Reading:
    """The message cut into layers, ready for field rules."""

    view: MessageView
    new_body: str
    signed: SignedText
    layers: list[Layer]
    form: FormFields
    today: date | None
    evidence: list[Evidence] = field(default_factory=list)

    def text_of(self, *sources: Source) -> str:
        """All layer text from the given sources, in layer order."""
        return "\n\n".join(layer.text for layer in self.layers if layer.source in sources)

    def note(self, name: str, source: Source, text: str) -> None:
        """Record evidence for one field."""
        self.evidence.append(Evidence(field=name, source=source, text=" ".join(text.split())[:240]))


def _practice_segment(segment: Segment, practice: set[str]) -> bool:
    return bool(segment.author_addr and segment.author_addr in practice)


def build_reading(view: MessageView) -> Reading:
    """Split the message into new text, signature, attachments, forwards and quotes."""
    segments = split_quoted(view.body, view.envelope.subject)
    new_text = segments[0].text if segments else ""
    signed = split_signature(new_text)
    body = _SALUTATION.sub("", signed.body).strip()
    practice = set(view.envelope.to)
    layers = [Layer(Source.new_text, without_form_noise(body))]
    layers += [Layer(Source.attachment, without_form_noise(a.text)) for a in view.attachments]
    for segment in segments[1:]:
        if _practice_segment(segment, practice):
            continue
        source = Source.forwarded if segment.kind == "forwarded" else Source.quoted
        layers.append(Layer(source, segment.text))
    layers += [Layer(Source.forwarded, f.text) for f in view.forwarded]
    form = read_form(body + "\n" + "\n".join(a.text for a in view.attachments))
    today = view.envelope.date.date() if view.envelope.date else None
    return Reading(view, body, signed, layers, form, today)


# ------------------------------------------------------------------ needs


def find_needs(reading: Reading, client_age: int | None) -> tuple[Need, ...]:
    """Needs named in new text, attachments and forwards; quoted history only as a fallback."""
    primary = (Source.new_text, Source.attachment, Source.forwarded)
    needs = _needs_in(reading, primary)
    if not needs:
        needs = _needs_in(reading, (Source.quoted,))
    subject_needs = _needs_in_text(reading.view.envelope.subject)
    needs.update({n: (Source.subject, s) for n, s in subject_needs.items() if n not in needs})
    if Need.neonatal in needs and client_age is not None and client_age >= 1:
        del needs[Need.neonatal]
    if Need.pmld in needs and client_age is not None and client_age >= 18:
        del needs[Need.pmld]
        needs.setdefault(Need.learning_disability, (Source.derived, "adult with PMLD"))
    for need, (source, snippet) in needs.items():
        reading.note(f"needs.{need.value}", source, snippet)
    return tuple(sorted(needs, key=lambda n: n.value))


def _needs_in(reading: Reading, sources: tuple[Source, ...]) -> dict[Need, tuple[Source, str]]:
    found: dict[Need, tuple[Source, str]] = {}
    for layer in reading.layers:
        if layer.source not in sources:
            continue
        for need, snippet in _needs_in_text(layer.text).items():
            found.setdefault(need, (layer.source, snippet))
    return found


_PMLD_CONTEXT = re.compile(r"(?i)profound\s+(?:and|&)\s+multiple\s+$|profound\s+$")


def _needs_in_text(text: str) -> dict[Need, str]:
    found: dict[Need, str] = {}
    for need, patterns in NEED_PATTERNS.items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                if is_negated(text, match.start(), match.end()):
                    continue
                if need == Need.learning_disability and _PMLD_CONTEXT.search(
                    text[max(0, match.start() - 30) : match.start()]
                ):
                    continue
                found[need] = _around(text, match.start(), match.end())
                break
            if need in found:
                break
    return found


def _around(text: str, start: int, end: int, width: int = 60) -> str:
    return text[max(0, start - width) : min(len(text), end + width)].replace("\n", " ").strip()


# ------------------------------------------------------------------ referrer


def _signature_lines(reading: Reading) -> list[str]:
    return [ln.strip() for ln in reading.signed.signature.split("\n") if ln.strip()][:12]


def find_referrer_name(reading: Reading) -> tuple[str | None, int]:
    """The sender's name and the index of its signature line (-1 when not from the signature)."""
    env = reading.view.envelope
    display = people.name_from_display(env.from_name)
    lines = _signature_lines(reading)
    sig_name, sig_index = None, -1
    for index, line in enumerate(lines[:4]):
        name = people.clean_name(line)
        if name:
            sig_name, sig_index = name, index
            break
    if sig_name:
        first = _plain(sig_name).split()[0]
        for index, line in enumerate(lines[sig_index + 1 : sig_index + 4], start=sig_index + 1):
            fuller = people.clean_name(line)
            if fuller and first in _plain(fuller).split() and len(fuller) > len(sig_name):
                sig_name, sig_index = fuller, index
                break
        if len(_plain(sig_name).split()) == 1 and display:
            tokens = _plain(display).split()
            if first == tokens[0]:
                sig_name = display
            elif first == tokens[-1] and len(tokens) == 2:
                sig_name = f"{display.split()[-1]} {display.split()[0]}"
        reading.note("referrer.name", Source.signature, lines[sig_index])
        return sig_name, sig_index
    if reading.form.referrer_name and people.looks_like_name(reading.form.referrer_name):
        reading.note("referrer.name", Source.new_text, reading.form.referrer_name)
        return _from_form_name(reading.form.referrer_name), -1
    if display:
        reading.note("referrer.name", Source.header, env.from_name or "")
        return display, -1
    return None, -1


def _from_form_name(value: str) -> str:
    value = re.split(r"\s*\(", value)[0].strip()
    if "," in value:
        last, _, first = value.partition(",")
        value = f"{first.strip()} {last.strip()}"
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in value.split())


def _plain(name: str) -> str:
    words = [w.strip(".,").lower() for w in name.split()]
    titles = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "revd", "professor"}
    return " ".join(w for w in words if w not in titles) or name.lower()


_PARENT = re.compile(
    r"(?i)\b(?:my|our)\s+(?:\d+[\s-]year[\s-]old\s+|eldest\s+|youngest\s+|little\s+|adopted\s+|"
    r"twin\s+|step)?(?:son|daughter|child|children|boy|girl|baby|twins|little\s+one|kids?|"
    r"stepson|stepdaughter)\b|\bI'?m\s+(?:his|her|their)\s+(?:mum|mam|mother|dad|father|parent)"
    r"|\bI\s+am\s+(?:his|her|their)\s+(?:mum|mam|mother|dad|father|parent)|\bas\s+(?:his|her|"
    r"their)\s+(?:mum|mam|mother|dad|father|parents?)\b|\b(?:his|her)\s+(?:mum|mam|dad)\s+and\s+I\b"
    r"|\bme\s+and\s+(?:his|her)\s+(?:mum|mam|dad)\b|\badoptive\s+(?:mum|dad|parent|mother|father)"
    r"\b(?=[^.]{0,20}\bI\b)|\bwe\s+adopted\b|\bparental\s+responsibility\b"
)
_SELF = re.compile(
    r"(?i)\brefer(?:ring)?\s+myself\b|\bself[\s-]referr?al\b|\bfor\s+myself\b|\bI\s+(?:have\s+been|"
    r"was|'ve\s+been|got)\s+diagnosed\b|\bI'?ve\s+been\s+diagnosed\b|\bI\s+lost\s+my\b|\bsince\s+my"
    r"\s+(?:husband|wife|partner|son|daughter|mum|dad)\s+(?:died|passed)|\bmy\s+(?:husband|wife|"
    r"partner)\s+(?:died|passed\s+away)|\bI\s+(?:have|'ve)\s+(?:had\s+)?(?:MS|multiple\s+sclerosis|"
    r"parkinson|depression|anxiety|PTSD|dementia)\b|\bI'?m\s+(?:autistic|struggling|a\s+widow)"
    r"|\bmusic\s+therapy\s+for\s+(?:me|myself)\b|\bI\s+would\s+like\s+(?:to\s+(?:try|have|start)\s+)?"
    r"music\s+therapy\b|\bI'?d\s+like\s+to\s+(?:try|have|start)\s+music\s+therapy\b|\bmyself\b"
)
_CARER = re.compile(
    r"(?i)\b(?:my|our)\s+(?:mum|mam|mother|mom|dad|father|husband|wife|partner|grandson|granddaughter"
    r"|gran|nan|nana|grandma|grandad|grandpa|grandmother|grandfather|brother|sister|aunt|auntie|"
    r"uncle|nephew|niece|mother-in-law|father-in-law|foster\s+(?:son|daughter|child)|ward|"
    r"grandchild|grandchildren)\b|\bspecial\s+guardian|\bkinship\s+carer\b|\bfoster\s+carer\b"
    r"|\bI\s+am\s+(?:his|her|their)\s+(?:main\s+)?carer\b|\bI'?m\s+(?:his|her|their)\s+(?:main\s+)?carer"
)
_I_AM = re.compile(
    r"(?i)\b(?:I\s+am|I'?m|I\s+work\s+as|I\s+work\s+(?:in|at|for)|as\s+(?:his|her|their|the|a|an))"
    r"\s+([^.\n]{0,90})"
)


def find_role(reading: Reading, name_index: int) -> tuple[Role | None, str, Source]:
    """The referrer's role: a form answer, a job title, an 'I am ...' clause, or a relationship."""
    if reading.form.who_for and re.search(r"(?i)\b(?:myself|me|self|yes)\b", reading.form.who_for):
        return Role.self, reading.form.who_for, Source.new_text
    lines = _signature_lines(reading)
    title_lines = [ln for i, ln in enumerate(lines) if i != name_index]
    if name_index >= 0 and name_index < len(lines):
        rest = re.sub(r"^[^,|–-]*(?:,|\||–|-)", "", lines[name_index], count=1)
        if rest != lines[name_index]:
            title_lines.insert(0, rest)
    if reading.form.role:
        title_lines.insert(0, reading.form.role)
    found = people.role_from_title(title_lines)
    if found:
        return found[0], found[1], Source.signature
    body = reading.new_body
    for match in _I_AM.finditer(body):
        role = people.role_from_title([match.group(1)])
        if role and not re.match(
            r"(?i)(?:writing|contacting|emailing|hoping|looking)", match.group(1)
        ):
            return role[0], match.group(0), Source.new_text
    for pattern, role in ((_PARENT, Role.parent), (_SELF, Role.self), (_CARER, Role.carer)):
        match = pattern.search(body)
        if match:
            if (
                role == Role.self
                and _CARER.search(body)
                and not re.search(
                    r"(?i)refer(?:ring)?\s+myself|self[\s-]referr?al|for\s+myself", body
                )
            ):
                carer = _CARER.search(body)
                if carer and not re.search(r"(?i)died|passed|lost|death|widow", body):
                    return Role.carer, carer.group(0), Source.new_text
            return role, match.group(0), Source.new_text
    return None, "", Source.derived


def find_organisation(reading: Reading, role: Role | None, name_index: int) -> str | None:
    """The referrer's employer from signature, form labels or display name (family: none)."""
    lines = [ln for i, ln in enumerate(_signature_lines(reading)) if i != name_index]
    if 0 <= name_index < len(_signature_lines(reading)):
        rest = re.sub(r"^[^,|–]*(?:,|\||–)", "", _signature_lines(reading)[name_index], count=1)
        if rest != _signature_lines(reading)[name_index]:
            lines.insert(0, rest)
    candidates = people.organisation_candidates(lines)
    for label, value in reading.form.pairs:
        if people.ORG_LABEL.search(label):
            rank = people.org_rank(value) or 2
            candidates.append((rank, -1, value.strip()))
    display_org = people.org_from_display(reading.view.envelope.from_name)
    if display_org:
        candidates.append((people.org_rank(display_org), 50, display_org))
    if not candidates:
        candidates = _orgs_in_body(reading.new_body)
    candidates = [c for c in candidates if not re.search(r"(?i)inner\s*pulse", c[2])]
    chosen = people.choose_organisation(candidates)
    if chosen is None:
        return None
    if role in (Role.parent, Role.self) or (role == Role.carer and not _works_for(reading, chosen)):
        return None
    reading.note("referrer.organisation", Source.signature, chosen)
    return chosen


def _works_for(reading: Reading, organisation: str) -> bool:
    return organisation in reading.signed.signature or bool(reading.form.organisation)


_WORK_AT = re.compile(
    r"(?:I\s+am|I'm|I\s+work|we\s+are|here\s+at|writing\s+from)[^.\n]{0,60}?\b(?:at|from|with|for|in)"
    r"\s+((?:the\s+)?[A-Z][\w'’&\-]+(?:\s+(?:[A-Z][\w'’&\-]+|of|and|for|&|on|the|upon)){0,6})"
)


def _orgs_in_body(body: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for order, match in enumerate(_WORK_AT.finditer(body)):
        value = match.group(1).strip()
        rank = people.org_rank(value)
        if rank > 0:
            found.append((rank, order, value))
    return found


def find_phone(reading: Reading, role: Role | None) -> str | None:
    """The referrer's own number: signature or form first, then 'call me on' in the new text."""
    sig_text = reading.signed.signature
    hits: list[PhoneHit] = find_phones(sig_text, base_score=10)
    if reading.form.phone:
        hits += find_phones("Phone: " + reading.form.phone, base_score=12)
    body_hits = find_phones(reading.new_body, base_score=0)
    hits += [h for h in body_hits if h.score >= 3 or role in (Role.parent, Role.carer, Role.self)]
    quoted_practice = reading.view.body[len(reading.new_body) :]
    practice_numbers = {
        h.e164 for h in find_phones(quoted_practice) if re.search(r"(?i)inner\s*pulse", h.line)
    }
    hits = [h for h in hits if h.e164 not in practice_numbers]
    if not hits:
        return None
    best = max(hits, key=lambda h: h.score)
    reading.note(
        "referrer.phone", Source.signature if best.score >= 10 else Source.new_text, best.line
    )
    return best.e164


# ------------------------------------------------------------------ client

_NAME = people.NAME
_STOP_FIRST = {
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
    "he's",
    "she's",
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
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "baby",
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
    "hers",
    "them",
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
    "grace",
}
_CLIENT_CUES = [
    re.compile(
        rf"(?i:\b(?:refer|referring|referral\s+(?:for|of|regarding|re)|music\s+therapy\s+for|"
        rf"consider|see|support))\s+(?i:(?:my|our|his|her)\s+(?:\w+\s+){{0,2}}(?:son|daughter|"
        rf"mum|mam|mother|dad|father|husband|wife|partner|grandson|granddaughter|gran|nan|grandad|"
        rf"client|patient|pupil|resident|brother|sister),?\s+)?(?P<name>{_NAME})"
    ),
    re.compile(
        rf"(?i:\b(?:son|daughter|mum|mam|mother|dad|father|husband|wife|partner|grandson|"
        rf"granddaughter|nan|gran|grandad|grandma|client|patient|pupil|resident|boy|girl|baby|"
        rf"gentleman|lady|man|woman|person|brother|sister|student|child|twin|grandmother|"
        rf"grandfather|tenant|service\s+user|young\s+person)(?:'s\s+name\s+is|\s+is\s+called|"
        rf"\s+called|\s+named|,|\s+is|\s+-|\s+–)?)\s+(?P<name>{_NAME})"
    ),
    re.compile(rf"(?P<name>{_NAME})\s*(?:\(|,\s*)(?i:d\.?\s?o\.?\s?b|born|aged?\s+\d|\d{{1,2}}\b)"),
    re.compile(rf"(?P<name>{_NAME})\s+(?i:is\s+(?:a|an|now)?\s*\d{{1,3}}\b|is\s+(?:a|an)\s+\w+)"),
    re.compile(rf"(?im:^\s*re\s*:\s*)(?P<name>{_NAME})"),
    re.compile(rf"(?i:\b(?:about|regarding|for)\s+)(?P<name>{_NAME})(?=\s*[,.(]|\s+who\b)"),
]


def _valid_client_name(name: str, referrer: str | None) -> str | None:
    name = re.sub(r"(?:'s|’s)$", "", name.strip())
    words = name.split()
    while words and words[-1].lower().strip(".") in _STOP_FIRST:
        words.pop()
    while words and words[0].lower().strip(".") in {"mr", "mrs", "ms", "miss", "dr", "baby"}:
        if len(words) == 1:
            break
        if words[0].lower().strip(".") == "baby":
            words.pop(0)
            continue
        break
    if not words:
        return None
    real = [w for w in words if w.lower().strip(".") not in {"mr", "mrs", "ms", "miss", "dr"}]
    if not real or real[0].lower().strip(".,") in _STOP_FIRST or len(real[0].strip(".")) < 2:
        return None
    if len(words) > 4:
        words = words[:4]
    cleaned = " ".join(words).strip(" ,.")
    if referrer and _plain(cleaned) == _plain(referrer):
        return None
    return cleaned


def _extend_name(name: str, text: str) -> str:
    """A first name alone becomes 'First Surname' when the text spells it out elsewhere."""
    if len(name.split()) != 1:
        return name
    match = re.search(
        rf"\b{re.escape(name)}\s+((?:[A-Z][a-zà-ÿ'’]+-)?[A-Z][a-zà-ÿ'’]+)\b(?!\s*(?:School|Primary|"
        r"House|Road|Street|Hospital|Court))",
        text,
    )
    if match and match.group(1).lower() not in _STOP_FIRST:
        return f"{name} {match.group(1)}"
    return name


def find_client_name(reading: Reading, referrer_name: str | None) -> tuple[str | None, Source]:
    """The referred person's name from form labels, subject, 'Re:' lines or phrases about them."""
    if reading.form.client_name:
        name = _from_form_name(reading.form.client_name)
        reading.note("client.name", Source.new_text, reading.form.client_name)
        return name, Source.new_text
    subject = re.sub(r"(?i)^(?:\s*(?:re|fw|fwd|aw)\s*:\s*)+", "", reading.view.envelope.subject)
    subject = re.sub(
        r"(?i)\b(?:referral|music\s+therapy|official[-\s]sensitive|urgent)\b", " ", subject
    )
    all_text = reading.text_of(Source.new_text, Source.attachment, Source.forwarded, Source.quoted)
    for layer in reading.layers:
        for pattern in _CLIENT_CUES:
            for match in pattern.finditer(layer.text):
                name = _valid_client_name(match.group("name"), referrer_name)
                if name:
                    reading.note("client.name", layer.source, _around(layer.text, *match.span()))
                    return _extend_name(name, all_text), layer.source
    for pattern in (re.compile(rf"(?P<name>{_NAME})\s*(?:[,(\-–]|$)\s*(?i:d\.?o\.?b|born|\d)"),):
        match = pattern.search(subject)
        if match:
            name = _valid_client_name(match.group("name"), referrer_name)
            if name:
                reading.note("client.name", Source.subject, reading.view.envelope.subject)
                return _extend_name(name, all_text), Source.subject
    return None, Source.derived


def find_dob_and_age(reading: Reading, self_referral: bool) -> tuple[date | None, int | None]:
    """Date of birth and whole-year age at the Date header, from the nearest layer saying so."""
    today = reading.today
    subject = reading.view.envelope.subject
    for source, text in [(Source.subject, subject)] + [
        (ly.source, ly.text) for ly in reading.layers
    ]:
        found = find_dob(text, today)
        if found:
            dob, snippet = found
            reading.note("client.date_of_birth", source, snippet)
            if today:
                return dob, age_at(dob, today)
            return dob, None
    if reading.form.client_age:
        match = re.search(r"\d{1,3}", reading.form.client_age)
        if match:
            reading.note("client.age", Source.new_text, reading.form.client_age)
            return None, int(match.group(0))
    for layer in reading.layers:
        found_age = find_age(layer.text)
        if found_age:
            reading.note("client.age", layer.source, found_age[1])
            return None, found_age[0]
    return None, None


# ------------------------------------------------------------------ record


def _free_text(reading: Reading, label: str, pattern: re.Pattern[str]) -> str | None:
    for layer in reading.layers:
        for sentence in places.sentences(layer.text):
            if pattern.search(sentence):
                reading.note(label, layer.source, sentence)
                return sentence[:300]
    return None


_REASON = re.compile(
    r"(?i)\b(?:reason\s+for\s+referral|refer|referral|would\s+(?:really\s+)?benefit|struggl|"
    r"diagnos|finds?\s+it\s+(?:very\s+)?hard|help\s+(?:him|her|them)|music\s+therapy)\b"
)
_AVAILABILITY = re.compile(
    r"(?i)\b(?:available|availability|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|"
    r"mornings?|afternoons?|evenings?|term[\s-]time|weekends?|after\s+school|school\s+hours)\b"
)
_ACCESS = re.compile(
    r"(?i)\b(?:wheelchair|hoist|step[\s-]free|stairs|lift|parking|interpreter|BSL|hearing\s+(?:aid|"
    r"impair)|visual(?:ly)?\s+impair|sensory\s+(?:needs|sensitiv)|mobility|access(?:ible)?)\b"
)


def extract_record(view: MessageView, required: tuple[str, ...]) -> Record:
    """Classify the message, then read every field a referral record needs."""
    reading = build_reading(view)
    robot = classify_robot(view, reading.new_body + "\n" + reading.signed.signature)
    if robot is not None:
        reading.note("kind", Source.header, robot.value)
        return Record(kind=robot, evidence=tuple(reading.evidence))
    classify_text = reading.text_of(Source.new_text, Source.attachment, Source.forwarded)
    kind = classify_human(classify_text, view.envelope.subject)
    reading.note("kind", Source.derived, kind.value)
    email = view.envelope.reply_address
    name, name_index = find_referrer_name(reading)
    role, role_snippet, role_source = find_role(reading, name_index)
    organisation = find_organisation(reading, role, name_index)
    if role is None:
        role = Role.other if organisation else None
    if role is not None:
        reading.note("referrer.role", role_source, role_snippet or role.value)
    phone = find_phone(reading, role)
    referrer = Referrer(name=name, email=email, phone=phone, role=role, organisation=organisation)
    if kind == Kind.enquiry:
        return Record(kind=kind, referrer=referrer, evidence=tuple(reading.evidence))
    return _referral(reading, referrer, required)


def _referral(reading: Reading, referrer: Referrer, required: tuple[str, ...]) -> Record:
    role = referrer.role
    session_text = reading.text_of(Source.new_text, Source.attachment)
    session_format, format_snippet = places.find_format(session_text)
    if session_format is None:
        session_format, format_snippet = places.find_format(
            reading.text_of(Source.forwarded, Source.quoted)
        )
    if role == Role.self:
        client_name: str | None = referrer.name
        reading.note("client.name", Source.derived, "self-referral")
    else:
        client_name, _ = find_client_name(reading, referrer.name)
    dob, age = find_dob_and_age(reading, role == Role.self)
    if session_format == SessionFormat.group and not reading.form.client_name and not dob:
        client_name, age = None, None
    needs = find_needs(reading, age)
    if Need.neonatal in needs and age is None:
        age = 0
    delivery, delivery_snippet, both = places.find_delivery(session_text)
    if delivery is None and not both:
        delivery, delivery_snippet, both = places.find_delivery(
            reading.text_of(Source.forwarded, Source.quoted)
        )
    setting, setting_snippet, asked = places.find_setting(
        session_text, role, referrer.organisation, delivery == Delivery.online
    )
    if setting is None and not asked and delivery != Delivery.online:
        setting, setting_snippet, asked = places.find_setting(
            reading.text_of(Source.forwarded, Source.quoted), role, None, False
        )
    if delivery is None and not both and (setting is not None or asked):
        delivery = Delivery.in_person
        delivery_snippet = setting_snippet
    consent = _consent(reading, role)
    flags = []
    for layer in reading.layers:
        if layer.source in (Source.new_text, Source.forwarded, Source.attachment):
            for flag, snippet in find_flags(layer.text):
                if flag not in flags:
                    flags.append(flag)
                    reading.note(f"safeguarding.{flag}", layer.source, snippet)
    for label, value, snippet in (
        ("session_format", session_format, format_snippet),
        ("delivery", delivery, delivery_snippet),
        ("setting", setting, setting_snippet),
    ):
        if value is not None:
            reading.note(label, Source.new_text, snippet)
    record = Record(
        kind=Kind.referral,
        referrer=referrer,
        client=Client(name=client_name, age=age, date_of_birth=dob),
        needs=needs,
        setting=setting if isinstance(setting, Setting) else None,
        session_format=session_format,
        delivery=delivery,
        consent=consent,
        reason=_free_text(reading, "reason", _REASON),
        availability=_free_text(reading, "availability", _AVAILABILITY),
        access_notes=_free_text(reading, "access_notes", _ACCESS),
        safeguarding=tuple(flags),
    )
    missing = find_missing(record, required)
    return record.model_copy(update={"missing": missing, "evidence": tuple(reading.evidence)})


def _consent(reading: Reading, role: Role | None) -> bool | None:
    for source in (Source.new_text, Source.attachment, Source.forwarded, Source.quoted):
        text = reading.text_of(source)
        if not text:
            continue
        found = find_consent(text)
        if found is not None:
            reading.note("consent", source, found[1])
            return found[0]
    if role in (Role.self, Role.parent):
        reading.note("consent", Source.derived, f"the writer is the {role.value}")
        return True
    if role == Role.carer and re.search(r"(?i)\bguardian", reading.new_body):
        reading.note("consent", Source.derived, "the writer is the guardian")
        return True
    return None
