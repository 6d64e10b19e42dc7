"""Messages that belong to an existing referral: updates in its thread, and bounces.

An update joins the referral (see deciding/threads.py), fills what was
missing, keeps contradictions aside for the therapist, and is answered with
"thanks_update" (nothing missing now) or the shorter "still_missing". A
bounce that quotes one of our Message-IDs queues "reply address failed".
Logs carry references and message numbers only.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from intake.deciding.followups import (
    Plan,
    bounce_plan,
    conflict_plan,
    contact_plan,
    safeguarding_plan,
)
from intake.deciding.merge import Merged, merge_update
from intake.deciding.policy import Decision, has_valid_reply_address, is_robot_address
from intake.deciding.status import SOFTWARE, after_update
from intake.deciding.threads import ThreadMatch, match_thread
from intake.models import Envelope, Kind, ParsedEmail
from intake.store.db import ReferralRow
from intake.store.therapist import StoreLookups, add_conflicts, set_kind
from intake.worker.cycle import Services, queue_alert, queue_reply

log = logging.getLogger("intake.worker")

UPDATE_REPLIES = ("thanks_update", "still_missing")
ASK_REPLIES = ("missing_information", "still_missing")
MAX_REPLIES_PER_REFERRAL = 6
_OUR_ID = re.compile(rb"<ip\.[0-9a-f]{8,64}@[^<>\s]+>", re.IGNORECASE)


# ------------------------------------------------------------------ bounces


def our_ids_in(raw: bytes) -> list[str]:
    """Our `<ip.…>` Message-IDs quoted anywhere in a message (a bounce report, say)."""
    found = dict.fromkeys(m.decode("ascii", "replace") for m in _OUR_ID.findall(raw))
    return list(found)


def note_bounce(svc: Services, msg_id: int, raw: bytes) -> str | None:
    """A bounce of one of our replies: 'reply address failed' for the therapist, due today."""
    store, now = svc.store, svc.clock.now()
    today = now.astimezone(svc.cfg.schedule.zone).date()
    referral_ids = [r for r in map(store.referral_for_reply, our_ids_in(raw)) if r is not None]
    if not referral_ids:
        return None
    ref_id = referral_ids[0]
    with store.transaction():
        plan = bounce_plan(today)
        store.add_followup(
            action=plan.action, due=plan.due, now=now, referral_id=ref_id, msg_id=msg_id
        )
        store.finish_message(msg_id, state="processed", now=now, kind="bounce", referral_id=ref_id)
    reference = getattr(store.referral(ref_id), "reference", "-")
    log.info("msg %d: bounce of our reply for %s", msg_id, reference)
    return f"msg {msg_id} ref {reference} kind=bounce outcome=reply address failed"


# ------------------------------------------------------------------ updates


def why_no_update_reply(
    svc: Services, row: ReferralRow, update: ParsedEmail, now: datetime
) -> str | None:
    """Why an update may not be answered automatically, or None when it may."""
    cfg, store = svc.cfg, svc.store
    address = update.envelope.reply_address
    if cfg.reply.mode == "off":
        return "replies are off"
    if row.safeguarding or update.record.safeguarding:
        return "safeguarding: held for the therapist"
    if is_robot_address(address) or address == cfg.practice.email.lower():
        return "no reply to a robot or our own address"
    if not has_valid_reply_address(update.envelope):
        return "no valid address to reply to"
    replies = store.replies_for_referral(row.id)
    if len(replies) >= MAX_REPLIES_PER_REFERRAL:
        return "enough automatic replies in this thread"
    recent = iso_cutoff(now, cfg.reply.cooldown_hours)
    if any(r.template in UPDATE_REPLIES and r.created_at >= recent for r in replies):
        return "cooldown: this thread had an update reply recently"
    if store.replies_since(now - timedelta(hours=1)) >= cfg.reply.max_per_hour:
        return "circuit breaker: hourly reply ceiling reached"
    return None


def iso_cutoff(now: datetime, hours: float) -> str:
    return (now - timedelta(hours=hours)).isoformat(timespec="seconds")


def update_plans(
    merged: Merged, status: str | None, update: ParsedEmail, svc: Services
) -> list[Plan]:
    today = svc.clock.now().astimezone(svc.cfg.schedule.zone).date()
    plans: list[Plan] = []
    if update.record.safeguarding:
        plans.append(safeguarding_plan(today))
    if status == "ready_for_contact":
        plans.append(contact_plan(today, svc.cfg.followups))
    if merged.conflicts:
        plans.append(conflict_plan(today))
    return plans


def history_note(msg_id: int, match: ThreadMatch, merged: Merged) -> str:
    """What the update changed, by field name only (values stay sealed)."""
    parts = [f"update in msg {msg_id} (joined by {match.how})"]
    if merged.filled:
        parts.append("filled " + ", ".join(merged.filled))
    if merged.conflicts:
        parts.append("conflicts kept: " + ", ".join(c.field for c in merged.conflicts))
    return "; ".join(parts)


def next_status(row: ReferralRow, merged: Merged) -> str | None:
    complete = not merged.record.missing
    if row.status == "enquiry" and merged.record.kind is Kind.referral:
        return "ready_for_contact" if complete else "awaiting_info"
    return after_update(row.status, complete)


def join_thread(svc: Services, msg_id: int, update: ParsedEmail) -> str | None:
    """Join `update` to the referral it answers; None when it answers none of ours."""
    if update.record.kind.is_robot:
        return None
    store, now = svc.store, svc.clock.now()
    match = match_thread(update.envelope, StoreLookups(store))
    row = store.referral(match.referral_id) if match else None
    if match is None or row is None:
        return None
    merged = merge_update(row.parsed.record, update.record, svc.cfg.extraction.required)
    status = next_status(row, merged)
    record = row.parsed.model_copy(update={"record": merged.record})
    blocked = why_no_update_reply(svc, row, update, now)
    template = "still_missing" if merged.record.missing else "thanks_update"
    with store.transaction():
        store.update_referral(
            row.id,
            now=now,
            actor=SOFTWARE,
            status=status,
            parsed=record,
            note=history_note(msg_id, match, merged),
        )
        if merged.record.kind.value != row.kind:
            set_kind(store, row.id, merged.record.kind.value)
        add_conflicts(store, row.id, msg_id, merged.conflicts, now)
        for plan in update_plans(merged, status, update, svc):
            store.add_followup(
                action=plan.action,
                due=plan.due,
                now=now,
                referral_id=row.id,
                msg_id=msg_id,
                urgent=plan.urgent,
            )
        if update.record.safeguarding:
            queue_alert(
                svc,
                row.reference,
                "safeguarding concern in an update",
                "A message in this referral's thread mentions a possible risk of harm ("
                + ", ".join(update.record.safeguarding)
                + "). Please read it today.",
                f"safeguarding-{msg_id}",
            )
        if blocked is None:
            answer = ParsedEmail(envelope=update.envelope, record=merged.record)
            decision = Decision(record=True, reply=template, why=f"reply with {template}")
            queue_reply(svc, answer, decision, row.reference, (msg_id, row.id))
        store.finish_message(
            msg_id, state="processed", now=now, kind=update.record.kind.value, referral_id=row.id
        )
    log.info("msg %d joined %s by %s", msg_id, row.reference, match.how)
    outcome = template if blocked is None else f"no reply ({blocked})"
    return f"msg {msg_id} ref {row.reference} kind=update outcome={outcome}"


def route_update(svc: Services, msg_id: int, raw: bytes, parsed: ParsedEmail) -> str | None:
    """Handle a message that belongs to an existing referral; None for anything else."""
    if parsed.record.kind is Kind.bounce:
        return note_bounce(svc, msg_id, raw)
    return join_thread(svc, msg_id, parsed)


def envelope_for_followup(
    subject: str, to: str, in_reply_to: str, references: tuple[str, ...]
) -> Envelope:
    """An envelope that makes build_reply thread a message of ours under an earlier one."""
    return Envelope(message_id=in_reply_to, references=references, subject=subject, reply_to=to)
