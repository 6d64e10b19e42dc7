"""What the ingestion tests share: a config for a test mailbox, messages, store queries."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests import configs
from tests.configs import Settings, TomlValue
from tests.conftest import Mailbox
from tests.mailservers import SmtpSink

PASSWORD_ENV = "INTAKE_TEST_IMAP_PASSWORD"


def referral(n: int, *, body: str = "", sender: str = "gp{n}@surgery.example") -> bytes:
    """A small referral from a person, numbered, with CRLF line ends."""
    who = sender.format(n=n)
    text = body or (
        f"Dear Jacqueline,\r\n\r\nI would like to refer a child (case {n}) for music"
        " therapy. The family consents.\r\n"
    )
    return (
        f"From: Dr Case {n} <{who}>\r\nTo: hello@innerpulse.example\r\n"
        f"Subject: Referral number {n}\r\nMessage-ID: <case-{n}@surgery.example>\r\n"
        f"Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n\r\n{text}"
    ).encode()


def write_config(
    root: Path, box: Mailbox, sink: SmtpSink | None = None, *, extra: str = "", **mailbox: TomlValue
) -> Path:
    """The ingestion tests' config: their password variable, and 10 s timeouts so that a
    server that stops answering fails the test instead of hanging it."""
    smtp: dict[str, Settings] = {} if sink is None else {"smtp": {"timeout_seconds": 10}}
    return configs.write_config(
        root,
        box,
        sink,
        extra=extra,
        mailbox={"password_env": PASSWORD_ENV, "timeout_seconds": 10, **mailbox},
        **smtp,
    )


def states(db_path: Path) -> dict[str, int]:
    """Messages by state, read straight from the database file."""
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT state, COUNT(*) FROM messages GROUP BY state").fetchall()
    db.close()
    return {str(state): int(count) for state, count in rows}


def days_ago(days: float) -> datetime:
    from datetime import timedelta

    return datetime.now(UTC) - timedelta(days=days)


def worker_env(box: Mailbox) -> dict[str, str]:
    """The environment of an `intake` subprocess: the project on the path, the password set."""
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": root, PASSWORD_ENV: box.password}


def intake(config: Path, box: Mailbox, *args: str) -> subprocess.Popen[bytes]:
    """Start the real command line on a config, as the service would run it."""
    return subprocess.Popen(
        [sys.executable, "-m", "intake", "--config", str(config), *args],
        env=worker_env(box),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def replies(sink: SmtpSink) -> list[str]:
    """In-Reply-To of every reply the sink received (the digest and alerts have none)."""
    found = (m.message()["In-Reply-To"] for m in sink.messages)
    return [str(value) for value in found if value]


def wait_for_replies(sink: SmtpSink, n: int, timeout: float) -> list[str]:
    """Wait until the sink holds n replies; return them, or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while len(found := replies(sink)) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(found)} of {n} replies in {timeout} s")
        time.sleep(0.005)
    return found
