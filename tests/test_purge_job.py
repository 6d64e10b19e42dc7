"""The worker applies retention once per local day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from intake.clock import FixedClock
from intake.config import parse_config
from intake.worker.purge_job import purge_if_due
from intake.worker.services import build_services


def test_retention_runs_once_a_day(tmp_path: Path) -> None:
    """The first poll of a day purges; later polls that day do not; the next day does."""
    text = '[practice]\nemail = "hello@innerpulse.example"\n'
    (tmp_path / "config.toml").write_text(text)
    clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    svc = build_services(parse_config(text, tmp_path / "config.toml"), clock=clock, create_key=True)
    first = purge_if_due(svc)
    clock.advance(hours=2)
    second = purge_if_due(svc)
    clock.advance(days=1)
    third = purge_if_due(svc)
    assert (True, False, True) == (first is not None, second is not None, third is not None)
