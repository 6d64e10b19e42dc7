"""The client's name, date of birth and age, read from forms and prose.

Form labels decide first; otherwise the best-supported person name in the
text (see `clients`). Age comes from a date of birth at the Date header,
else an age written next to the client's name, in the subject, or anywhere.
"""

from __future__ import annotations

import functools
import re
from datetime import date

from intake.models import (
    Source,
)
from intake.understanding import clients, people
from intake.understanding.cues import starting_with
from intake.understanding.dates import age_at, find_age, find_dob
from intake.understanding.layers import (
    Reading,
    plain_name,
)

_FORENAME = re.compile(r"(?im)^\s*forenames?(?:\(s\))?\s*:?\s+([A-Z][^\n]{1,40})$")
_SURNAME = re.compile(r"(?im)^\s*(?:surname|family\s+name|last\s+name)\s*:?\s+([A-Z][^\n]{1,40})$")
_NAME_NO_COLON = re.compile(
    r"(?im)^\s*(?:patient|client|child|pupil|resident|student)(?:'s)?\s+(?:full\s+)?name\s*:?\s+"
    r"([A-Z][^\n]{1,60})$"
)


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return bool(set(plain_name(a).split()) & set(plain_name(b).split()))


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


_APPOSITIVE = starting_with(
    r"(?i:[mor])",
    re.compile(
        r"(?i:\b(?:one\s+of\s+(?:our|my|the)|(?:our|my)\s+new)\s+(?:[\w-]+\s+){0,3}?(?:pupils?|students?|"
        r"patients?|residents?|clients?|children|tenants?|young\s+people|service\s+users?|learners?)"
        rf"\s*,\s+)(?P<name>{people.NAME})\s*(?:,|\(|\s[-–]\s)"
        rf"|(?i:\brefer\b[^.\n]{{0,30}}\b(?:is|are)\s+called\s+)(?P<called>{people.NAME})"
    ),
)


def _gather_appositive(
    text: str, weight: float, offset: int, out: dict[str, clients.Candidate]
) -> None:
    """'One of our Year 3 pupils, Jayden Moss, is ...': the name set off by commas is the client."""
    for match in _APPOSITIVE.finditer(text):
        name = (match.group("name") or match.group("called")).strip()
        key = clients._key(name)
        if not key:
            continue
        if key in out:
            out[key].score += 6 * weight
        else:
            snippet = text[match.start() : match.end()]
            out[key] = clients.Candidate(name, 6 * weight, offset + match.start(), snippet)


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
        _gather_appositive(layer.text, weights.get(layer.source, 0.5), offset, candidates)
        offset += len(layer.text) + 2
    all_text = reading.text_of(Source.new_text, Source.attachment, Source.forwarded, Source.quoted)
    clients.gather_recurring(reading.text_of(Source.new_text, Source.attachment), candidates)
    excluded = {
        plain_name(n).split()[0] for n in _other_people(reading, referrer_name) if plain_name(n)
    }
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


@functools.lru_cache(maxsize=1024)
def _name_pattern(first: str, last: str) -> re.Pattern[str]:
    """The first name, optionally followed by the last (cached: names make many patterns)."""
    return re.compile(rf"\b{re.escape(first)}(?:\s+{re.escape(last)})?\b")


def _age_next_to_name(reading: Reading, client_name: str | None) -> int | None:
    """An age written just after the client's name: 'Rashid Mahmood (72)', 'Sam is 29'."""
    if not client_name:
        return None
    words = [w for w in client_name.split() if w.lower().strip(".") not in clients.TITLES]
    if not words:
        return None
    pattern = _name_pattern(words[0], words[-1])
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
                age = age_at(dob, today)
                reading.note(
                    "client.age", Source.derived, f"{age} at {today.isoformat()} from {dob}"
                )
                return dob, age
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
