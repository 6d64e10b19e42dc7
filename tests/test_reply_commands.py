"""`intake preview`, the start-up check, and draft mode on the embedded Maildir default."""

from __future__ import annotations

import logging
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from intake.cli import main
from intake.mailbox.maildir import open_maildir
from intake.replying.folders import drafts_path
from intake.worker.cycle import run_cycle
from intake.worker.delivery import startup_check
from tests.worlds import deliver_to_inbox, world, write_config


def test_preview_prints_the_reply_as_received(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Headers and text of the reply, greeting by role, practice facts from the config."""
    config = write_config(tmp_path)
    code = main(["--config", str(config), "preview", "acknowledgement", "--role", "gp"])
    out = capsys.readouterr().out
    assert 0 == code
    assert "Subject: Re: Music therapy referral [IP-0000]" in out
    assert "Auto-Submitted: auto-replied" in out
    assert "Dear Dr Okafor," in out
    assert "HTML alternative" in out


def test_preview_writes_an_eml_a_mail_client_can_open(tmp_path: Path) -> None:
    """--eml FILE: a complete multipart/alternative message."""
    config = write_config(tmp_path)
    out = tmp_path / "reply.eml"
    code = main(
        [
            "--config",
            str(config),
            "preview",
            "missing_information",
            "--format",
            "group",
            "--role",
            "care_home_staff",
            "--eml",
            str(out),
        ]
    )
    msg = message_from_bytes(out.read_bytes(), policy=policy.default)
    assert 0 == code
    assert "multipart/alternative" == msg.get_content_type()
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "40-50 minutes" in text and "could you reply to this email" in text


def test_preview_answers_a_given_email(tmp_path: Path) -> None:
    """--email FILE: the reply is threaded on that email and goes to its sender."""
    config = write_config(tmp_path)
    original = tmp_path / "in.eml"
    original.write_bytes(
        b"From: Sam Carter <sam@school.example>\nTo: hello@innerpulse.example\n"
        b"Subject: Referral\nMessage-ID: <abc@school.example>\n\nPlease see Amy, aged 9.\n"
    )
    out = tmp_path / "reply.eml"
    main(
        [
            "--config",
            str(config),
            "preview",
            "acknowledgement",
            "--email",
            str(original),
            "--eml",
            str(out),
        ]
    )
    msg = message_from_bytes(out.read_bytes(), policy=policy.default)
    assert "sam@school.example" == msg["To"]
    assert "<abc@school.example>" == msg["In-Reply-To"]


def test_start_up_logs_the_reply_mode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Start-up renders every template and says which reply mode is active."""
    svc = world(tmp_path, '[reply]\nmode = "draft"\n')
    with caplog.at_level(logging.INFO, logger="intake.worker"):
        startup_check(svc)
    assert any("reply mode draft" in r.getMessage() for r in caplog.records)


def test_draft_mode_on_maildir_puts_drafts_beside_the_inbox(tmp_path: Path) -> None:
    """Embedded default in draft mode: var/drafts holds the reply; the outbox stays empty."""
    svc = world(tmp_path, '[reply]\nmode = "draft"\n')
    deliver_to_inbox(
        svc,
        b"From: Sam Carter <sam@school.example>\nTo: hello@innerpulse.example\n"
        b"Subject: Referral for Amy\nMessage-ID: <m1@school.example>\n\nI would like to refer"
        b" my pupil Amy Jones, aged 9, for individual music therapy at school. Her parents"
        b" agree to the referral.\nSam Carter, class teacher\n",
    )
    run_cycle(svc)
    run_cycle(svc)
    drafts = open_maildir(drafts_path(svc.cfg.mailbox))
    outbox = open_maildir(svc.cfg.smtp.path)
    replies = [m for m in outbox if "jacqueline@" not in str(m["To"])]
    assert 1 == len(drafts)
    assert [] == replies
    assert "sam@school.example" == next(iter(drafts))["To"]
