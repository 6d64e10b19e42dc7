"""Composing replies: Jinja2 templates to a well-formed RFC 5322 message (pure).

Replies carry the reference and at most the client's first name: email is
not a secure channel, so no health detail and none of the referrer's text is
ever echoed back. Text that came from an email is only ever passed to a
template as data, never rendered as a template itself.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from intake.config import Practice
from intake.errors import ConfigError
from intake.models import (
    Client,
    Delivery,
    Envelope,
    Kind,
    ParsedEmail,
    Record,
    Referrer,
    Role,
    SessionFormat,
    Setting,
)
from intake.replying.mime import (
    UNSAFE_HEADER_CHARS,
    Outgoing,
    address_header,
    multipart_alternative,
    text_header,
    token_header,
)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
REPLY_TEMPLATES = (
    "acknowledgement",
    "missing_information",
    "enquiry",
    "thanks_update",
    "still_missing",
    "reminder",
)
# The replies that carry the practice facts ("How it works") in their text part too.
FACTS_TEMPLATES = ("acknowledgement", "missing_information", "enquiry", "thanks_update")
ALERT_TEMPLATES = ("urgent",)

MISSING_IN_PLAIN_WORDS = {
    "client_name": "the name of the person you are referring",
    "client_age": "their age or date of birth",
    "reason": "a few words about why you are referring them, and what you hope music therapy"
    " might help with",
    "consent": "whether they (or the person who makes decisions for them) agree to the referral",
    "referrer_phone": "a phone number I can reach you on",
    "setting": "where the sessions would take place (for example at home, school or a care home)",
}

_UNSAFE_HEADER_CHARS = UNSAFE_HEADER_CHARS  # one definition, beside the writer that enforces it too
_MAX_SUBJECT = 200
_MSG_ID = re.compile(r"<[^<>\s\x00-\x1f\x7f]{1,250}>")
_TITLES = {
    *("dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "revd", "sister", "nurse"),
    *("baby", "master"),
}
# Roles greeted formally, by title and surname when the name carries a title.
FORMAL_ROLES = frozenset({"gp", "health_professional", "social_worker"})


def environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    """Strict: an unknown variable is an error at start-up, not a blank in an email.

    Templates are loaded once (no auto_reload): the service sends what the
    start-up check rendered, never a file edited under it half-way through a
    backlog, and is spared a stat() of every template for every reply.
    """
    return Environment(
        loader=FileSystemLoader(str(template_dir)),
        auto_reload=False,
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def _decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words (repeatedly: they may be nested) to plain text."""
    for _ in range(3):
        if "=?" not in value:
            break
        try:
            decoded = str(make_header(decode_header(value)))
        except (HeaderParseError, LookupError, UnicodeError, ValueError):
            break
        if decoded == value:
            break
        value = decoded
    return value


def clean_header(value: str, limit: int = _MAX_SUBJECT) -> str:
    """One line, no control characters, bounded length: no header injection.

    Encoded words are decoded first, so a CR/LF hidden inside one is removed
    too; mime.py re-encodes whatever is not ASCII on output.
    """
    flat = _UNSAFE_HEADER_CHARS.sub(" ", _decode_words(value))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _name_words(name: str | None) -> list[str]:
    if not name:
        return []
    flat = clean_header(name, 120)
    return [w.strip(",;:\"'()") for w in flat.split() if w.strip(",;:\"'()")]


def _plausible(word: str) -> bool:
    """A name, not an initial ("K."), initials ("BE") or an address."""
    bare = word.rstrip(".")
    initials = bare.isupper() and len(bare) <= 3
    return len(bare) > 1 and word[0].isalpha() and "@" not in word and not initials


def first_name(name: str | None) -> str | None:
    """The first name, or None; "Mr Reid" has none (a title and one word is a surname)."""
    all_words = _name_words(name)
    words = [w for w in all_words if w.lower().strip(".") not in _TITLES]
    if not words or not _plausible(words[0]) or (len(words) == 1 < len(all_words)):
        return None
    return words[0][:40]


def formal_name(name: str | None) -> str | None:
    """ "Dr Okafor" from "Dr Sarah Okafor": title and surname, or None without a title."""
    words = _name_words(name)
    if len(words) < 2 or words[0].lower().strip(".") not in _TITLES:
        return None
    surname = words[-1]
    if not _plausible(surname) or surname.lower().strip(".") in _TITLES:
        return None
    title = words[0].rstrip(".")
    if surname.islower():
        surname = surname.capitalize()
    return f"{title[:1].upper()}{title[1:].lower()} {surname[:40]}"


def greeting_name(name: str | None, role: str | None) -> str | None:
    """Who "Dear ..." addresses: title and surname for clinicians who give one, else first name."""
    if role in FORMAL_ROLES:
        return formal_name(name) or first_name(name)
    return first_name(name) or formal_name(name)


def reply_context(parsed: ParsedEmail, reference: str, practice: Practice) -> dict[str, Any]:
    """The only values a reply template sees: no health details, no free text."""
    record = parsed.record
    role = record.referrer.role.value if record.referrer.role else None
    return {
        "practice": practice,
        "reference": reference,
        "referrer_first_name": first_name(record.referrer.name),
        "greeting_name": greeting_name(record.referrer.name, role),
        "referrer_role": role,
        "professional": role in FORMAL_ROLES,
        "client_first_name": first_name(record.client.name),
        "for_child": record.client.age is not None and record.client.age < 18,
        "session_format": record.session_format.value if record.session_format else None,
        "setting": record.setting.value if record.setting else None,
        "delivery": record.delivery.value if record.delivery else None,
        "missing": [MISSING_IN_PLAIN_WORDS.get(m, m.replace("_", " ")) for m in record.missing],
    }


def render(env: Environment, name: str, context: dict[str, Any]) -> tuple[str, str]:
    """(text, html) for a template pair under templates/."""
    text = env.get_template(f"{name}.txt.j2").render(context)
    html = env.get_template(f"{name}.html.j2").render(context)
    return text, html


def message_id(domain: str, *parts: str) -> str:
    """A deterministic Message-ID: the same reply always gets the same one."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"<ip.{digest}@{domain}>"


def _subject(original: str, reference: str) -> str:
    base = clean_header(original) or "Your message"
    base = re.sub(r"\s*\[IP-\d+\]", "", base)
    if not re.match(r"(?i)^re\s*:", base):
        base = f"Re: {base}"
    return f"{base} [{reference}]"


def safe_msg_id(value: str | None) -> str | None:
    """A Message-ID as it may appear in our headers: one `<...>` token, or None."""
    if not value:
        return None
    found = _MSG_ID.fullmatch(value.strip())
    return found.group(0) if found else None


def _references(envelope: Envelope) -> list[str]:
    chain: list[str] = []
    for ref in (*envelope.references, envelope.message_id):
        ok = safe_msg_id(ref)
        if ok and ok not in chain:
            chain.append(ok)
    # RFC 5322 allows trimming; keep the first and the most recent ones.
    if len(chain) > 10:
        chain = chain[:1] + chain[-9:]
    return chain


@lru_cache(maxsize=256)
def bare_address(addr: str | None, purpose: str = "to reply to") -> str:
    """The address itself when it is one plain ASCII addr-spec (no name, no list), else
    ValueError: it goes into a header as it is. Cached: parsing one takes ~40 µs and
    our own addresses are checked for every message."""
    refused = ValueError(f"no valid address {purpose}")
    if not addr or _UNSAFE_HEADER_CHARS.search(addr) or len(addr) > 254 or not addr.isascii():
        raise refused
    try:
        parsed = Address(addr_spec=addr)
    except (ValueError, IndexError, HeaderParseError):
        raise refused from None
    if not parsed.username or "." not in parsed.domain or parsed.addr_spec != addr:
        raise refused
    return addr


def reply_recipient(envelope: Envelope) -> Address:
    """The Reply-To, else the From, as a bare address; ValueError when it is not one."""
    return _address(bare_address(envelope.reply_address))


@lru_cache(maxsize=256)
def _address(addr_spec: str) -> Address:
    """Address objects are immutable, and building one parses its addr-spec (~60 µs):
    a decision and its reply ask for the same one."""
    return Address(addr_spec=addr_spec)


def _sender(practice: Practice) -> str:
    return bare_address(practice.email, "to send from")


def _own_msg_id(msg_id: str) -> str:
    if safe_msg_id(msg_id) != msg_id or not msg_id.isascii():
        raise ValueError(f"not a Message-ID of ours: {msg_id!r}")
    return msg_id


def _automatic(auto_submitted: str) -> list[str]:
    return [f"Auto-Submitted: {auto_submitted}", "X-Auto-Response-Suppress: All"]


def build_reply(
    envelope: Envelope,
    practice: Practice,
    *,
    reference: str,
    text: str,
    html: str,
    msg_id: str,
    now: datetime,
) -> Outgoing:
    """The reply as an email: threaded, marked as automatic (RFC 3834), safe headers."""
    to = bare_address(envelope.reply_address)
    headers = [
        address_header("From", _sender(practice), clean_header(practice.name, 80)),
        address_header("To", to),
        text_header("Subject", _subject(envelope.subject, reference)),
        f"Date: {format_datetime(now)}",
        f"Message-ID: {_own_msg_id(msg_id)}",
    ]
    parent = safe_msg_id(envelope.message_id)
    if parent:
        headers.append(token_header("In-Reply-To", [parent]))
    refs = _references(envelope)
    if refs:
        headers.append(token_header("References", refs))
    headers += _automatic("auto-replied")
    raw = multipart_alternative(headers, text, html, seed=msg_id)
    return Outgoing(raw=raw, message_id=msg_id, recipients=(to,))


def build_alert(
    practice: Practice,
    to: str,
    *,
    subject: str,
    text: str,
    html: str,
    msg_id: str,
    now: datetime,
    urgent: bool = False,
    in_reply_to: str | None = None,
) -> Outgoing:
    """A message for the therapist herself (an urgent alert, the digest, a confirmation).

    in_reply_to threads it under her message (only a well-formed <id> is used).
    """
    name = clean_header(f"{practice.name} intake", 80)
    headers = [
        address_header("From", _sender(practice), name),
        address_header("To", bare_address(to, "for the therapist")),
        text_header("Subject", clean_header(subject)),
        f"Date: {format_datetime(now)}",
        f"Message-ID: {_own_msg_id(msg_id)}",
    ]
    parent = safe_msg_id(in_reply_to)
    if parent:
        headers += [token_header("In-Reply-To", [parent]), token_header("References", [parent])]
    headers += _automatic("auto-generated")
    if urgent:  # shown as high priority by Outlook, Apple Mail, Thunderbird and Gmail
        headers += ["Importance: high", "X-Priority: 1 (Highest)", "Priority: urgent"]
    raw = multipart_alternative(headers, text, html, seed=msg_id)
    return Outgoing(raw=raw, message_id=msg_id, recipients=(to,))


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1] or "localhost"


# ------------------------------------------------------------------ start-up check


def _sample(role: Role | None, fmt: SessionFormat | None, delivery: Delivery | None) -> ParsedEmail:
    return ParsedEmail(
        envelope=Envelope(message_id="<check@localhost>", subject="Check", from_addr="a@b.example"),
        record=Record(
            kind=Kind.referral,
            referrer=Referrer(name="Dr Sam Carter", role=role),
            client=Client(name="Amy Example", age=9)
            if fmt is not SessionFormat.group
            else Client(),
            session_format=fmt,
            delivery=delivery,
            setting=Setting.care_home if fmt is SessionFormat.group else Setting.home,
            missing=("client_age", "consent") if role else (),
        ),
    )


def sample_contexts(practice: Practice) -> list[dict[str, Any]]:
    """Contexts that reach every branch of the reply templates (every role, format, delivery)."""
    contexts = []
    for role in (None, *Role):
        for fmt in (None, *SessionFormat):
            for delivery in (None, *Delivery):
                contexts.append(reply_context(_sample(role, fmt, delivery), "IP-0000", practice))
    return contexts


def check_templates(env: Environment, practice: Practice) -> int:
    """Render every reply and alert template once; ConfigError names the first that breaks.

    Run at start-up and by `intake check`, so a broken template fails there
    and never in a referrer's inbox. Returns how many renders succeeded.
    """
    alert = {"headline": "check", "reference": "IP-0000", "received": "now", "detail": "check"}
    jobs = [
        (f"replies/{name}", ctx) for name in REPLY_TEMPLATES for ctx in sample_contexts(practice)
    ]
    jobs += [(f"alerts/{name}", alert) for name in ALERT_TEMPLATES]
    for name, context in jobs:
        try:
            render(env, name, context)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)  # set on syntax errors only
            where = f" line {line}" if line else ""
            raise ConfigError(f"template {name}{where}: {exc.message or exc}") from None
    return len(jobs)
