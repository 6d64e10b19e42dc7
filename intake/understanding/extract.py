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
from intake.understanding import clients, people, places
from intake.understanding.classify import classify_human, classify_robot
from intake.understanding.consent import find_consent
from intake.understanding.dates import age_at, find_age, find_dob
from intake.understanding.forms import FormFields, read_form, without_form_noise
from intake.understanding.missing import find_missing
from intake.understanding.phones import PhoneHit, find_phones
from intake.understanding.safeguarding import find_flags
from intake.understanding.vocabulary import NEED_PATTERNS, WEAK_DEMENTIA, is_negated

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
    segments: list[Segment] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def text_of(self, *sources: Source) -> str:
        """All layer text from the given sources, in layer order."""
        return "\n\n".join(layer.text for layer in self.layers if layer.source in sources)

    def note(self, name: str, source: Source, text: str) -> None:
        """Record evidence for one field."""
        self.evidence.append(Evidence(field=name, source=source, text=" ".join(text.split())[:240]))


# A referral is a few thousand characters; reading more only gives hostile input time.
ANALYSED_CHARS = 30_000


def _capped(text: str) -> str:
    return text[:ANALYSED_CHARS]


def _practice_segment(segment: Segment, practice: set[str]) -> bool:
    return bool(segment.author_addr and segment.author_addr in practice)


def _with_own_quoted_signature(
    signed: SignedText, segments: list[Segment], view: MessageView
) -> SignedText:
    """Borrow the signature of the sender's own earlier message quoted below a short reply."""
    own = {a for a in (view.envelope.from_addr, view.envelope.reply_to) if a}
    for segment in segments[1:]:
        if segment.author_addr and segment.author_addr in own:
            body = re.sub(
                r"(?im)^[ \t>*]*(?:from|sent|date|to|cc|subject)[ \t]*:[^\n]*\n", "", segment.text
            )
            earlier = split_signature(body)
            if earlier.signature.count("\n") >= 1:
                combined = "\n".join(x for x in (signed.signature, earlier.signature) if x)
                return SignedText(signed.body, signed.sign_off, combined, signed.disclaimer)
    return signed


def build_reading(view: MessageView) -> Reading:
    """Split the message into new text, signature, attachments, forwards and quotes."""
    segments = split_quoted(view.body[: ANALYSED_CHARS * 4], view.envelope.subject)
    new_text = segments[0].text if segments else ""
    signed = split_signature(new_text)
    if len([ln for ln in signed.signature.split("\n") if ln.strip()]) <= 1:
        signed = _with_own_quoted_signature(signed, segments, view)
    body = _SALUTATION.sub("", signed.body).strip()
    practice = set(view.envelope.to)
    body = _capped(body)
    signed = SignedText(body, signed.sign_off, _capped(signed.signature), signed.disclaimer[:2000])
    layers = [Layer(Source.new_text, without_form_noise(body))]
    layers += [
        Layer(Source.attachment, without_form_noise(_capped(a.text))) for a in view.attachments
    ]
    for segment in segments[1:]:
        if _practice_segment(segment, practice):
            continue
        source = Source.forwarded if segment.kind == "forwarded" else Source.quoted
        layers.append(Layer(source, _capped(segment.text)))
    layers += [Layer(Source.forwarded, _capped(f.text)) for f in view.forwarded[:5]]
    form = read_form(body + "\n" + "\n".join(a.text for a in view.attachments))
    today = view.envelope.date.date() if view.envelope.date else None
    return Reading(view, body, signed, layers, form, today, segments=segments)


# ------------------------------------------------------------------ needs


def find_needs(reading: Reading, client_age: int | None) -> tuple[Need, ...]:
    """Needs named in new text, attachments and forwards; quoted history only as a fallback."""
    primary = (Source.new_text, Source.attachment, Source.forwarded)
    needs = _needs_in(reading, primary)
    if not needs:
        needs = _needs_in(reading, (Source.quoted,))
    subject_needs = _needs_in_text(reading.view.envelope.subject)
    needs.update({n: (Source.subject, s) for n, s in subject_needs.items() if n not in needs})
    if Need.dementia not in needs and Need.neurodisability not in needs:
        weak = _weak_dementia(reading)
        if weak and (client_age is None or client_age >= 50):
            needs[Need.dementia] = weak
    if Need.neonatal in needs and client_age is not None and client_age >= 1:
        del needs[Need.neonatal]
    if Need.pmld in needs and client_age is not None and client_age >= 18:
        del needs[Need.pmld]
        needs.setdefault(Need.learning_disability, (Source.derived, "adult with PMLD"))
    for need, (source, snippet) in needs.items():
        reading.note(f"needs.{need.value}", source, snippet)
    return tuple(sorted(needs, key=lambda n: n.value))


def _weak_dementia(reading: Reading) -> tuple[Source, str] | None:
    """'memory problems' read as dementia only when nothing neurological explains them."""
    for layer in reading.layers:
        if layer.source == Source.quoted:
            continue
        for match in WEAK_DEMENTIA.finditer(layer.text):
            if not is_negated(layer.text, match.start(), match.end()):
                return layer.source, _around(layer.text, match.start(), match.end())
    return None


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
            fuller_words = _plain(fuller).split() if fuller else []
            if (
                fuller
                and fuller_words
                and fuller_words[0].startswith(first)
                and len(fuller) > len(sig_name)
            ):
                sig_name, sig_index = fuller, index
                break
        if len(_plain(sig_name).split()) == 1 and display:
            tokens = _plain(display).split()
            if first == tokens[-1] and len(tokens) == 2:
                sig_name = f"{display.split()[-1]} {display.split()[0]}"
            elif len(tokens) >= 2:
                sig_name = display
        reading.note("referrer.name", Source.signature, lines[sig_index])
        return sig_name, sig_index
    if reading.form.referrer_name and people.looks_like_name(reading.form.referrer_name):
        reading.note("referrer.name", Source.new_text, reading.form.referrer_name)
        return _from_form_name(reading.form.referrer_name), -1
    if display:
        reading.note("referrer.name", Source.header, env.from_name or "")
        return display, -1
    from_line = re.search(
        r"(?im)^\s*From:\s*(?P<name>[^<\n]{2,60}?)\s*<(?P<addr>[^>\s]+)>", reading.new_body
    )
    if from_line and from_line.group("addr").lower() == (env.reply_address or ""):
        reading.note("referrer.name", Source.new_text, from_line.group(0))
        return from_line.group("name").strip(" \"'"), -1
    form_name = next((v for k, v in reading.form.pairs if k in ("name", "full name")), None)
    if form_name and env.reply_to and people.looks_like_name(form_name):
        reading.note("referrer.name", Source.new_text, form_name)
        return _from_form_name(form_name), -1
    if display:
        reading.note("referrer.name", Source.header, env.from_name or "")
        return display, -1
    return None, -1


def _from_form_name(value: str) -> str:
    value = re.split(r"\s*\(|\s{2,}|\t|\s+Date\s*:", value)[0].strip()
    pieces = [p.strip() for p in value.split(",")]
    if len(pieces) > 2 or (len(pieces) == 2 and len(pieces[1].split()) > 1):
        value = pieces[0]
    if "," in value:
        last, _, first = value.partition(",")
        value = f"{first.strip()} {last.strip()}"
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in value.split())


def _plain(name: str) -> str:
    words = [w.strip(".,").lower() for w in name.split()]
    titles = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "revd", "professor"}
    return " ".join(w for w in words if w not in titles) or name.lower()


_PARENT = re.compile(
    r"(?i)\b(?:my|our)\s+(?:[\w-]+\s+){0,2}?(?:son|daughter|child|children|boy|girl|baby|twins|"
    r"little\s+one|kids?|stepson|stepdaughter)\b|\bI'?m\s+(?:his|her|their)\s+(?:mum|mam|mother|"
    r"dad|father|parent)|\bI\s+am\s+(?:the\s+)?(?:his|her|their)?\s*(?:mum|mam|mother|dad|father|"
    r"parent)\s+(?:of|to)\b|\bI\s+am\s+(?:his|her|their)\s+(?:mum|mam|mother|dad|father|parent)"
    r"|\bas\s+(?:his|her|their)\s+(?:mum|mam|mother|dad|father|parents?)\b|\b(?:his|her)\s+"
    r"(?:mum|mam|dad)\s+and\s+I\b|\bme\s+and\s+(?:his|her)\s+(?:mum|mam|dad)\b|\bwe\s+adopted\b"
    r"|\badoptive\s+(?:mum|dad|parents?|mother|father)\b(?=[^.]{0,40}\b(?:I|we)\b)"
    r"|\bparental\s+responsibility\b"
)
_SELF = re.compile(
    r"(?i)\brefer(?:ring)?\s+myself\b|\bself[\s-]referr?al\b|\bfor\s+myself\b|\btake\s+me\s+on\b"
    r"|\bmusic\s+therapy\s+for\s+me\b|\bI\s+(?:have\s+been|was|'ve\s+been|got)\s+diagnosed\b"
    r"|\bI'?ve\s+been\s+diagnosed\b|\bI\s+lost\s+my\b|\bmy\s+(?:late\s+)?(?:husband|wife|partner|"
    r"son|daughter|mum|dad|mother|father)\s+(?:[A-Z]\w+\s+)?(?:died|passed\s+away|was\s+killed)"
    r"|\bI'?m\s+\d{2}\b|\bI\s+am\s+\d{2}\b|\bI\s+(?:have|'ve)\s+(?:had\s+)?(?:MS|multiple\s+"
    r"sclerosis|parkinson|depression|anxiety|PTSD|dementia|cancer)\b|\bI'?m\s+(?:autistic|a\s+widow)"
    r"|\bI'?d\s+like\s+to\s+(?:try|have|start)\s+music\s+therapy\b|\bmyself\b"
)
_STRONG_SELF = re.compile(
    r"(?i)\brefer(?:ring)?\s+myself\b|\bself[\s-]referr?al\b|\bfor\s+myself\b|\btake\s+me\s+on\b"
    r"|\bmusic\s+therapy\s+for\s+me\b|\bI'?m\s+\d{2}\s+and\s+(?:have|I)\b"
)
_CARER = re.compile(
    r"(?i)\b(?:my|our)\s+(?:mum|mam|mother|mom|dad|father|husband|wife|partner|grandson|"
    r"granddaughter|gran|nan|nana|grandma|grandad|grandpa|grandmother|grandfather|brother|sister|"
    r"aunt|auntie|uncle|nephew|niece|mother-in-law|father-in-law|foster\s+(?:son|daughter|child)|"
    r"grandchild|grandchildren)\b|\bspecial\s+guardian|\bkinship\s+carer\b|\bfoster\s+carer\b"
    r"|\bI\s+am\s+(?:his|her|their)\s+(?:main\s+)?carer\b|\bI'?m\s+(?:his|her|their)\s+(?:main\s+)?"
    r"carer|\bfor\s+(?:Mum|Mam|Dad|Nan|Gran|Grandad|Grandma)\b|^\s*(?:Mum|Mam|Dad)\s+\("
)
_I_AM = re.compile(
    r"(?i)\b(?:I\s+am|I'?m|I\s+work\s+as|I\s+work\s+(?:in|at|for)|as\s+(?:his|her|their|the|a|an))"
    r"\s+([^.\n]{0,90})"
)


_FORM_RELATION = re.compile(
    r"(?i)^\s*(?:(?P<self>self|myself|me|i\s+am\s+the\s+person)|(?P<parent>(?:adoptive\s+|birth\s+|"
    r"foster\s+)?(?:mum|mam|mother|dad|father|parent|step-?(?:mum|dad|parent)))|(?:grand\w+|wife|"
    r"husband|partner|son|daughter|sister|brother|aunt|uncle|niece|nephew|carer|guardian|"
    r"special\s+guardian|family\s+member|friend))\b"
)


def _form_referrer_details(reading: Reading) -> list[str]:
    """Job and employer written after the name in a form's referrer answer ('Ann Lee, OT, X')."""
    value = reading.form.referrer_name or ""
    parts = [p.strip() for p in re.split(r",|\s[|–-]\s|\(|\)", value) if p.strip()]
    return parts[1:]


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
    title_lines += _form_referrer_details(reading)
    if reading.form.role:
        relation = _FORM_RELATION.search(reading.form.role)
        if relation:
            role = Role.parent if relation.group("parent") else Role.carer
            if relation.group("self"):
                role = Role.self
            return role, reading.form.role, Source.new_text
        title_lines.insert(0, reading.form.role)
    strong_self = _STRONG_SELF.search(reading.new_body)
    if strong_self:
        return Role.self, strong_self.group(0), Source.new_text
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
    return _relationship(reading)


def _relationship(reading: Reading) -> tuple[Role | None, str, Source]:
    """parent, self or carer from how the writer speaks of the person (earliest mention wins)."""
    for source in (Source.new_text, Source.quoted):
        body = reading.text_of(source)
        if not body:
            continue
        strong_self = _STRONG_SELF.search(body)
        if strong_self:
            return Role.self, strong_self.group(0), source
        found: list[tuple[int, Role, str]] = []
        for pattern, role in ((_PARENT, Role.parent), (_CARER, Role.carer)):
            match = pattern.search(body)
            if match:
                found.append((match.start(), role, match.group(0)))
        self_match = _SELF.search(body)
        if self_match and (
            not found or re.search(r"(?i)died|passed|lost|death|widow|\bI'?m\s+\d{2}", body)
        ):
            return Role.self, self_match.group(0), source
        if found:
            _, role, snippet = min(found)
            return role, snippet, source
    return None, "", Source.derived


def find_organisation(reading: Reading, role: Role | None, name_index: int) -> str | None:
    """The referrer's employer from signature, form labels or display name (family: none)."""
    lines = [ln for i, ln in enumerate(_signature_lines(reading)) if i != name_index]
    if 0 <= name_index < len(_signature_lines(reading)):
        rest = re.sub(r"^[^,|–]*(?:,|\||–)", "", _signature_lines(reading)[name_index], count=1)
        if rest != _signature_lines(reading)[name_index]:
            lines.insert(0, rest)
    candidates = people.organisation_candidates(lines + _form_referrer_details(reading))
    for label, value in reading.form.pairs:
        if people.ORG_LABEL.search(label):
            rank = people.org_rank(value) or 2
            candidates.append((rank, -1, value.strip()))
    display_org = people.org_from_display(reading.view.envelope.from_name)
    if display_org:
        candidates.append((people.org_rank(display_org), 50, display_org))
    if not candidates:
        candidates = _orgs_in_body(reading.new_body)
    if not candidates and reading.signed.disclaimer:
        first_line = reading.signed.disclaimer.strip().split("\n")[0]
        candidates = [c for c in people.organisation_candidates([first_line]) if c[0] == 2]
    candidates = [c for c in candidates if not re.search(r"(?i)inner\s*pulse", c[2])]
    chosen = people.choose_organisation(candidates)
    if chosen is None and role not in (Role.parent, Role.self) and lines:
        chosen = people.proper_noun_fallback(lines)
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
    quoted_practice = "\n".join(s.text for s in reading.segments[1:])[:ANALYSED_CHARS]
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

_FORENAME = re.compile(r"(?im)^\s*forenames?(?:\(s\))?\s*:?\s+([A-Z][^\n]{1,40})$")
_SURNAME = re.compile(r"(?im)^\s*(?:surname|family\s+name|last\s+name)\s*:?\s+([A-Z][^\n]{1,40})$")
_NAME_NO_COLON = re.compile(
    r"(?im)^\s*(?:patient|client|child|pupil|resident|student)(?:'s)?\s+(?:full\s+)?name\s*:?\s+"
    r"([A-Z][^\n]{1,60})$"
)


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return bool(set(_plain(a).split()) & set(_plain(b).split()))


def _form_client_name(reading: Reading, referrer_name: str | None) -> str | None:
    if reading.form.client_name:
        return clients.normalise_form_name(reading.form.client_name)
    text = reading.text_of(Source.new_text, Source.attachment)
    forename, surname = _FORENAME.search(text), _SURNAME.search(text)
    if forename and surname:
        return clients.normalise_form_name(f"{forename.group(1)} {surname.group(1)}")
    labelled = _NAME_NO_COLON.search(text)
    if labelled:
        return clients.normalise_form_name(labelled.group(1))
    for label, value in reading.form.pairs:
        if (
            label in ("name", "full name")
            and not _same_person(value, referrer_name)
            and (
                not reading.form.referrer_name
                or not _same_person(value, reading.form.referrer_name)
            )
        ):
            return clients.normalise_form_name(value)
    return None


def find_client_name(reading: Reading, referrer_name: str | None) -> tuple[str | None, Source]:
    """The referred person's name: a form label first, else the best-supported name in the text."""
    form_name = _form_client_name(reading, referrer_name)
    if form_name:
        reading.note("client.name", Source.new_text, form_name)
        return form_name, Source.new_text
    weights = {
        Source.new_text: 1.0,
        Source.attachment: 1.0,
        Source.forwarded: 0.8,
        Source.quoted: 0.5,
    }
    candidates: dict[str, clients.Candidate] = {}
    subject = re.sub(r"(?i)^(?:\s*(?:re|fw|fwd|aw)\s*:\s*)+", "", reading.view.envelope.subject)
    clients.gather(subject, 1.0, -1000, candidates)
    subject_name = re.match(
        rf"^\W*(?:referral|ref)?\W*(?P<name>{people.NAME})\s*(?:[-–(,]|$)", subject
    )
    offset = 0
    for layer in reading.layers:
        clients.gather(layer.text, weights.get(layer.source, 0.5), offset, candidates)
        offset += len(layer.text) + 2
    all_text = reading.text_of(Source.new_text, Source.attachment, Source.forwarded, Source.quoted)
    clients.gather_recurring(reading.text_of(Source.new_text, Source.attachment), candidates)
    excluded = {_plain(n).split()[0] for n in _other_people(reading, referrer_name) if _plain(n)}
    for key in list(candidates):
        if key in excluded:
            del candidates[key]
    if not candidates:
        return None, Source.derived
    clients.add_frequency(all_text, candidates)
    if subject_name:
        key = clients._key(subject_name.group("name"))
        if key in candidates:
            candidates[key].score += 3
    best = max(candidates.values(), key=lambda c: (c.score, -c.position))
    if best.score < 4:
        return None, Source.derived
    reading.note("client.name", Source.new_text, best.snippet)
    return clients.complete(best.name, all_text + "\n" + subject, excluded), Source.new_text


def _other_people(reading: Reading, referrer_name: str | None) -> list[str]:
    """People who are not the client: the referrer, quoted authors, the practice."""
    names = [referrer_name or "", reading.view.envelope.from_name or "", "Jacqueline"]
    names += [s for s in (reading.form.referrer_name or "",) if s]
    for segment in reading.segments[1:]:
        if segment.author_name:
            names.append(people.name_from_display(segment.author_name) or segment.author_name)
    return [n for n in names if n]


_SUBJECT_AGE = re.compile(r"(?i)\((\d{1,3})\s*(?:y|yrs?|years?|yo)?\)|\baged?\s+(\d{1,3})\b")


def _age_next_to_name(reading: Reading, client_name: str | None) -> int | None:
    """An age written just after the client's name: 'Rashid Mahmood (72)', 'Sam is 29'."""
    if not client_name:
        return None
    words = [w for w in client_name.split() if w.lower().strip(".") not in clients.TITLES]
    if not words:
        return None
    pattern = re.compile(rf"\b{re.escape(words[0])}(?:\s+{re.escape(words[-1])})?\b")
    for layer in reading.layers:
        for match in pattern.finditer(layer.text):
            window = re.split(r"[.\n]", layer.text[match.end() : match.end() + 40], maxsplit=1)[0]
            found = find_age(window)
            if found and found[0] > 0:
                reading.note(
                    "client.age", layer.source, layer.text[match.start() : match.end() + 40]
                )
                return found[0]
    return None


def find_dob_and_age(
    reading: Reading, client_name: str | None = None
) -> tuple[date | None, int | None]:
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
    near = _age_next_to_name(reading, client_name)
    if near is not None:
        return None, near
    subject_age = _SUBJECT_AGE.search(subject)
    if subject_age:
        reading.note("client.age", Source.subject, subject)
        return None, int(subject_age.group(1) or subject_age.group(2))
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


_REASON_LABEL = re.compile(
    r"(?i)reason|background|help\s+with|presenting|summary|why|concerns?|diagnos[ie]s|needs?"
)
_DIFFICULTY = re.compile(
    r"(?i)\b(?:struggl\w*|distress\w*|withdrawn|agitat\w*|anxious|low\s+mood|upset|frustrat\w*"
    r"|diagnos\w*|finds?\s+it\s+(?:very\s+)?hard|meltdowns?|grie\w*|lost\s+(?:his|her|their|my))\b"
)
_ABOUT_WRITER = re.compile(r"(?i)^\s*(?:I'?m|I\s+am|I\s+work|my\s+name\s+is)\b")


def _reason(reading: Reading) -> str | None:
    """The words that say why: a 'Reason for referral' answer, else the first sentence of need."""
    for label, value in reading.form.pairs:
        if _REASON_LABEL.search(label) and len(value) > 10:
            reading.note("reason", Source.new_text, value)
            return value[:400]
    for pattern in (None, _DIFFICULTY, _REASON):
        for layer in reading.layers:
            if layer.source == Source.quoted:
                continue
            for sentence in places.sentences(layer.text):
                if _ABOUT_WRITER.match(sentence) and pattern is not _REASON:
                    continue
                hit = _needs_in_text(sentence) if pattern is None else pattern.search(sentence)
                if hit:
                    reading.note("reason", layer.source, sentence)
                    return sentence[:400]
    return None


def extract_record(view: MessageView, required: tuple[str, ...]) -> Record:
    """Classify the message, then read every field a referral record needs."""
    reading = build_reading(view)
    robot = classify_robot(view, reading.new_body + "\n" + reading.signed.signature)
    if robot is not None:
        reading.note("kind", Source.header, robot.value)
        referrer = Referrer(email=view.envelope.reply_address)
        return Record(kind=robot, referrer=referrer, evidence=tuple(reading.evidence))
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


_NAMED_SETTING = re.compile(
    r"(?i)\b(?:sessions?|therapy)\b[^.]{0,60}\b(?:at|in)\b|\bsetting\b|\blocation\b|\bvenue\b"
)


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
    dob, age = find_dob_and_age(reading, client_name)
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
    if both and setting is not None and not _NAMED_SETTING.search(setting_snippet):
        setting = None
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
        reason=_reason(reading),
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
