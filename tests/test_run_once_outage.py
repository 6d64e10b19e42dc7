"""`intake run --once` with the mailbox unreachable still sends her digest."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from intake.cli import main
from tests.mailservers import free_port


def test_run_once_sends_the_digest_when_the_mailbox_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cycle fails (exit 1) but the due digest is written to the outbox."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "x")
    monkeypatch.delenv("INTAKE_KEY", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[mailbox]
kind = "imap"
host = "127.0.0.1"
port = {free_port()}
security = "none"
username = "nobody"
password_env = "TEST_IMAP_PASSWORD"
timeout_seconds = 5

[schedule]
digest_at = "00:00"

[digest]
to = "jacqueline@innerpulse.example"
"""
    )
    assert 0 == main(["--config", str(config), "keygen"])
    assert 1 == main(["--config", str(config), "run", "--once"])
    outbox = mailbox.Maildir(str(tmp_path / "var" / "outbox"), create=False)
    sent = [outbox.get_bytes(k) for k in outbox.iterkeys()]
    assert 1 == len(sent)
    assert b"To: jacqueline@innerpulse.example" in sent[0]
