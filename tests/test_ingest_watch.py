"""How long the worker waits for mail: never past IDLE's renewal, the poll, or the digest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from intake.clock import FixedClock
from intake.config import parse_config
from intake.worker.services import build_services
from intake.worker.watch import IDLE_RENEW_SECONDS, wait_seconds

SETTINGS = '[schedule]\npoll_minutes = 60\ndigest_at = "08:00"\ntimezone = "Europe/London"\n'


def wait_at(tmp_path: Path, moment: datetime) -> float:
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS)
    svc = build_services(parse_config(SETTINGS, path), clock=FixedClock(moment), create_key=True)
    try:
        return wait_seconds(svc)
    finally:
        svc.store.close()


def test_wait_is_renewed_before_servers_drop_idle(tmp_path: Path) -> None:
    """With a long poll interval, one IDLE lasts at most 9 minutes."""
    assert IDLE_RENEW_SECONDS == wait_at(tmp_path, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


def test_wait_ends_when_the_digest_is_due(tmp_path: Path) -> None:
    """Two minutes before digest_at (London time), the wait ends just after it."""
    assert 121 == wait_at(tmp_path, datetime(2026, 11, 25, 7, 58, tzinfo=UTC))
