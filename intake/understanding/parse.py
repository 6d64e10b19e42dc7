"""Turns raw message bytes into a ParsedEmail (first, simple version)."""

from __future__ import annotations

import email
import email.policy
import email.utils
import re

from intake.errors import UnreadableMessage
from intake.models import Envelope, Kind, ParsedEmail, Record, Referrer

DEFAULT_REQUIRED: tuple[str, ...] = ("client_name", "client_age", "reason", "consent")


def parse_email(raw: bytes, *, required: tuple[str, ...] = DEFAULT_REQUIRED) -> ParsedEmail:
    """Read, classify and extract one message. Raises UnreadableMessage."""
    if not raw.strip() or b":" not in raw[:2000]:
        raise UnreadableMessage("not an email message: no header block")
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    name, addr = email.utils.parseaddr(str(msg.get("From", "")))
    subject = str(msg.get("Subject", ""))
    envelope = Envelope(
        message_id=(msg.get("Message-ID") or "").strip() or None,
        subject=subject,
        from_name=name or None,
        from_addr=addr.lower() or None,
    )
    kind = Kind.referral
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if msg.get_content_type() == "multipart/report":
        kind = Kind.bounce
    elif auto != "no" or re.match(r"(?i)(automatic reply|out of office)", subject):
        kind = Kind.auto_reply
    elif msg.get("List-Id") or msg.get("List-Unsubscribe"):
        kind = Kind.bulk
    record = Record(kind=kind, referrer=Referrer(name=name or None, email=addr.lower() or None))
    return ParsedEmail(envelope=envelope, record=record)
