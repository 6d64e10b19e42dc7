"""The whole route on the embedded default (Maildir in and out, SQLite): no server."""

from __future__ import annotations

import mailbox
import sqlite3
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from intake.clock import FixedClock
from intake.config import Config, parse_config
from intake.mailbox.maildir import arrival_order
from intake.worker.cycle import Services, run_cycle
from intake.worker.digest_job import print_digest, queue_digest
from intake.worker.services import build_services

SAMPLES = Path(__file__).resolve().parents[1] / "intake" / "demo_mail"


def make_config(root: Path) -> Config:
    text = (
        '[practice]\nemail = "hello@innerpulse.example"\n'
        '[digest]\nto = "jacqueline@innerpulse.example"\n'
    )
    path = root / "config.toml"
    path.write_text(text)
    return parse_config(text, path)


@pytest.fixture
def svc(tmp_path: Path) -> Services:
    clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    services = build_services(make_config(tmp_path), clock=clock, create_key=True)
    box = mailbox.Maildir(str(tmp_path / "var" / "inbox"), create=True)
    for sample in sorted(SAMPLES.glob("*.eml")):
        box.add(sample.read_bytes())
    return services


def outbox(svc: Services) -> list[bytes]:
    box = mailbox.Maildir(str(svc.cfg.smtp.path), create=False)
    return [box.get_bytes(k) for k in box.iterkeys()]


def test_cycle_replies_to_people_and_not_to_robots(svc: Services) -> None:
    """Of the four samples, the two written by people get replies; robots get none."""
    report = run_cycle(svc)
    assert (4, 4, 2) == (report.fetched, report.processed, report.replies_sent)
    recipients = sorted(
        str(message_from_bytes(m, policy=policy.default)["To"]) for m in outbox(svc)
    )
    assert ["h.whitfield@riverside-surgery.example", "priya.sandhu@mail.example"] == recipients


def test_second_cycle_sends_nothing(svc: Services) -> None:
    """Running the cycle again on the same inbox sends nothing new."""
    run_cycle(svc)
    again = run_cycle(svc)
    assert (0, 0, 0) == (again.fetched, again.processed, again.replies_sent)
    assert 2 == len(outbox(svc))


def test_referral_is_stored_encrypted_with_a_followup(svc: Services) -> None:
    """The record is in SQLite, sealed; a follow-up is queued for the therapist."""
    run_cycle(svc)
    refs = svc.store.referrals()
    assert refs and refs[0].reference == "IP-0001"
    assert svc.store.followups()
    db = sqlite3.connect(svc.cfg.store.path)
    blob = db.execute("SELECT record_sealed FROM referrals").fetchone()[0]
    assert b"Whitfield" not in blob


def test_digest_lists_new_referral_and_is_sent_once(svc: Services) -> None:
    """The digest shows the new referral; it is queued once a day however often asked."""
    run_cycle(svc)
    assert "IP-0001" in print_digest(svc)
    assert queue_digest(svc)
    assert not queue_digest(svc)
    assert not queue_digest(svc, force=True)


def test_digest_waits_for_digest_time(tmp_path: Path) -> None:
    """Before digest_at (local time) no digest is queued."""
    clock = FixedClock(datetime(2026, 11, 25, 7, 30, tzinfo=UTC))
    services = build_services(make_config(tmp_path), clock=clock, create_key=True)
    assert not queue_digest(services)
    clock.advance(hours=1)
    assert queue_digest(services)


def test_maildir_mail_is_taken_in_delivery_order_across_a_microsecond_digit() -> None:
    """Names carry unpadded microseconds: .M99999 was delivered before .M100000."""
    names = [
        "1764064801.M5P7Q3.host",
        "1764064800.M100000P7Q2.host",
        "1764064800.M99999P7Q1.host",
        "other-tool-name",
    ]
    assert sorted(names, key=arrival_order) == [
        "1764064800.M99999P7Q1.host",
        "1764064800.M100000P7Q2.host",
        "1764064801.M5P7Q3.host",
        "other-tool-name",
    ]
