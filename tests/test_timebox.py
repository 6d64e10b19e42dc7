"""The time limit on reading one message: quarantine, never a stalled batch."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from intake.errors import LimitExceeded
from intake.worker.timebox import time_limit
from tests.test_cycle_maildir import make_config


def test_time_limit_interrupts_a_slow_block() -> None:
    """A block that overruns its limit is interrupted with LimitExceeded."""
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match=r"longer than 0\.05 seconds"), time_limit(0.05):
        while True:
            time.sleep(0.01)
    assert time.monotonic() - started < 1


def test_time_limit_leaves_a_quick_block_alone() -> None:
    """A block within its limit runs to the end, and no alarm is left armed."""
    with time_limit(1.0):
        total = sum(range(1000))
    time.sleep(0.01)
    assert 499500 == total


def test_a_message_over_the_time_limit_is_quarantined_and_the_batch_goes_on(
    tmp_path: Path,
) -> None:
    """With a tiny limit every message is quarantined with the reason; none is lost."""
    import mailbox
    from datetime import UTC, datetime

    from intake.clock import FixedClock
    from intake.worker.cycle import run_cycle
    from intake.worker.services import build_services

    cfg = make_config(tmp_path)
    cfg = cfg.model_copy(
        update={"extraction": cfg.extraction.model_copy(update={"seconds_per_message": 1e-6})}
    )
    svc = build_services(
        cfg, clock=FixedClock(datetime(2026, 11, 25, 7, tzinfo=UTC)), create_key=True
    )
    box = mailbox.Maildir(str(cfg.mailbox.path), create=True)
    samples = Path(__file__).resolve().parents[1] / "intake" / "demo_mail"
    for sample in sorted(samples.glob("*.eml")):
        box.add(sample.read_bytes())
    report = run_cycle(svc)
    assert (4, 4) == (report.processed, report.quarantined)
    reasons = {row.error for row in svc.store.quarantined()}
    assert all("longer than" in (r or "") for r in reasons), reasons


def test_time_limit_interrupts_a_slow_block_in_a_worker_thread() -> None:
    """Off the main thread (the polling scheduler's worker) the limit still interrupts."""
    outcome: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.05):
                while True:
                    sum(range(100))
        except LimitExceeded:
            outcome.append("interrupted")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=5)
    assert ["interrupted"] == outcome


def test_a_finished_block_in_a_worker_thread_is_never_interrupted_later() -> None:
    """A block that ends in time leaves nothing armed to strike afterwards."""
    outcome: list[str] = []

    def work() -> None:
        with time_limit(0.05):
            pass
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            sum(range(100))
        outcome.append("finished")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=5)
    assert ["finished"] == outcome
