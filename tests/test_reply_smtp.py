"""SMTP as the practice's provider offers it: implicit TLS, STARTTLS, AUTH, verification."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.clock import FixedClock
from intake.config import Smtp
from intake.errors import ConfigError
from intake.replying.senders import SmtpSender
from intake.worker.cycle import run_cycle
from tests.builders import parsed
from tests.mailservers import SmtpMode, SmtpSink
from tests.worlds import START, deliver_to_inbox, smtp_toml, world

RAW = b"From: hello@innerpulse.example\nTo: sam@school.example\nSubject: Hi\n\nHello\n"


@pytest.mark.servers
@pytest.mark.parametrize(("mode", "security"), [("tls", "tls"), ("starttls", "starttls")])
def test_sends_over_verified_tls_with_auth(
    mode: SmtpMode, security: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Implicit TLS (465) and STARTTLS (587): certificate verified, AUTH, message delivered."""
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "secret")
    with SmtpSink(mode, user="sender", password="secret") as sink:
        cfg = Smtp(
            kind="smtp",
            host="localhost",
            port=sink.port,
            security=security,  # type: ignore[arg-type]
            username="sender",
            password_env="TEST_SMTP_PASSWORD",
            ca_file=sink.ca_file,
            timeout_seconds=5,
        )
        sender = SmtpSender(cfg)
        try:
            sender.send(RAW, "hello@innerpulse.example", ["sam@school.example"])
        finally:
            sender.close()
        assert [("sam@school.example",)] == [m.rcpt_tos for m in sink.wait_for(1)]


@pytest.mark.servers
def test_untrusted_certificate_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the server's CA the TLS handshake fails as a ConfigError; nothing is sent."""
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "secret")
    with SmtpSink("tls", user="sender", password="secret") as sink:
        cfg = Smtp(
            kind="smtp",
            host="localhost",
            port=sink.port,
            security="tls",
            username="sender",
            password_env="TEST_SMTP_PASSWORD",
            timeout_seconds=5,
        )
        with pytest.raises(ConfigError, match="certificate"):
            SmtpSender(cfg).send(RAW, "hello@innerpulse.example", ["sam@school.example"])
        assert [] == sink.messages


@pytest.mark.servers
def test_circuit_breaker_stops_replies_and_alerts_once(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    """Over [reply] max_per_hour: no further replies, one urgent alert to the therapist."""
    svc = world(
        tmp_path, smtp_toml(smtp_sink.port) + "[reply]\nmax_per_hour = 2\n", FixedClock(START)
    )
    raws = []
    for n in range(4):
        mail = parsed(sender=f"sender{n}@school.example", message_id=f"<m{n}@school.example>")
        raws.append(
            f"From: Sam Carter <{mail.envelope.from_addr}>\nTo: hello@innerpulse.example\n"
            f"Subject: Referral\nMessage-ID: {mail.envelope.message_id}\n\nI would like to refer"
            " my pupil Amy Jones, aged 9, for individual music therapy at school. Her parents"
            " agree to the referral.\nSam Carter, class teacher\n".encode()
        )
    deliver_to_inbox(svc, *raws)
    run_cycle(svc)
    to_therapist = [m for m in smtp_sink.messages if "jacqueline@" in m.rcpt_tos[0]]
    to_referrers = [m for m in smtp_sink.messages if "jacqueline@" not in m.rcpt_tos[0]]
    assert 2 == len(to_referrers)
    assert 1 == len(to_therapist)
    assert "automatic replies stopped" in str(to_therapist[0].message()["Subject"])
