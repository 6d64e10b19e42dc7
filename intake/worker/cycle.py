"""One cycle of the worker: fetch, store, understand, decide, reply, remember.

Order matters for safety: a message is stored (with the checkpoint) before
anything happens to it; a reply is queued in the same transaction that
records the decision; sending and flagging on the server happen only after
those commits, and each step is safe to repeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from jinja2 import Environment

from intake.clock import Clock
from intake.config import Config
from intake.deciding.policy import Decision, History, decide, thread_root
from intake.mailbox.fetched import Batch, Fetched, Inbox
from intake.mailbox.identity import HeaderIdentity
from intake.models import ParsedEmail
from intake.replying.compose import (
    build_alert,
    build_reply,
    domain_of,
    message_id,
    render,
    reply_context,
)
from intake.replying.folders import MailFolders
from intake.replying.mime import Outgoing
from intake.replying.senders import Sender
from intake.store.db import Store
from intake.worker.progress import Progress
from intake.worker.understanding_pool import Readers, Understood, Unreadable, batched, understand

log = logging.getLogger("intake.worker")

MAX_ATTEMPTS = 3


@dataclass
class Services:
    """The adapters one cycle works with."""

    cfg: Config
    store: Store
    env: Environment
    clock: Clock
    open_inbox: Callable[[], Inbox]
    open_sender: Callable[[], Sender]
    # Drafts and Sent (draft mode, the Sent copy, crash recovery); None: not available.
    open_folders: Callable[[], MailFolders] | None = None


@dataclass
class CycleReport:
    fetched: int = 0
    processed: int = 0
    quarantined: int = 0
    replies_sent: int = 0
    outcomes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ fetch


def store_fetched(store: Store, item: Fetched, now: datetime) -> bool:
    """Record one fetched message where it was found; True when it is new to the store."""
    head = item.raw if item.raw is not None else item.headers
    state = "old" if item.old else "received" if item.raw is not None else "too_large"
    raw = None if item.old else item.raw
    ident = head or f"{item.folder}:{item.uidvalidity}:{item.uid}".encode()
    heads = HeaderIdentity(head) if head else None
    _, is_new = store.add_message(
        raw,
        size=item.size,
        folder=item.folder,
        uidvalidity=item.uidvalidity,
        uid=item.uid,
        message_id=item.message_id or (heads.message_id if heads else None),
        internal_date=item.internal_date,
        now=now,
        header_digest=heads.section if heads else ident,
        state=state,
        headers_sha256=heads.digest if heads else None,
        promote=item.promote,
    )
    return is_new


def store_batch(store: Store, batch: Batch, now: datetime) -> int:
    """Store every message of a batch and advance the checkpoint, in one transaction."""
    new = 0
    with store.transaction():
        for item in batch.messages:
            new += store_fetched(store, item, now)
        if batch.last_uid:
            store.set_checkpoint(batch.folder, batch.uidvalidity, batch.last_uid, now)
    return new


def fetch_new(
    svc: Services, inbox: Inbox, since: date | None, readers: Readers | None = None
) -> int:
    """Fetch and store what is new; `readers` hears how much, to get ready for a backlog."""
    folder = svc.cfg.mailbox.folder if svc.cfg.mailbox.kind == "imap" else "maildir"
    cp = svc.store.checkpoint(folder)
    last = (cp.uidvalidity, cp.last_uid) if cp else None
    total, progress = 0, Progress("fetched")
    for batch in inbox.batches(last, svc.store, since):
        started = time.monotonic()
        added = store_batch(svc.store, batch, svc.clock.now())
        total += added
        if readers is not None:
            readers.expect(total)
        progress.advance(len(batch.messages))
        log.info(
            "batch stored: %d messages, %d new, up to uid %d, %.0f ms",
            len(batch.messages),
            added,
            batch.last_uid,
            (time.monotonic() - started) * 1000,
        )
    progress.close()
    return total


# ------------------------------------------------------------------ understand and decide


def history_for(svc: Services, parsed: ParsedEmail, now: datetime) -> History:
    store, cfg = svc.store, svc.cfg
    env = parsed.envelope
    address = env.reply_address or ""
    ours = [r for r in (env.in_reply_to, *env.references) if r and store.is_our_message_id(r)]
    cooldown = now - timedelta(hours=cfg.reply.cooldown_hours)
    thread = thread_root(env)
    return History(
        our_address=cfg.practice.email,
        mode=cfg.reply.mode,
        replies_to_sender_recently=store.replies_to(address, cooldown, thread) if address else 0,
        replies_last_hour=store.replies_since(now - timedelta(hours=1)),
        max_per_hour=cfg.reply.max_per_hour,
        answers_our_mail=bool(ours),
    )


def enqueue(
    svc: Services,
    mail: Outgoing,
    *,
    template: str,
    recipient: str,
    thread: str | None = None,
    msg_id: int | None = None,
    referral_id: int | None = None,
) -> int:
    """Put a composed message in the outbox (its bytes already have CRLF line ends)."""
    return svc.store.queue_reply(
        rfc_message_id=mail.message_id,
        raw=mail.raw,
        template=template,
        recipient=recipient,
        thread=thread,
        msg_id=msg_id,
        referral_id=referral_id,
        now=svc.clock.now(),
    )


def queue_reply(
    svc: Services, parsed: ParsedEmail, decision: Decision, reference: str, ids: tuple[int, int]
) -> None:
    assert decision.reply is not None
    msg_id, ref_id = ids
    cfg, now = svc.cfg, svc.clock.now()
    text, html = render(
        svc.env, f"replies/{decision.reply}", reply_context(parsed, reference, cfg.practice)
    )
    rfc_id = message_id(domain_of(cfg.practice.email), "reply", str(msg_id), decision.reply)
    mail = build_reply(
        parsed.envelope,
        cfg.practice,
        reference=reference,
        text=text,
        html=html,
        msg_id=rfc_id,
        now=now,
    )
    enqueue(
        svc,
        mail,
        template=decision.reply,
        recipient=parsed.envelope.reply_address or "",
        thread=thread_root(parsed.envelope),
        msg_id=msg_id,
        referral_id=ref_id,
    )


def queue_alert(svc: Services, reference: str, headline: str, detail: str, key: str) -> None:
    """An urgent email to the therapist (safeguarding hold, circuit breaker)."""
    cfg, now = svc.cfg, svc.clock.now()
    context = {
        "headline": headline,
        "reference": reference,
        "received": now.astimezone(cfg.schedule.zone).strftime("%d %b %Y %H:%M"),
        "detail": detail,
    }
    text, html = render(svc.env, "alerts/urgent", context)
    rfc_id = message_id(domain_of(cfg.practice.email), "alert", key)
    mail = build_alert(
        cfg.practice,
        cfg.digest.to,
        subject=f"URGENT: {headline} ({reference})",
        text=text,
        html=html,
        msg_id=rfc_id,
        now=now,
        urgent=True,
    )
    enqueue(svc, mail, template="alert", recipient=cfg.digest.to)


def record_decision(svc: Services, msg_id: int, parsed: ParsedEmail, decision: Decision) -> str:
    """Record the outcome, queue its reply and follow-ups: all in one transaction."""
    store, now = svc.store, svc.clock.now()
    kind = parsed.record.kind.value
    with store.transaction():
        if not decision.record:
            store.finish_message(msg_id, state="ignored", now=now, kind=kind)
            return f"msg {msg_id} kind={kind} outcome=ignored"
        status = decision.status or kind
        ref_id, reference = store.add_referral(
            msg_id, parsed, status=status, now=now, actor="intake"
        )
        for plan in decision.followups:
            store.add_followup(
                action=plan.action,
                due=plan.due,
                now=now,
                referral_id=ref_id,
                msg_id=msg_id,
                urgent=plan.urgent,
            )
        if decision.reply:
            queue_reply(svc, parsed, decision, reference, (msg_id, ref_id))
        if decision.alert == "safeguarding":
            queue_alert(
                svc,
                reference,
                "safeguarding concern in a new message",
                "The message mentions a possible risk of harm ("
                + ", ".join(parsed.record.safeguarding)
                + "). Please read it today.",
                f"safeguarding-{msg_id}",
            )
        elif decision.alert == "circuit_breaker":
            hour = now.strftime("%Y%m%d%H")
            if not store.is_our_message_id(
                message_id(domain_of(svc.cfg.practice.email), "alert", f"breaker-{hour}")
            ):
                queue_alert(
                    svc,
                    reference,
                    "automatic replies stopped",
                    "The hourly ceiling of automatic replies was reached; replies are paused.",
                    f"breaker-{hour}",
                )
        store.finish_message(msg_id, state="processed", now=now, kind=kind, referral_id=ref_id)
    return f"msg {msg_id} ref {reference} kind={kind} outcome={decision.reply or 'no reply'}"


def route_special(svc: Services, msg_id: int, raw: bytes) -> str | None:
    """A reply to the digest is the therapist's, never a referral (see digest_replies)."""
    from intake.worker.digest_replies import handle_digest_reply

    return handle_digest_reply(svc, msg_id, raw)


def route_update(svc: Services, msg_id: int, raw: bytes, parsed: ParsedEmail) -> str | None:
    """A message in a referral's thread, or a bounce of our reply (see updates)."""
    from intake.worker.updates import route_update as route

    return route(svc, msg_id, raw, parsed)


def quarantine(svc: Services, msg_id: int, failure: Unreadable) -> str:
    """Keep a message that could not be handled, with why; a bug is logged by place."""
    if failure.bug:  # log where, never the message's text
        log.error("msg %d: internal error while processing (%s)", msg_id, failure.bug)
        log.debug("msg %d: at %s", msg_id, failure.at)
    reason = failure.reason
    svc.store.finish_message(msg_id, state="quarantined", now=svc.clock.now(), error=reason[:300])
    return f"msg {msg_id} outcome=quarantined ({reason})"


def decide_and_record(svc: Services, msg_id: int, raw: bytes, understood: Understood | None) -> str:
    """Everything after the digest check: understand (unless a worker has), decide, record."""
    cfg = svc.cfg
    if understood is None:  # read here, the same way a reading worker does
        understood = understand(
            raw, required=cfg.extraction.required, seconds=cfg.extraction.seconds_per_message
        )
    if isinstance(understood, Unreadable):
        return quarantine(svc, msg_id, understood)
    parsed = understood
    outcome = route_update(svc, msg_id, raw, parsed)
    if outcome:
        return outcome
    now = svc.clock.now()
    local_today = now.astimezone(cfg.schedule.zone).date()
    decision = decide(
        parsed,
        history_for(svc, parsed, now),
        local_today,
        region=cfg.followups.region,
        contact_days=cfg.followups.contact_due_working_days,
    )
    return record_decision(svc, msg_id, parsed, decision)


def process_message(
    svc: Services, msg_id: int, raw: bytes | None = None, understood: Understood | None = None
) -> str:
    """Understand and decide one stored message; quarantine it on any failure.

    `raw` and `understood` are passed when a worker process has read the
    message already (see understanding_pool); otherwise it is read here.
    """
    store = svc.store
    raw = store.raw(msg_id) if raw is None else raw
    if raw is None:
        store.finish_message(msg_id, state="ignored", now=svc.clock.now())
        return f"msg {msg_id} outcome=no body"
    try:
        # A savepoint inside a group's transaction: a failure undoes this message alone.
        with store.transaction():
            return route_special(svc, msg_id, raw) or decide_and_record(
                svc, msg_id, raw, understood
            )
    except Exception as exc:
        return quarantine(svc, msg_id, Unreadable.of(exc))


# ------------------------------------------------------------------ deliver


# Delivery (and its exactly-once strategy) lives in intake/worker/delivery.py.


# ------------------------------------------------------------------ the cycle


FINISH_CHUNK = 500  # handled messages flagged or moved on the server at a time


def finish_on_server(svc: Services, inbox: Inbox, folder: str) -> None:
    """Flag or move what was handled, a chunk at a time so memory stays flat."""
    while done := svc.store.locations_to_finish(folder, limit=FINISH_CHUNK):
        inbox.finish([(validity, uid) for _, validity, uid in done])
        # not fsynced: lost in a power cut, these are finished again, which is safe to repeat
        with svc.store.transaction(durable=False):
            svc.store.mark_server_done(sorted({msg_id for msg_id, _, _ in done}))


def process_pending(
    svc: Services,
    report: CycleReport,
    between_groups: Callable[[], None] | None = None,
    readers: Readers | None = None,
) -> None:
    """Every message waiting to be understood, in arrival order.

    `between_groups` runs after each committed group (the cycle sends the
    replies queued so far, so a long backlog does not hold them all back).
    """
    store = svc.store
    pending = store.messages_to_process(MAX_ATTEMPTS)
    progress = Progress("processed")
    own = readers is None
    readers = readers or Readers(svc.cfg.extraction)
    try:
        readers.expect(len(pending))
        read, group_size = readers.reader()
        messages = read((msg_id, store.raw(msg_id)) for msg_id in pending)
        for group in batched(messages, group_size):
            with store.transaction():
                for msg_id, raw, understood in group:
                    progress.advance()
                    started = time.monotonic()
                    outcome = process_message(svc, msg_id, raw, understood)
                    report.processed += 1
                    report.quarantined += "quarantined" in outcome
                    report.outcomes.append(outcome)
                    log.info("%s %.0f ms", outcome, (time.monotonic() - started) * 1000)
            if between_groups is not None:
                between_groups()
    finally:
        if own:
            readers.close()
    progress.close()


def apply_rules(svc: Services) -> list[str]:
    """Reminders to referrers and chases for the therapist (see rules)."""
    from intake.worker.rules import apply_followup_rules

    return apply_followup_rules(svc)


def run_cycle(svc: Services, since: date | None = None) -> CycleReport:
    """Fetch, process and reply once. Raises TransientError when a server is unreachable."""
    report = CycleReport()
    folder = svc.cfg.mailbox.folder if svc.cfg.mailbox.kind == "imap" else "maildir"
    recover_interrupted_sends(svc)
    inbox = svc.open_inbox()
    outbox, readers = Outbox(svc), Readers(svc.cfg.extraction)
    try:
        report.fetched = fetch_new(svc, inbox, since, readers)

        def send_so_far() -> None:
            report.replies_sent += outbox.deliver_meanwhile()

        process_pending(svc, report, send_so_far, readers)
        readers.close()
        report.outcomes.extend(apply_rules(svc))
        report.replies_sent += outbox.deliver()
        finish_on_server(svc, inbox, folder)
    finally:
        readers.close()
        outbox.close()
        inbox.close()
    svc.store.event("poll_ok", svc.clock.now(), f"{report.fetched} new")
    return report


from intake.worker.delivery import (  # noqa: E402  (delivery needs Services, defined above)
    Outbox,
    deliver_outbox,
    recipients_of,
    recover_interrupted_sends,
    retry_delay,
)

__all__ = [
    "CycleReport",
    "Services",
    "deliver_outbox",
    "recipients_of",
    "recover_interrupted_sends",
    "retry_delay",
    "run_cycle",
]
