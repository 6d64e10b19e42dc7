"""End to end: real Dovecot in, real SMTP out, through the `intake` command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.configs import write_config
from tests.conftest import Mailbox
from tests.mailservers import SmtpSink

REPO = Path(__file__).resolve().parents[1]
REFERRAL = "001-gp-autism-primary-school.eml"
AUTO_REPLY = "035-autoreply-outlook-ooo-headers.eml"
BOUNCE = "039-bounce-postfix-rfc3464.eml"
DIGEST_TO = "jacqueline@innerpulse-music.co.uk"


def intake(config: Path, mailbox: Mailbox, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TEST_IMAP_PASSWORD=mailbox.password, PYTHONPATH=str(REPO))
    env.pop("INTAKE_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "intake", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def setup(tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink, shared_dir: Path) -> Path:
    cases = shared_dir / "corpus" / "cases"
    for name in (REFERRAL, AUTO_REPLY, BOUNCE):
        mailbox.append((cases / name).read_bytes())
    config = write_config(
        tmp_path,
        mailbox,
        smtp_sink,
        practice={"email": "hello@innerpulse-music.co.uk"},
        mailbox={"password_env": "TEST_IMAP_PASSWORD", "first_run_days": 3650},
        store={"path": "var/intake.db", "key_file": "var/intake.key"},
        digest={"to": DIGEST_TO},
    )
    keygen = intake(config, mailbox, "keygen")
    assert 0 == keygen.returncode, keygen.stderr
    return config


def text_part(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def test_referral_becomes_record_reply_followup_and_digest_line(
    setup: Path, mailbox: Mailbox, smtp_sink: SmtpSink, shared_dir: Path
) -> None:
    """One cycle: one threaded reply to the referrer, none to robots; stored, queued, listed."""
    first = intake(setup, mailbox, "run", "--once")
    assert 0 == first.returncode, first.stderr

    replies = [m for m in smtp_sink.messages if list(m.rcpt_tos) != [DIGEST_TO]]
    assert 1 == len(replies)
    original = message_from_bytes(
        (shared_dir / "corpus" / "cases" / REFERRAL).read_bytes(), policy=policy.default
    )
    reply = message_from_bytes(replies[0].content, policy=policy.default)
    assert ["priya.raman@nhs.example"] == list(replies[0].rcpt_tos)
    assert original["Message-ID"] == reply["In-Reply-To"]
    assert original["Message-ID"] == reply["References"]
    assert "auto-replied" == reply["Auto-Submitted"]
    text = text_part(reply)
    assert "30-40 minutes" in text
    assert "3 sessions" in text

    db = sqlite3.connect(setup.parent / "var" / "intake.db")
    assert 1 == db.execute("SELECT COUNT(*) FROM referrals WHERE kind = 'referral'").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM followups WHERE state = 'open'").fetchone()[0] >= 1
    db.close()

    digests = [m for m in smtp_sink.messages if list(m.rcpt_tos) == [DIGEST_TO]]
    if not digests:  # before digest_at (local time) the cycle does not send it: ask for it
        sent = intake(setup, mailbox, "digest", "--send")
        assert 0 == sent.returncode, sent.stderr
        digests = [m for m in smtp_sink.messages if list(m.rcpt_tos) == [DIGEST_TO]]
    assert 1 == len(digests)
    assert "IP-0001" in text_part(message_from_bytes(digests[0].content, policy=policy.default))

    count = len(smtp_sink.messages)
    second = intake(setup, mailbox, "run", "--once")
    assert 0 == second.returncode, second.stderr
    assert count == len(smtp_sink.messages)
