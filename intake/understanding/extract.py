"""From a MessageView to a Record: who refers whom, for what, where, and with whose consent.

The text is read in layers, each tagged with its Source for evidence: the
sender's new text (minus signature), the signature, attachments, forwarded
parts, then quoted history not written by the practice itself. The referrer
comes only from the new text, signature and headers; the client may be
described anywhere except the practice's own quoted replies.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from intake.models import (
    Client,
    Delivery,
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
from intake.understanding import places
from intake.understanding.classify import classify_human, classify_robot
from intake.understanding.client_record import find_client_name, find_dob_and_age
from intake.understanding.consent import find_consent
from intake.understanding.cues import Cues, cues, fold, starting_with
from intake.understanding.layers import (
    Reading,
    build_reading,
)
from intake.understanding.missing import find_missing
from intake.understanding.needs import find_needs, needs_in_text
from intake.understanding.referrer import (
    find_organisation,
    find_phone,
    find_referrer_name,
    find_role,
)
from intake.understanding.safeguarding import find_flags


class Sentences(NamedTuple):
    """A layer's sentences, and all of them folded (cues.fold) to test for cue words once."""

    source: Source
    sentences: list[str]
    text: str
    folded: str


LayerSentences = list[Sentences]


def _layer_sentences(reading: Reading) -> LayerSentences:
    """Each layer's sentences, split once for the reason, availability and access readers."""
    out: LayerSentences = []
    for layer in reading.layers:
        sentences = places.sentences(layer.text)
        text = "\n".join(sentences)
        out.append(Sentences(layer.source, sentences, text, fold(text)))
    return out


def _free_text(
    reading: Reading, layers: LayerSentences, label: str, pattern: re.Pattern[str], found: Cues
) -> str | None:
    """The first sentence pattern finds; a layer without its cue words is not scanned."""
    for layer in layers:
        if not found.maybe_in(layer.text, layer.folded):
            continue
        for sentence in layer.sentences:
            if pattern.search(sentence):
                reading.note(label, layer.source, sentence)
                return sentence[:300]
    return None


_REASON = starting_with(
    r"[dfhmrsw]",
    re.compile(
        r"(?i)\b(?:reason\s+for\s+referral|refer|referral|would\s+(?:really\s+)?benefit|struggl|"
        r"diagnos|finds?\s+it\s+(?:very\s+)?hard|help\s+(?:him|her|them)|music\s+therapy)\b"
    ),
)
_AVAILABILITY = starting_with(
    r"[aefmstw]",
    re.compile(
        r"(?i)\b(?:available|availability|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|"
        r"mornings?|afternoons?|evenings?|term[\s-]time|weekends?|after\s+school|school\s+hours)\b"
    ),
)
_ACCESS = starting_with(
    r"[abhilmpsvw]",
    re.compile(
        r"(?i)\b(?:wheelchair|hoist|step[\s-]free|stairs|lift|parking|interpreter|BSL|hearing\s+(?:aid|"
        r"impair)|visual(?:ly)?\s+impair|sensory\s+(?:needs|sensitiv)|mobility|access(?:ible)?)\b"
    ),
)

# Every match of _AVAILABILITY and _ACCESS contains one of these words (see cues.py).
_AVAILABILITY_CUES = cues(
    "availab monday tuesday wednesday thursday friday morning afternoon evening term weekend school"
)
_ACCESS_CUES = cues(
    "wheelchair hoist step stairs lift parking interpreter bsl hearing visual sensory mobility "
    "access"
)

_REASON_LABEL = re.compile(
    r"(?i)reason|background|help\s+with|presenting|summary|why|concerns?|diagnos[ie]s|needs?"
)
_DIFFICULTY = starting_with(
    r"[adfglmsuw]",
    re.compile(
        r"(?i)\b(?:struggl\w*|distress\w*|withdrawn|agitat\w*|anxious|low\s+mood|upset|frustrat\w*"
        r"|diagnos\w*|finds?\s+it\s+(?:very\s+)?hard|meltdowns?|grie\w*|lost\s+(?:his|her|their|my))\b"
    ),
)
_ABOUT_WRITER = re.compile(r"(?i)^\s*(?:I'?m|I\s+am|I\s+work|my\s+name\s+is)\b")


def _reason(reading: Reading, layers: LayerSentences) -> str | None:
    """The words that say why: a 'Reason for referral' answer, else the first sentence of need."""
    for label, value in reading.form.pairs:
        if _REASON_LABEL.search(label) and len(value) > 10:
            reading.note("reason", Source.new_text, value)
            return value[:400]
    for pattern in (None, _DIFFICULTY, _REASON):
        for source, sentences, _, _ in layers:
            if source == Source.quoted:
                continue
            for sentence in sentences:
                if _ABOUT_WRITER.match(sentence) and pattern is not _REASON:
                    continue
                hit = needs_in_text(sentence) if pattern is None else pattern.search(sentence)
                if hit:
                    reading.note("reason", source, sentence)
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
    layers = _layer_sentences(reading)
    record = Record(
        kind=Kind.referral,
        referrer=referrer,
        client=Client(name=client_name, age=age, date_of_birth=dob),
        needs=needs,
        setting=setting if isinstance(setting, Setting) else None,
        session_format=session_format,
        delivery=delivery,
        consent=consent,
        reason=_reason(reading, layers),
        availability=_free_text(reading, layers, "availability", _AVAILABILITY, _AVAILABILITY_CUES),
        access_notes=_free_text(reading, layers, "access_notes", _ACCESS, _ACCESS_CUES),
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
