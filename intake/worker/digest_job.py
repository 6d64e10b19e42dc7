"""The daily digest job: gather a snapshot from the store, render, queue once a day."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from intake.digest.build import (
    DigestData,
    FollowUpLine,
    Health,
    ReferralLine,
    age_in_days,
    poll_late,
    referral_line,
    render_digest,
    split_followups,
)
from intake.replying.compose import build_alert, domain_of, message_id
from intake.store.db import OutboxRow, ReferralRow, Store
from intake.store.therapist import conflicts
from intake.worker.cycle import Services, enqueue
from intake.worker.digest_replies import REFUSED_EVENT
from intake.worker.rules import ASKED_STATES
from intake.worker.updates import ASK_REPLIES

ASKING = (*ASK_REPLIES, "reminder")

ROBOT_KINDS = ("auto_reply", "bounce", "bulk")


def last_asked(replies: list[OutboxRow], row: ReferralRow) -> str:
    """When we last asked for what is missing (request, shorter request or reminder).

    Falls back to when the referral arrived, for one we never asked (replies off).
    """
    asks = [
        r.sent_at or r.created_at
        for r in replies
        if r.template in ASKING and r.state in ASKED_STATES
    ]
    return max(asks, default=row.created_at)


def enquiry_line(row: ReferralRow, replies: list[OutboxRow]) -> str:
    """What to look at for a new enquiry: it is one, and how it was answered."""
    if not replies:
        return f"{row.reference}: an enquiry; no automatic reply was sent"
    last = replies[-1]
    if last.state in ("sent", "pending", "sending"):
        return f"{row.reference}: an enquiry; answered with the {last.template} reply"
    if last.state == "drafted":
        return f"{row.reference}: an enquiry; the {last.template} reply is in your drafts"
    return f"{row.reference}: an enquiry; the {last.template} reply was not sent ({last.state})"


def _reply_label(store: Store, ref_id: int) -> str:
    rows = store.replies_for_referral(ref_id)
    if not rows:
        return "none"
    return ", ".join(f"{r.template} ({r.state})" for r in rows)


def _since(store: Store, now: datetime) -> datetime:
    last = store.last_digest()
    if last is not None and last["sent_at"]:
        return datetime.fromisoformat(last["sent_at"])
    return now - timedelta(days=1)


def gather(svc: Services, day: date) -> DigestData:
    """A snapshot of everything the digest shows, read from the store."""
    store, now = svc.store, svc.clock.now()
    since = _since(store, now)
    refs = store.referrals()
    by_id = {r.id: r for r in refs}

    def line(r: ReferralRow, waited_from: str | None = None) -> ReferralLine:
        return referral_line(
            r.reference,
            r.status,
            r.parsed,
            _reply_label(store, r.id),
            age_in_days(waited_from or r.created_at, now),
        )

    def waiting(r: ReferralRow) -> ReferralLine:
        return line(r, last_asked(store.replies_for_referral(r.id), r))

    followups = [
        FollowUpLine(
            id=f.id, reference=f.reference or "-", action=f.action, due=f.due, urgent=f.urgent
        )
        for f in store.followups(states=("open",))
    ]
    followups += [
        FollowUpLine(id=f.id, reference=f.reference or "-", action=f.action, due=day)
        for f in store.followups(states=("snoozed",))
        if f.snoozed_until and f.snoozed_until <= day
    ]
    overdue, due_today = split_followups(followups, day)
    look = [f"msg {m.id}: could not be read ({m.error})" for m in store.quarantined()]
    look += [
        enquiry_line(r, store.replies_for_referral(r.id))
        for r in refs
        if r.kind == "enquiry" and datetime.fromisoformat(r.created_at) >= since
    ]
    look += conflict_lines(store)
    look += refused_reply_lines(store, since)
    for o in store.outbox_in_state("uncertain", "failed"):
        ref = by_id[o.referral_id].reference if o.referral_id in by_id else "-"
        settle = f'; check Sent, then reply "sent {ref}" or "resend {ref}"' if ref != "-" else ""
        look.append(f"{ref}: a {o.template} reply may not have been sent ({o.state}){settle}")
    last_poll = store.last_event("poll_ok")
    return DigestData(
        day=day,
        practice_name=svc.cfg.practice.name,
        safeguarding=tuple(line(r) for r in refs if r.safeguarding and r.status not in ("closed",)),
        overdue=overdue,
        due_today=due_today,
        new_referrals=tuple(
            line(r)
            for r in refs
            if r.kind == "referral" and datetime.fromisoformat(r.created_at) >= since
        ),
        awaiting_info=tuple(waiting(r) for r in refs if r.status == "awaiting_info"),
        needs_look=tuple(look),
        health=Health(
            last_poll=_local(svc, last_poll["at"]) if last_poll else "never",
            poll_late=poll_late(
                datetime.fromisoformat(last_poll["at"]) if last_poll else None,
                now,
                svc.cfg.schedule.poll_minutes,
            ),
            robots_ignored=store.count_since(since, ROBOT_KINDS),
            replies_sent=len(
                [
                    o
                    for o in store.outbox_in_state("sent")
                    if o.sent_at and o.sent_at >= since.isoformat(timespec="seconds")
                ]
            ),
            errors=len(store.quarantined()),
        ),
    )


def conflict_lines(store: Store) -> list[str]:
    """Every unresolved contradiction, until she settles it, with both values and how to.

    The values are shown because the digest goes only to the therapist.
    """
    return [
        f"{c.reference}: {c.conflict.field.replace('_', ' ')} recorded {c.conflict.recorded!r},"
        f" a later message says {c.conflict.received!r}; to settle, reply"
        f' "keep {c.reference} {c.conflict.field} recorded" (or new)'
        for c in conflicts(store)
    ]


def refused_reply_lines(store: Store, since: datetime) -> list[str]:
    """Replies to the digest that were not acted on (wrong sender or token)."""
    rows = store.db.execute(
        "SELECT detail FROM events WHERE kind = ? AND at >= ? ORDER BY id",
        (REFUSED_EVENT, since.isoformat(timespec="seconds")),
    )
    return [f"{r[0]}: a reply to the digest failed the check and was not acted on" for r in rows]


def _local(svc: Services, stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(svc.cfg.schedule.zone).strftime("%d %b %H:%M")


def local_day(svc: Services) -> date:
    return svc.clock.now().astimezone(svc.cfg.schedule.zone).date()


def digest_due(svc: Services) -> bool:
    """True from digest_at (local time) until today's digest has been queued."""
    now_local = svc.clock.now().astimezone(svc.cfg.schedule.zone)
    if now_local.time() < svc.cfg.schedule.digest_at:
        return False
    return svc.store.digest_for(now_local.date()) is None


def queue_digest(svc: Services, *, force: bool = False) -> bool:
    """Queue today's digest once; True when one was queued now."""
    store, cfg, now = svc.store, svc.cfg, svc.clock.now()
    day = local_day(svc)
    if not force and not digest_due(svc):
        return False
    data = gather(svc, day)
    if data.quiet and cfg.digest.skip_quiet_days and not force:
        return False
    token = secrets.token_hex(8)
    rfc_id = message_id(domain_of(cfg.practice.email), "digest", day.isoformat(), token)
    subject, text, html = render_digest(svc.env, data, token)
    mail = build_alert(
        cfg.practice, cfg.digest.to, subject=subject, text=text, html=html, msg_id=rfc_id, now=now
    )
    with store.transaction():
        if not store.claim_digest(day, token, rfc_id):
            return False
        enqueue(svc, mail, template="digest", recipient=cfg.digest.to)
        store.digest_sent(day, now)
    return True


def print_digest(svc: Services) -> str:
    data = gather(svc, local_day(svc))
    _, text, _ = render_digest(svc.env, data, "preview")
    return text
