"""The periodic follow-up rules step: reminders to referrers, chases for the therapist.

Run once a cycle; idempotent. A reminder's Message-ID is derived from the
request it follows up, so it is queued at most once; a chase is a follow-up
keyed by referral, message and action, so it too is queued at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime

from intake.deciding.followups import CHASE, Chasing, missing_info_step
from intake.models import Envelope, ParsedEmail
from intake.replying.compose import build_reply, domain_of, message_id, render, reply_context
from intake.store.db import OutboxRow, ReferralRow
from intake.store.therapist import last_message_at
from intake.worker.cycle import Services, enqueue, recipients_of
from intake.worker.updates import ASK_REPLIES

log = logging.getLogger("intake.worker")

ASKED_STATES = ("sent", "drafted")
CHUNK = 200  # referrals read at a time


def _local_day(svc: Services, stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(svc.cfg.schedule.zone).date()


def reminder_id(svc: Services, ask: OutboxRow) -> str:
    return message_id(domain_of(svc.cfg.practice.email), "reminder", ask.rfc_message_id)


def latest_ask(svc: Services, ref_id: int) -> OutboxRow | None:
    """Our newest request for missing information that reached (or awaits) the referrer."""
    asks = [
        r
        for r in svc.store.replies_for_referral(ref_id)
        if r.template in ASK_REPLIES and r.state in ASKED_STATES
    ]
    return asks[-1] if asks else None


def chasing_state(svc: Services, row: ReferralRow, ask: OutboxRow) -> Chasing:
    reminder = next(
        (
            r
            for r in svc.store.replies_for_referral(row.id)
            if r.rfc_message_id == reminder_id(svc, ask)
        ),
        None,
    )
    last = last_message_at(svc.store, row.id)
    # An answer that still leaves something missing does not settle our request:
    # when its own reply was held back (cooldown, reply ceiling), the reminder and
    # the chase still follow from the last time we asked.
    return Chasing(
        asked_on=_local_day(svc, ask.sent_at or ask.created_at),
        reminded_on=_local_day(svc, reminder.created_at) if reminder else None,
        answered=bool(last and last > ask.created_at) and not row.parsed.record.missing,
    )


def queue_reminder(svc: Services, row: ReferralRow, ask: OutboxRow) -> None:
    """The one automatic reminder, threaded under our request (Auto-Submitted: auto-replied)."""
    cfg, now = svc.cfg, svc.clock.now()
    asked = svc.store.outbox_raw(ask.id)
    to = recipients_of(asked)[0]
    original = row.parsed.envelope
    envelope = Envelope(
        message_id=ask.rfc_message_id,
        references=tuple(r for r in (original.message_id,) if r),
        subject=original.subject,
        reply_to=to,
    )
    context = reply_context(
        ParsedEmail(envelope=envelope, record=row.parsed.record), row.reference, cfg.practice
    )
    text, html = render(svc.env, "replies/reminder", context)
    rfc_id = reminder_id(svc, ask)
    mail = build_reply(
        envelope,
        cfg.practice,
        reference=row.reference,
        text=text,
        html=html,
        msg_id=rfc_id,
        now=now,
    )
    enqueue(
        svc,
        mail,
        template="reminder",
        recipient=to,
        thread=ask.rfc_message_id,
        msg_id=ask.message_id,
        referral_id=row.id,
    )


def apply_to(svc: Services, row: ReferralRow, today: date) -> str | None:
    ask = latest_ask(svc, row.id)
    if ask is None:
        return None
    step = missing_info_step(chasing_state(svc, row, ask), today, svc.cfg.followups)
    store, now = svc.store, svc.clock.now()
    if step.what == "remind" and svc.cfg.reply.mode != "off":
        with store.transaction():
            if store.is_our_message_id(reminder_id(svc, ask)):
                return None
            queue_reminder(svc, row, ask)
        return f"{row.reference}: reminder queued"
    if step.what == "chase" and step.due is not None:
        added = store.add_followup(
            action=CHASE, due=step.due, now=now, referral_id=row.id, msg_id=ask.message_id
        )
        return f"{row.reference}: chase by phone queued" if added else None
    return None


def awaiting_info(svc: Services) -> Iterator[ReferralRow]:
    """Every referral awaiting information, read CHUNK at a time so memory stays flat."""
    after = 0
    while chunk := svc.store.referrals(statuses=("awaiting_info",), after=after, limit=CHUNK):
        yield from chunk
        after = chunk[-1].id


def apply_followup_rules(svc: Services) -> list[str]:
    """Reminders and chases for every referral awaiting information; what was queued."""
    today = svc.clock.now().astimezone(svc.cfg.schedule.zone).date()
    done: list[str] = []
    for row in awaiting_info(svc):
        if row.safeguarding:
            continue
        outcome = apply_to(svc, row, today)
        if outcome:
            log.info("rules: %s", outcome)
            done.append(outcome)
    return done
