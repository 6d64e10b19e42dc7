"""The daily retention run: at most once per local day, from the worker's poll."""

from __future__ import annotations

import logging
from datetime import datetime

from intake.store.retention import PurgeReport, run_purge
from intake.worker.cycle import Services

log = logging.getLogger("intake.worker")


def purge_due(svc: Services) -> bool:
    """True when retention has not yet run today (local time)."""
    last = svc.store.last_event("purge")
    if last is None:
        return True
    zone = svc.cfg.schedule.zone
    return datetime.fromisoformat(last["at"]).astimezone(zone).date() < (
        svc.clock.now().astimezone(zone).date()
    )


def purge_if_due(svc: Services) -> PurgeReport | None:
    """Apply retention once a day; log counts and references only."""
    if not purge_due(svc):
        return None
    report = run_purge(svc.store, svc.cfg.retention, svc.clock.now(), "worker")
    log.info(
        "retention: %d raw messages deleted, %d messages forgotten, %d referrals forgotten %s",
        report.raw,
        report.messages,
        len(report.references),
        " ".join(report.references),
    )
    return report
