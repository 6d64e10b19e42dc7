"""The referrer: who sent this email, their role, employer and direct line.

Only the sender's own words count: the signature of the new text (or of
their own earlier message quoted below a short reply), form answers about
the referrer, the From display name, and relationship phrases ("my son",
"my wife", "refer myself") when no job title is given.
"""

from __future__ import annotations

import re

from intake.models import Role, Source
from intake.understanding import people
from intake.understanding.cues import starting_with
from intake.understanding.layers import ANALYSED_CHARS, Reading, plain_name, signature_lines
from intake.understanding.phones import PhoneHit, find_phones


def find_referrer_name(reading: Reading) -> tuple[str | None, int]:
    """The sender's name and the index of its signature line (-1 when not from the signature)."""
    env = reading.view.envelope
    display = people.name_from_display(env.from_name)
    lines = signature_lines(reading)
    sig_name, sig_index = None, -1
    for index, line in enumerate(lines[:4]):
        name = people.clean_name(line)
        if name:
            sig_name, sig_index = name, index
            break
    if sig_name:
        first = plain_name(sig_name).split()[0]
        for index, line in enumerate(lines[sig_index + 1 : sig_index + 4], start=sig_index + 1):
            fuller = people.clean_name(line)
            fuller_words = plain_name(fuller).split() if fuller else []
            if (
                fuller
                and fuller_words
                and fuller_words[0].startswith(first)
                and len(fuller) > len(sig_name)
            ):
                sig_name, sig_index = fuller, index
                break
        if len(plain_name(sig_name).split()) == 1 and display:
            tokens = plain_name(display).split()
            if first == tokens[-1] and len(tokens) == 2:
                sig_name = f"{display.split()[-1]} {display.split()[0]}"
            elif len(tokens) >= 2:
                sig_name = display
        reading.note("referrer.name", Source.signature, lines[sig_index])
        return sig_name, sig_index
    form_referrer = _from_form_name(reading.form.referrer_name or "")
    if form_referrer and people.looks_like_name(form_referrer):
        reading.note("referrer.name", Source.new_text, reading.form.referrer_name or "")
        return form_referrer, -1
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
    return None, -1


def _from_form_name(value: str) -> str:
    value = re.split(r"\s*\(|\s{2,}|\t|\s+Date\s*:", value)[0].strip()
    pieces = [p.strip() for p in value.split(",")]
    if len(pieces) > 2 or (
        len(pieces) == 2
        and (
            len(pieces[1].split()) > 1
            or len(pieces[0].split()) > 1
            or not people.looks_like_name(pieces[1])
        )
    ):
        value = pieces[0]
    if "," in value:
        last, _, first = value.partition(",")
        value = f"{first.strip()} {last.strip()}"
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in value.split())


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
_SELF = starting_with(
    r"[fimrst]",
    re.compile(
        r"(?i)\brefer(?:ring)?\s+myself\b|\bself[\s-]referr?al\b|\bfor\s+myself\b|\btake\s+me\s+on\b"
        r"|\bmusic\s+therapy\s+for\s+me\b|\bI\s+(?:have\s+been|was|'ve\s+been|got)\s+diagnosed\b"
        r"|\bI'?ve\s+been\s+diagnosed\b|\bI\s+lost\s+my\b|\bmy\s+(?:late\s+)?(?:husband|wife|partner|"
        r"son|daughter|mum|dad|mother|father)\s+(?:[A-Z]\w+\s+)?(?:died|passed\s+away|was\s+killed)"
        r"|\bI'?m\s+\d{2}\b|\bI\s+am\s+\d{2}\b|\bI\s+(?:have|'ve)\s+(?:had\s+)?(?:MS|multiple\s+"
        r"sclerosis|parkinson|depression|anxiety|PTSD|dementia|cancer)\b|\bI'?m\s+(?:autistic|a\s+widow)"
        r"|\bI'?d\s+like\s+to\s+(?:try|have|start)\s+music\s+therapy\b|\bmyself\b"
    ),
)
_STRONG_SELF = starting_with(
    r"[fimrst]",
    re.compile(
        r"(?i)\brefer(?:ring)?\s+myself\b|\bself[\s-]referr?al\b|\bfor\s+myself\b|\btake\s+me\s+on\b"
        r"|\bmusic\s+therapy\s+for\s+me\b|\bI'?m\s+\d{2}\s+and\s+(?:have|I)\b"
    ),
)
_CARER = starting_with(
    r"[dfikmos]|^",
    re.compile(
        r"(?i)\b(?:my|our)\s+(?:mum|mam|mother|mom|dad|father|husband|wife|partner|grandson|"
        r"granddaughter|gran|nan|nana|grandma|grandad|grandpa|grandmother|grandfather|brother|sister|"
        r"aunt|auntie|uncle|nephew|niece|mother-in-law|father-in-law|foster\s+(?:son|daughter|child)|"
        r"grandchild|grandchildren)\b|\bspecial\s+guardian|\bkinship\s+carer\b|\bfoster\s+carer\b"
        r"|\bI\s+am\s+(?:his|her|their)\s+(?:main\s+)?carer\b|\bI'?m\s+(?:his|her|their)\s+(?:main\s+)?"
        r"carer|\bfor\s+(?:Mum|Mam|Dad|Nan|Gran|Grandad|Grandma)\b|^\s*(?:Mum|Mam|Dad)\s+\("
    ),
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
    lines = signature_lines(reading)
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
        titled = people.role_from_title([match.group(1)])
        if titled and not re.match(
            r"(?i)(?:writing|contacting|emailing|hoping|looking)", match.group(1)
        ):
            return titled[0], match.group(0), Source.new_text
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
    lines = [ln for i, ln in enumerate(signature_lines(reading)) if i != name_index]
    if 0 <= name_index < len(signature_lines(reading)):
        rest = re.sub(r"^[^,|–]*(?:,|\||–)", "", signature_lines(reading)[name_index], count=1)
        if rest != signature_lines(reading)[name_index]:
            lines.insert(0, rest)
    candidates = people.organisation_candidates(lines + _form_referrer_details(reading))
    for label, value in reading.form.pairs:
        if people.ORG_LABEL.search(label):
            rank = people.org_rank(value) or 2
            candidates.append((rank, -1, value.strip()))
        elif role == Role.teacher and re.fullmatch(
            r"(?:name\s+of\s+)?(?:school|nursery|college)(?:\s+name)?", label
        ):
            school = re.split(r",|\s[–-]\s", value)[0].strip()
            if people.org_rank(school) > 0:
                candidates.append((people.org_rank(school), 0, school))
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


_PRACTICE = re.compile(r"(?i)inner\s*pulse")


def find_phone(reading: Reading, role: Role | None) -> str | None:
    """The referrer's own number: signature or form first, then 'call me on' in the new text."""
    sig_text = reading.signed.signature
    hits: list[PhoneHit] = find_phones(sig_text, base_score=10)
    if reading.form.phone:
        hits += find_phones("Phone: " + reading.form.phone, base_score=12)
    body_hits = find_phones(reading.new_body, base_score=0)
    hits += [h for h in body_hits if h.score >= 3 or role in (Role.parent, Role.carer, Role.self)]
    if not hits:
        return None
    quoted_practice = "\n".join(s.text for s in reading.segments[1:])[:ANALYSED_CHARS]
    if _PRACTICE.search(quoted_practice):  # its numbers sit on lines naming it, if any
        practice_numbers = {
            h.e164 for h in find_phones(quoted_practice) if _PRACTICE.search(h.line)
        }
        hits = [h for h in hits if h.e164 not in practice_numbers]
        if not hits:
            return None
    best = max(hits, key=lambda h: h.score)
    reading.note(
        "referrer.phone", Source.signature if best.score >= 10 else Source.new_text, best.line
    )
    return best.e164
