"""What to do with an understood email: reply or not, which template, which follow-ups.

A pure function of the parsed email and a small snapshot of history the
worker reads from the store, so every rule is testable without a server.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict

from intake.deciding.workdays import add_working_days
from intake.models import Envelope, Kind, ParsedEmail
from intake.replying.compose import reply_recipient, safe_msg_id

_ROBOT_LOCAL_PART = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?"
    r"|auto[-_.]?(?:reply|responder)|notifications?|listserv|majordomo)(?:[-+_.].*)?$",
    re.IGNORECASE,
)


class History(BaseModel):
    """What the store knows that bears on replying to this email."""

    model_config = ConfigDict(frozen=True)

    our_address: str
    mode: str = "auto"
    # Automatic replies to this sender in this thread within [reply] cooldown_hours.
    replies_to_sender_recently: int = 0
    replies_last_hour: int = 0
    max_per_hour: int = 60
    answers_our_mail: bool = False


class FollowUpPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: str
    due: date
    urgent: bool = False


class Decision(BaseModel):
    """The outcome for one email. `reply` is a template name or None, with `why`."""

    model_config = ConfigDict(frozen=True)

    record: bool
    status: str | None = None
    reply: str | None = None
    why: str
    hold: bool = False
    alert: str | None = None
    followups: tuple[FollowUpPlan, ...] = ()


def is_robot_address(address: str | None) -> bool:
    """noreply@, mailer-daemon@, postmaster@ and their kin never get a reply."""
    if not address or "@" not in address:
        return True
    return bool(_ROBOT_LOCAL_PART.match(address.split("@", 1)[0]))


def thread_root(envelope: Envelope) -> str | None:
    """The thread an email belongs to: the first of References, else In-Reply-To, else itself."""
    for candidate in (*envelope.references, envelope.in_reply_to, envelope.message_id):
        found = safe_msg_id(candidate)
        if found:
            return found
    return None


def is_our_message_id(value: str | None, our_address: str) -> bool:
    """True for a Message-ID of the form we give our own mail: <ip.HEX@our domain>."""
    domain = our_address.rsplit("@", 1)[-1].lower()
    found = safe_msg_id(value)
    return bool(found and re.fullmatch(rf"<ip\.[0-9a-f]+@{re.escape(domain)}>", found.lower()))


def comes_from_a_loop(envelope: Envelope, our_address: str) -> bool:
    """Our own mail coming back: our Message-ID on it or in its References or In-Reply-To."""
    ids = (envelope.message_id, envelope.in_reply_to, *envelope.references)
    return any(is_our_message_id(i, our_address) for i in ids)


def has_valid_reply_address(envelope: Envelope) -> bool:
    try:
        reply_recipient(envelope)
    except ValueError:
        return False
    return True


def template_for(parsed: ParsedEmail) -> str:
    if parsed.record.kind is Kind.enquiry:
        return "enquiry"
    return "missing_information" if parsed.record.missing else "acknowledgement"


def why_not_reply(parsed: ParsedEmail, history: History) -> str | None:
    """The reason no automatic reply may go to this email, or None when one may."""
    kind = parsed.record.kind
    address = parsed.envelope.reply_address
    if kind.is_robot:
        return f"no reply to {kind.value}"
    if history.mode == "off":
        return "replies are off"
    if is_robot_address(address):
        return "no reply to a robot address"
    if address == history.our_address.lower():
        return "no reply to our own address"
    if not has_valid_reply_address(parsed.envelope):
        return "no valid address to reply to"
    if comes_from_a_loop(parsed.envelope, history.our_address):
        return "loop: this email carries our own Message-ID"
    if history.answers_our_mail:
        return "no automatic reply to a reply to our own mail"
    if history.replies_to_sender_recently:
        return "cooldown: this sender had an automatic reply in this thread recently"
    if history.replies_last_hour >= history.max_per_hour:
        return "circuit breaker: hourly reply ceiling reached"
    return None


def followups_for(
    parsed: ParsedEmail, today: date, region: str, contact_days: int
) -> tuple[FollowUpPlan, ...]:
    record = parsed.record
    if record.safeguarding:
        return (FollowUpPlan(action="safeguarding: read and act today", due=today, urgent=True),)
    if record.kind is Kind.referral and not record.missing:
        due = add_working_days(today, contact_days, region)
        return (FollowUpPlan(action="contact the referrer to arrange assessment", due=due),)
    if record.kind is Kind.enquiry:
        return (FollowUpPlan(action="answer the enquiry if it needs more", due=today),)
    return ()


def decide(
    parsed: ParsedEmail,
    history: History,
    today: date,
    *,
    region: str = "england",
    contact_days: int = 2,
) -> Decision:
    """Decide the reply, the referral status and the follow-ups for one email."""
    record = parsed.record
    if record.kind.is_robot:
        return Decision(record=False, why=f"no reply to {record.kind.value}")
    status = None
    if record.kind is Kind.referral:
        status = "awaiting_info" if record.missing else "ready_for_contact"
    followups = followups_for(parsed, today, region, contact_days)
    if record.safeguarding:
        return Decision(
            record=True,
            status=status,
            why="safeguarding: automatic reply held for the therapist",
            hold=True,
            alert="safeguarding",
            followups=followups,
        )
    blocked = why_not_reply(parsed, history)
    reply = None if blocked else template_for(parsed)
    alert = "circuit_breaker" if blocked and blocked.startswith("circuit breaker") else None
    return Decision(
        record=True,
        status=status,
        reply=reply,
        why=blocked or f"reply with {reply}",
        alert=alert,
        followups=followups,
    )
