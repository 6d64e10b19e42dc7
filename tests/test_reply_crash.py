"""A worker killed mid-send: on restart no referrer ever gets the same reply twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from intake.store.crypto import new_key, write_key_file
from tests.conftest import Mailbox
from tests.mailservers import free_port
from tests.worlds import deliver_to_inbox_path, imap_toml, smtp_toml, write_config

REPO = Path(__file__).resolve().parents[1]
GP = "001-gp-autism-primary-school.eml"
THERAPIST = "jacqueline@innerpulse.example"


class KillingHandler:
    """An SMTP server that kills the worker once, at RCPT or right after accepting DATA."""

    def __init__(self, at: str, file_in_sent: Mailbox | None = None) -> None:
        self.at = at
        self.pid: int | None = None
        self.file_in_sent = file_in_sent
        self.received: list[Any] = []
        self.lock = threading.Lock()

    def _kill(self) -> None:
        """Kill the worker, once: later runs go through."""
        pid, self.pid, self.at = self.pid, None, "never"
        if pid is not None:
            os.kill(pid, signal.SIGKILL)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.at == "rcpt" and THERAPIST not in address:
            self._kill()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append((tuple(envelope.rcpt_tos), envelope.content))
        if self.at == "data" and THERAPIST not in envelope.rcpt_tos[0]:
            if self.file_in_sent is not None:  # as Gmail does: the server files it in Sent
                self.file_in_sent.append(envelope.content, "Sent", flags=[b"\\Seen"])
            self._kill()
        return "250 OK: queued"

    def to_referrers(self) -> list[bytes]:
        with self.lock:
            return [content for rcpts, content in self.received if THERAPIST not in rcpts]


@pytest.fixture
def killing_sink() -> Any:
    def make(at: str, file_in_sent: Mailbox | None = None) -> tuple[KillingHandler, int]:
        handler = KillingHandler(at, file_in_sent)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return handler, port

    started: list[Controller] = []
    yield make
    for controller in started:
        controller.stop()


def worker(config: Path, handler: KillingHandler, env: dict[str, str]) -> int:
    """Run `intake run --once` as its own process; the handler may kill it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "intake", "--config", str(config), "run", "--once"],
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    handler.pid = proc.pid
    _, err = proc.communicate(timeout=60)
    handler.pid = None
    assert proc.returncode in (0, -signal.SIGKILL), err.decode(errors="replace")
    return proc.returncode


def setup_world(tmp_path: Path, extra: str) -> Path:
    config = write_config(tmp_path, extra + '[store]\nkey_env = "INTAKE_TEST_NO_KEY"\n')
    write_key_file(tmp_path / "var" / "intake.key", new_key())
    return config


def outbox_states(root: Path) -> list[str]:
    db = sqlite3.connect(root / "var" / "intake.db")
    try:
        rows = db.execute(
            "SELECT state FROM outbox WHERE template NOT IN ('digest', 'alert') ORDER BY id"
        )
        return [r[0] for r in rows]
    finally:
        db.close()


def test_kill_after_server_accepted_sends_no_duplicate(
    tmp_path: Path, killing_sink: Any, shared_dir: Path
) -> None:
    """Killed between the server's acceptance and the store's record: one copy, held uncertain."""
    handler, port = killing_sink("data")
    config = setup_world(tmp_path, smtp_toml(port))
    deliver_to_inbox_path(tmp_path / "var" / "inbox", (shared_dir / "corpus/cases" / GP))
    assert -signal.SIGKILL == worker(config, handler, {})
    assert ["sending"] == outbox_states(tmp_path)
    assert 0 == worker(config, handler, {})
    assert 0 == worker(config, handler, {})
    assert 1 == len(handler.to_referrers())
    assert ["uncertain"] == outbox_states(tmp_path)


def test_kill_after_accept_is_settled_as_sent_when_the_copy_is_in_sent(
    tmp_path: Path, killing_sink: Any, mailbox: Mailbox, shared_dir: Path
) -> None:
    """If the server filed the message in Sent (as Gmail does), the restart marks it sent."""
    handler, port = killing_sink("data", file_in_sent=mailbox)
    config = setup_world(tmp_path, imap_toml(mailbox) + smtp_toml(port, save_to_sent=False))
    mailbox.append((shared_dir / "corpus/cases" / GP).read_bytes())
    env = {"TEST_IMAP_PASSWORD": mailbox.password}
    assert -signal.SIGKILL == worker(config, handler, env)
    assert 0 == worker(config, handler, env)
    assert 1 == len(handler.to_referrers())
    assert ["sent"] == outbox_states(tmp_path)


def test_kill_before_the_message_went_out_sends_it_once_on_restart(
    tmp_path: Path, killing_sink: Any, shared_dir: Path
) -> None:
    """Killed during RCPT (nothing handed over yet): the restart sends it, exactly once."""
    handler, port = killing_sink("rcpt")
    config = setup_world(tmp_path, smtp_toml(port))
    deliver_to_inbox_path(tmp_path / "var" / "inbox", (shared_dir / "corpus/cases" / GP))
    assert -signal.SIGKILL == worker(config, handler, {})
    assert ["pending"] == outbox_states(tmp_path)
    assert 0 == worker(config, handler, {})
    assert 0 == worker(config, handler, {})
    assert 1 == len(handler.to_referrers())
    assert ["sent"] == outbox_states(tmp_path)
