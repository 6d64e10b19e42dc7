"""The therapist's replies to the digest: verify, carry out the commands, confirm.

A reply is acted on only when it comes from the configured therapist address
AND answers a digest we sent: that digest's Message-ID in In-Reply-To (or
References) and its secret token in the subject. A forged From alone cannot
act. Such a message is never treated as a referral and gets no reply other
than the confirmation; one that fails the check is set aside, unanswered,
and listed in the next digest.
"""

from __future__ import annotations

import logging
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Literal, cast

from intake.deciding.merge import conflict_field
from intake.deciding.status import THERAPIST, why_not
from intake.digest.commands import Command, parse_commands
from intake.mailbox.identity import header_block
from intake.replying.compose import build_alert, domain_of, message_id, render
from intake.store.db import ReferralRow
from intake.store.therapist import (
    DigestRow,
    NotResolved,
    digest_by_message_id,
    followup,
    resolve_conflict,
    settle_replies,
    settled_line,
)
from intake.worker.cycle import Services, enqueue

log = logging.getLogger("intake.worker")

KIND = "digest_reply"
REFUSED_EVENT = "digest_reply_refused"
EMAIL_ACTOR = "therapist:email"
_TOKEN = re.compile(r"\[digest ([0-9a-f]+)\]", re.IGNORECASE)
_MAYBE_ANSWER = re.compile(rb"\[digest [0-9a-f]+\]|<ip\.", re.IGNORECASE)
_ID = re.compile(r"<[^<>\s]+>")
_TAGS = re.compile(r"<[^>]+>")


def _ids(msg: EmailMessage) -> list[str]:
    found = _ID.findall(str(msg.get("In-Reply-To", "")))
    return found + list(reversed(_ID.findall(str(msg.get("References", "")))))


def answered_digest(svc: Services, msg: EmailMessage) -> DigestRow | None:
    """The digest this message names in its thread headers, if any."""
    for rfc_id in _ids(msg):
        row = digest_by_message_id(svc.store, rfc_id)
        if row is not None:
            return row
    return None


def claims_digest(msg: EmailMessage, digest: DigestRow | None) -> bool:
    """True for anything presenting itself as a reply to a digest."""
    return digest is not None or bool(_TOKEN.search(str(msg.get("Subject", ""))))


def is_verified(svc: Services, msg: EmailMessage, digest: DigestRow | None) -> bool:
    """From the therapist's address, answering our digest, with that digest's token."""
    sender = parseaddr(str(msg.get("From", "")))[1].lower()
    tokens = [t.lower() for t in _TOKEN.findall(str(msg.get("Subject", "")))]
    return digest is not None and sender == svc.cfg.digest.to and digest.token.lower() in tokens


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = cast(EmailMessage, part).get_content()
    if part.get_content_type() == "text/html":
        text = _TAGS.sub("\n", re.sub(r"(?i)<br\s*/?>", "\n", text))
    return str(text)


def carry_out(svc: Services, command: Command) -> str:
    """Do one command; the line the confirmation shows for it."""
    store, now = svc.store, svc.clock.now()
    if command.verb in ("done", "snooze"):
        assert command.followup_id is not None
        row = followup(store, command.followup_id)
        if row is None or row.state == "done":
            return f"not done: there is no open follow-up #{command.followup_id}"
        if command.verb == "done":
            store.set_followup(row.id, "done", now)
            return f"done: #{row.id} {row.reference or '-'} {row.action}"
        store.set_followup(row.id, "snoozed", now, until=command.until)
        return f"snoozed until {command.until:%a %d %b}: #{row.id} {row.reference or '-'}"
    assert command.reference is not None
    referral = store.referral(command.reference)
    if referral is None:
        return f"not done: no referral {command.reference}"
    if command.verb == "keep":
        return settle_conflict(svc, command, referral)
    if command.verb in ("sent", "resend"):
        how: Literal["sent", "resend"] = "sent" if command.verb == "sent" else "resend"
        count = settle_replies(store, referral, how, actor=EMAIL_ACTOR, now=now)
        return f"{how if count else 'not done'}: {settled_line(referral.reference, how, count)}"
    assert command.status is not None
    refused = why_not(referral.status, command.status, THERAPIST)
    if refused:
        return f"not done: {command.reference}: {refused}"
    store.update_referral(
        referral.id, now=now, actor=THERAPIST, status=command.status, note="by reply to the digest"
    )
    store.audit(THERAPIST, f"status {command.status} (email)", now, referral.reference)
    return f"status: {command.reference} {referral.status} -> {command.status}"


def settle_conflict(svc: Services, command: Command, referral: ReferralRow) -> str:
    """keep IP-0042 client_age recorded|new: settle that conflict as she chose."""
    assert command.field is not None and command.keep is not None
    field = conflict_field(command.field)
    if field is None:
        return f"not done: {command.reference}: {command.field!r} is not a field of a referral"
    try:
        resolve_conflict(
            svc.store, referral, field, command.keep, actor=EMAIL_ACTOR, now=svc.clock.now()
        )
    except NotResolved as exc:
        return f"not done: {exc}"
    return f"settled: {referral.reference} {field}, kept the {command.keep} value"


def confirmation_subject(lines: list[str], unclear: tuple[str, ...]) -> str:
    done = sum(not line.startswith("not done") for line in lines)
    return f"Your reply to the digest: {done} done, {len(lines) - done + len(unclear)} not"


def queue_confirmation(
    svc: Services, msg_id: int, msg: EmailMessage, lines: list[str], unclear: tuple[str, ...]
) -> None:
    cfg, now = svc.cfg, svc.clock.now()
    text, html = render(svc.env, "digest/confirmation", {"done": lines, "unclear": unclear})
    theirs = str(msg.get("Message-ID", "")).strip()
    rfc_id = message_id(domain_of(cfg.practice.email), "confirmation", str(msg_id))
    mail = build_alert(
        cfg.practice,
        cfg.digest.to,
        subject=confirmation_subject(lines, unclear),
        text=text,
        html=html,
        msg_id=rfc_id,
        now=now,
        in_reply_to=theirs,
    )
    enqueue(
        svc,
        mail,
        template="confirmation",
        recipient=cfg.digest.to,
        thread=theirs or None,
        msg_id=msg_id,
    )


def might_answer_digest(raw: bytes) -> bool:
    """A cheap, lenient look: a digest token or one of our Message-IDs anywhere in the
    header block. Run on every message, so no header parse; what follows checks properly."""
    return bool(_MAYBE_ANSWER.search(header_block(raw)))


def handle_digest_reply(svc: Services, msg_id: int, raw: bytes) -> str | None:
    """Act on a verified reply to the digest; set aside a false one; None for other mail."""
    if not might_answer_digest(raw):
        return None
    msg = message_from_bytes(raw, policy=policy.default)
    digest = answered_digest(svc, msg)
    if not claims_digest(msg, digest):
        return None
    store, now = svc.store, svc.clock.now()
    if not is_verified(svc, msg, digest):
        with store.transaction():
            store.event(REFUSED_EVENT, now, f"msg {msg_id}")
            store.finish_message(msg_id, state="ignored", now=now, kind=KIND, error="not verified")
        log.warning("msg %d: a reply to the digest failed verification; not acted on", msg_id)
        return f"msg {msg_id} kind={KIND} outcome=refused (not verified)"
    today = now.astimezone(svc.cfg.schedule.zone).date()
    parsed = parse_commands(body_text(msg), today)
    with store.transaction():
        lines = [carry_out(svc, c) for c in parsed.commands]
        queue_confirmation(svc, msg_id, msg, lines, parsed.not_understood)
        store.finish_message(msg_id, state="processed", now=now, kind=KIND)
    log.info("msg %d: %d digest command(s)", msg_id, len(lines))
    return f"msg {msg_id} kind={KIND} outcome={len(lines)} command(s)"
