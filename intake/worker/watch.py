"""The worker's main loop with push: a cycle, then wait in IDLE for the next message.

One thread does everything (the SQLite connection belongs to it): run a
cycle (which also queues the digest when due), then wait on a second IMAP
connection in IDLE until new mail arrives or poll_minutes pass. IDLE is
re-issued well before servers drop it (about every 9 minutes). Without IDLE,
or when waiting fails, the wait is a plain sleep and the cycle polls. A lost
connection is retried with capped exponential backoff and one log line.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from datetime import timedelta

from intake.errors import TransientError
from intake.mailbox.fetched import Inbox
from intake.worker.cycle import Services
from intake.worker.scheduler import Backoff, poll_once

log = logging.getLogger("intake.worker")

IDLE_RENEW_SECONDS = 9 * 60
"""Servers may drop an IDLE after 30 minutes (RFC 2177), some after 10: renew before."""


class Watcher:
    """A second IMAP connection that waits for new mail; reconnects on next use after a failure."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.inbox: Inbox | None = None

    def wait(self, timeout: float) -> bool:
        """True when new mail may be waiting; raise TransientError when the server is gone."""
        folder = self.svc.cfg.mailbox.folder
        checkpoint = self.svc.store.checkpoint(folder)
        last_uid = checkpoint.last_uid if checkpoint else 0
        try:
            if self.inbox is None:
                self.inbox = self.svc.open_inbox()
            return self.inbox.wait_for_change(timeout, last_uid)
        except TransientError:
            self.close()
            raise

    def close(self) -> None:
        inbox, self.inbox = self.inbox, None
        if inbox is not None:
            inbox.close()


def seconds_until_digest(svc: Services) -> float:
    """Seconds from now until the next digest_at, local time (a second after, to be due)."""
    schedule = svc.cfg.schedule
    now = svc.clock.now().astimezone(schedule.zone)
    at = now.replace(
        hour=schedule.digest_at.hour, minute=schedule.digest_at.minute, second=0, microsecond=0
    )
    if at <= now:
        at += timedelta(days=1)
    return (at - now).total_seconds() + 1


def wait_seconds(svc: Services) -> float:
    """How long one wait may last: the poll interval, never past the digest, nor a long IDLE."""
    return min(svc.cfg.schedule.poll_minutes * 60, IDLE_RENEW_SECONDS, seconds_until_digest(svc))


def run_loop(svc: Services, stop: threading.Event) -> None:
    """Cycle, wait for mail, cycle again, until stop is set.

    Waiting has its own backoff, reset only by a wait that worked: a server
    whose IDLE keeps failing is polled ever less often, up to the cap, rather
    than every few seconds.
    """
    backoff, idle_backoff, watcher = Backoff(), Backoff(), Watcher(svc)
    log.info("worker started: waiting for new mail (IDLE where the server has it)")
    try:
        while not stop.is_set():
            delay = poll_once(svc, backoff)
            if delay is not None:
                watcher.close()
                stop.wait(delay)
                continue
            try:
                watcher.wait(wait_seconds(svc))
                idle_backoff.reset()
            except TransientError as exc:
                delay = idle_backoff.next_delay()
                log.warning("waiting for mail failed: %s; next try in %.0f s", exc, delay)
                stop.wait(delay)
    finally:
        watcher.close()
        log.info("worker stopped")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run_until_signalled(svc: Services) -> None:
    """run_loop in the main thread; SIGTERM or Ctrl-C end it between two safe points.

    Every step is transactional, so leaving mid-cycle loses nothing.
    """
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        run_loop(svc, threading.Event())
