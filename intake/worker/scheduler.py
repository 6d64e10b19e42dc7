"""The long-running worker: APScheduler 3 runs the poll and the daily digest.

Each job runs at most once at a time (max_instances=1, coalesce), so a slow
or hung server delays the next run rather than piling runs up; socket
timeouts bound every network call.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from intake.errors import TransientError
from intake.store.redact import redact
from intake.worker.cycle import Services, deliver_outbox, run_cycle
from intake.worker.digest_job import queue_digest
from intake.worker.purge_job import purge_if_due

log = logging.getLogger("intake.worker")


class Backoff:
    """Exponential backoff with jitter, capped; reset by a success."""

    def __init__(self, base: float = 5.0, cap: float = 600.0) -> None:
        self.base, self.cap, self.failures = base, cap, 0

    def next_delay(self) -> float:
        self.failures += 1
        return random.uniform(0, min(self.cap, self.base * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


def poll_once(svc: Services, backoff: Backoff) -> float | None:
    """One mailbox cycle, then, whatever came of it, the digest, the outbox and retention.

    The two steps fail apart, so a mailbox that cannot be reached never holds
    back her digest. On a transient failure, log one line and return the delay.
    """
    failure: TransientError | None = None
    try:
        report = run_cycle(svc)
    except TransientError as exc:
        failure = exc
    else:
        log.info(
            "poll done: %d new, %d processed, %d quarantined, %d replies sent",
            report.fetched,
            report.processed,
            report.quarantined,
            report.replies_sent,
        )
    try:
        digest_and_outbox(svc)
        purge_if_due(svc)
    except TransientError as exc:
        failure = failure or exc
    if failure is None:
        backoff.reset()
        return None
    delay = backoff.next_delay()
    svc.store.event("error", svc.clock.now(), str(failure)[:200])
    log.warning("poll failed: %s; next try in %.0f s", redact(str(failure)), delay)
    return delay


def digest_and_outbox(svc: Services) -> None:
    """Queue the day's digest when it is due, then send whatever the outbox holds that is due."""
    queue_digest(svc)
    if not svc.store.outbox_due(svc.clock.now(), limit=1):
        return
    sender = svc.open_sender()
    try:
        deliver_outbox(svc, sender)
    finally:
        sender.close()


def run_forever(svc: Services) -> None:
    """Poll every poll_minutes and queue the digest at digest_at, until stopped.

    An IMAP inbox with use_idle waits for new mail in IDLE instead (watch.py).
    """
    cfg = svc.cfg
    if cfg.mailbox.kind == "imap" and cfg.mailbox.use_idle:
        from intake.worker.watch import run_until_signalled

        run_until_signalled(svc)
        return
    # One executor thread: jobs never overlap, and the store's one connection is
    # only ever used by that thread while the main thread waits in start().
    scheduler = BlockingScheduler(
        timezone=cfg.schedule.zone, executors={"default": ThreadPoolExecutor(max_workers=1)}
    )
    backoff = Backoff()

    def poll() -> None:
        delay = poll_once(svc, backoff)
        if delay is not None:
            retry_at = datetime.now(cfg.schedule.zone) + timedelta(seconds=delay)
            scheduler.add_job(poll, "date", run_date=retry_at, id="retry", replace_existing=True)

    scheduler.add_job(
        poll,
        IntervalTrigger(minutes=cfg.schedule.poll_minutes, timezone=cfg.schedule.zone),
        id="poll",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(cfg.schedule.zone),
        misfire_grace_time=None,
    )
    scheduler.add_job(
        poll,
        CronTrigger(
            hour=cfg.schedule.digest_at.hour,
            minute=cfg.schedule.digest_at.minute,
            timezone=cfg.schedule.zone,
        ),
        id="digest",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    log.info(
        "worker started: polling every %g min, digest at %s %s, reply mode %s",
        cfg.schedule.poll_minutes,
        cfg.schedule.digest_at.strftime("%H:%M"),
        cfg.schedule.timezone,
        cfg.reply.mode,
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("worker stopped")
