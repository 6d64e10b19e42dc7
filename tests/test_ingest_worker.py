"""The long-running worker against real servers: push with IDLE, recovery from a server crash."""

from __future__ import annotations

import time
from pathlib import Path

from intake.config import load_config
from intake.store import open_store
from tests.conftest import Mailbox
from tests.ingest_support import intake, referral, wait_for_replies, write_config
from tests.mailservers import SmtpSink

SLOW_POLL = "[schedule]\npoll_minutes = 60\n"


def prepared(config: Path) -> Path:
    """Create the store's key, as `intake keygen` would."""
    open_store(load_config(config), create_key=True).close()
    return config


def test_idle_answers_new_mail_within_seconds(
    tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """With IDLE, `intake run` answers mail appended by another connection within seconds."""
    config = prepared(write_config(tmp_path, mailbox, smtp_sink, extra=SLOW_POLL))
    worker = intake(config, mailbox, "run")
    try:
        mailbox.append(referral(1))
        wait_for_replies(smtp_sink, 1, timeout=15)
        time.sleep(0.5)
        started = time.monotonic()
        mailbox.append(referral(2))
        wait_for_replies(smtp_sink, 2, timeout=10)
        elapsed = time.monotonic() - started
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=15)
    print(f"latency {elapsed:.3f}")
    assert elapsed < 3.0, err.decode()
    assert 0 == worker.returncode, err.decode()


def test_without_idle_the_worker_polls(
    tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """With use_idle = false, `intake run` polls every poll_minutes and still answers."""
    fast_poll = "[schedule]\npoll_minutes = 0.02\n"
    config = prepared(write_config(tmp_path, mailbox, smtp_sink, use_idle=False, extra=fast_poll))
    worker = intake(config, mailbox, "run")
    try:
        mailbox.append(referral(1))
        try:
            answered = wait_for_replies(smtp_sink, 1, timeout=15)
        except TimeoutError:
            answered = []
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=15)
    assert ["<case-1@surgery.example>"] == answered, err.decode()
