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
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from intake.config import Practice
from intake.models import Envelope, ParsedEmail

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
REPLY_TEMPLATES = ("acknowledgement", "missing_information", "enquiry")

MISSING_IN_PLAIN_WORDS = {
    "client_name": "the name of the person you are referring",
    "client_age": "their age or date of birth",
    "reason": "a few words about why you are referring them, and what you hope music therapy"
    " might help with",
    "consent": "whether they (or the person who makes decisions for them) agree to the referral",
    "referrer_phone": "a phone number I can reach you on",
    "setting": "where the sessions would take place (for example at home, school or a care home)",
}

_UNSAFE_HEADER_CHARS = re.compile(r"[\x00-\x1f\x7f]+")
_MAX_SUBJECT = 200


def environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    """Strict: an unknown variable is an error at start-up, not a blank in an email."""
    return Environment(
        loader=FileSystemLoader(str(template_dir)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def clean_header(value: str, limit: int = _MAX_SUBJECT) -> str:
    """One line, no control characters, bounded length: no header injection."""
    flat = _UNSAFE_HEADER_CHARS.sub(" ", value)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def first_name(name: str | None) -> str | None:
    if not name:
        return None
    titles = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "revd", "sister", "nurse"}
    words = [w for w in re.split(r"\s+", name.strip()) if w.lower().strip(".") not in titles]
    if not words or len(words[0].rstrip(".")) <= 1 or not words[0][0].isalpha():
        return None
    return clean_header(words[0], 40)


def reply_context(parsed: ParsedEmail, reference: str, practice: Practice) -> dict[str, Any]:
    """The only values a reply template sees: no health details, no free text."""
    record = parsed.record
    role = record.referrer.role.value if record.referrer.role else None
    return {
        "practice": practice,
        "reference": reference,
        "referrer_first_name": first_name(record.referrer.name),
        "referrer_role": role,
        "client_first_name": record.client.first_name,
        "session_format": record.session_format.value if record.session_format else None,
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


def _references(envelope: Envelope) -> str:
    chain = [r for r in envelope.references if r]
    if envelope.message_id and envelope.message_id not in chain:
        chain.append(envelope.message_id)
    # RFC 5322 allows trimming; keep the first and the most recent ones.
    if len(chain) > 10:
        chain = chain[:1] + chain[-9:]
    return " ".join(chain)


def build_reply(
    envelope: Envelope,
    practice: Practice,
    *,
    reference: str,
    text: str,
    html: str,
    msg_id: str,
    now: datetime,
) -> EmailMessage:
    """The reply as an email: threaded, marked as automatic (RFC 3834), safe headers."""
    to = envelope.reply_address
    if not to:
        raise ValueError("no address to reply to")
    msg = EmailMessage()
    msg["From"] = Address(display_name=clean_header(practice.name, 80), addr_spec=practice.email)
    msg["To"] = to
    msg["Subject"] = _subject(envelope.subject, reference)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = msg_id
    if envelope.message_id:
        msg["In-Reply-To"] = envelope.message_id
    refs = _references(envelope)
    if refs:
        msg["References"] = refs
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def build_alert(
    practice: Practice,
    to: str,
    *,
    subject: str,
    text: str,
    html: str,
    msg_id: str,
    now: datetime,
) -> EmailMessage:
    """A message for the therapist herself (an urgent alert or the digest)."""
    msg = EmailMessage()
    msg["From"] = Address(
        display_name=clean_header(f"{practice.name} intake", 80), addr_spec=practice.email
    )
    msg["To"] = to
    msg["Subject"] = clean_header(subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1] or "localhost"
