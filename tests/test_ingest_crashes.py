"""Crashes: a worker killed at random points, a mail server killed mid-batch."""

from __future__ import annotations

import random
import signal
import sqlite3
import time
from pathlib import Path

from intake.config import load_config
from intake.store import open_store
from tests.conftest import Mailbox
from tests.ingest_support import intake, referral, replies, wait_for_replies, write_config
from tests.mailservers import SmtpSink

BACKLOG = 300
GENEROUS = "[reply]\nmax_per_hour = 10000\n[schedule]\npoll_minutes = 60\n"


def prepared(config: Path) -> Path:
    """Create the store's key, as `intake keygen` would."""
    open_store(load_config(config), create_key=True).close()
    return config


def fill(box: Mailbox, numbers: range) -> None:
    """Append one referral per number, in a few MULTIAPPEND commands."""
    imap = box.client()
    try:
        for start in range(numbers.start, numbers.stop, 100):
            chunk = range(start, min(start + 100, numbers.stop))
            imap.multiappend("INBOX", [referral(n) for n in chunk])
    finally:
        imap.logout()


def run_with_kills(config: Path, box: Mailbox, seed: int) -> int:
    """Run `intake run --once`, SIGKILLing it at random moments, until one run finishes."""
    rng, kills = random.Random(seed), 0
    for attempt in range(60):
        worker = intake(config, box, "run", "--once")
        try:  # the first kills come early, while most of the backlog is still to do
            worker.wait(timeout=rng.uniform(0.5, 1.2) if attempt < 3 else rng.uniform(0.6, 2.5))
        except Exception:
            worker.send_signal(signal.SIGKILL)
            kills += 1
        _, err = worker.communicate(timeout=30)
        if worker.returncode == 0:
            return kills
        assert -signal.SIGKILL == worker.returncode, err.decode()[-2000:]
    raise AssertionError("the worker never finished a run")


def table(config: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(load_config(config).store.path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def wait_for_stored(config: Path, n: int, timeout: float) -> None:
    """Wait until the worker has stored n messages."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if table(config, "SELECT COUNT(*) FROM messages")[0][0] >= n:  # type: ignore[operator]
                return
        except sqlite3.OperationalError:  # the worker has not created the tables yet
            pass
        time.sleep(0.002)
    raise TimeoutError(f"fewer than {n} messages stored in {timeout} s")


def test_worker_killed_at_random_points_handles_each_message_once(
    tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """SIGKILLed mid-backlog and restarted: every message stored once, no reply sent twice."""
    config = prepared(write_config(tmp_path, mailbox, smtp_sink, batch_size=25, extra=GENEROUS))
    fill(mailbox, range(BACKLOG))
    kills = run_with_kills(config, mailbox, seed=3)
    sent = replies(smtp_sink)
    outbox = dict(
        table(config, "SELECT state, COUNT(*) FROM outbox WHERE message_id > 0 GROUP BY state")
    )
    not_sent = sum(outbox.values()) - outbox.get("sent", 0)
    assert [(BACKLOG, BACKLOG)] == table(
        config, "SELECT COUNT(*), COUNT(DISTINCT message_id) FROM message_locations"
    )
    assert {"processed": BACKLOG} == dict(
        table(config, "SELECT state, COUNT(*) FROM messages GROUP BY state")
    )
    assert [(BACKLOG, BACKLOG)] == table(
        config, "SELECT COUNT(*), COUNT(DISTINCT message_id) FROM outbox WHERE message_id > 0"
    )
    assert sorted(set(sent)) == sorted(sent)
    assert outbox.get("sent", 0) <= len(sent) <= BACKLOG
    assert not_sent <= kills
    assert kills >= 3


def test_worker_recovers_by_itself_when_the_mail_server_crashes(
    tmp_path: Path, fresh_dovecot: object, smtp_sink: SmtpSink
) -> None:
    """Dovecot killed mid-batch and restarted: the worker resumes by itself, a line per failure."""
    from tests.conftest import Mailbox as Box
    from tests.mailservers import Dovecot

    server = fresh_dovecot
    assert isinstance(server, Dovecot)
    box = Box(
        server.host,
        server.port,
        server.tls_port,
        server.ca_file,
        server.user,
        server.password,
        server,
    )
    config = prepared(write_config(tmp_path, box, smtp_sink, batch_size=10, extra=GENEROUS))
    fill(box, range(200))
    worker = intake(config, box, "run")
    try:
        wait_for_stored(config, 10, timeout=30)
        server.kill()
        time.sleep(0.5)
        server.start()
        fill(box, range(200, 210))
        wait_for_replies(smtp_sink, 210, timeout=60)
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=15)
    log = err.decode()
    assert sorted(set(replies(smtp_sink))) == sorted(replies(smtp_sink))
    assert "Traceback" not in log
    assert 1 <= log.count("failed") <= 5
