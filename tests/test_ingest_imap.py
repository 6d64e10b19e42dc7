"""Ingestion from a real Dovecot: exactly once, her mailbox left as she knows it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.config import load_config
from intake.worker import cycle
from intake.worker.cycle import Services, run_cycle
from intake.worker.services import build_services
from tests.conftest import Mailbox
from tests.ingest_support import PASSWORD_ENV, days_ago, referral, states, write_config
from tests.mailservers import SmtpSink


@pytest.fixture(autouse=True)
def _password(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, mailbox.password)


@pytest.fixture
def services(tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink) -> Iterator[Services]:
    svc = build_services(load_config(write_config(tmp_path, mailbox, smtp_sink)), create_key=True)
    yield svc
    svc.store.close()


def reopen(
    svc: Services, tmp_path: Path, box: Mailbox, sink: SmtpSink, **mailbox: object
) -> Services:
    """The same store with another [mailbox] section."""
    svc.store.close()
    return build_services(load_config(write_config(tmp_path, box, sink, **mailbox)))


def flags_of(box: Mailbox, folder: str = "INBOX") -> dict[int, set[bytes]]:
    imap = box.client()
    try:
        imap.select_folder(folder, readonly=True)
        found = imap.get_flags(imap.search()).items()
        return {uid: set(flags) - {b"\\Recent"} for uid, flags in found}
    finally:
        imap.logout()


def replied_to(sink: SmtpSink) -> list[str]:
    return sorted(str(m.message()["In-Reply-To"]) for m in sink.messages)


def test_new_mail_is_stored_answered_and_flagged_but_stays_unread(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """Each new referral is stored and answered once; on the server it is flagged, not read."""
    for n in range(3):
        mailbox.append(referral(n))
    report = run_cycle(services)
    assert (3, 3, 3) == (report.fetched, report.processed, report.replies_sent)
    assert [f"<case-{n}@surgery.example>" for n in range(3)] == replied_to(smtp_sink)
    assert [{b"$Intake"}] * 3 == list(flags_of(mailbox).values())


def test_handled_mail_is_flagged_a_chunk_at_a_time(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More handled messages than one chunk: every one is flagged, and the cycle ends."""
    monkeypatch.setattr(cycle, "FINISH_CHUNK", 2)
    for n in range(5):
        mailbox.append(referral(n))
    run_cycle(services)
    assert [{b"$Intake"}] * 5 == list(flags_of(mailbox).values())
    assert [] == services.store.locations_to_finish("INBOX")


def test_second_cycle_with_nothing_new_does_nothing(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """A cycle after everything was handled fetches, processes and sends nothing."""
    mailbox.append(referral(1))
    run_cycle(services)
    again = run_cycle(services)
    assert (0, 0, 0) == (again.fetched, again.processed, again.replies_sent)
    assert 1 == len(smtp_sink.messages)


def test_first_run_handles_only_recent_mail_and_records_the_rest(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """On first connection mail older than first_run_days is recorded as seen and left alone."""
    mailbox.append(referral(1), msg_time=days_ago(5))
    mailbox.append(referral(2), msg_time=days_ago(3))
    mailbox.append(referral(3), msg_time=days_ago(0.5))
    run_cycle(services)
    assert {"old": 2, "processed": 1} == states(services.cfg.store.path)
    assert ["<case-3@surgery.example>"] == replied_to(smtp_sink)
    assert [set(), set(), {b"$Intake"}] == list(flags_of(mailbox).values())


def test_since_overrides_the_first_run_window(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """`run --once --since DATE` on first connection handles mail from that date."""
    mailbox.append(referral(1), msg_time=days_ago(9))
    mailbox.append(referral(2), msg_time=days_ago(5))
    run_cycle(services, since=days_ago(7).date())
    assert {"old": 1, "processed": 1} == states(services.cfg.store.path)


def test_oversized_message_is_recorded_with_headers_not_fetched(
    tmp_path: Path, services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """A body over max_message_mb is not fetched; its headers and size are kept for her."""
    big = referral(1, body="x" * 70 + "\r\n") * 1
    big = big + (b"y" * 76 + b"\r\n") * 40
    mailbox.append(big)
    mailbox.append(referral(2))
    svc = reopen(services, tmp_path, mailbox, smtp_sink, max_message_mb=0.002)
    run_cycle(svc)
    assert {"too_large": 1, "processed": 1} == states(svc.cfg.store.path)
    row = svc.store.db.execute("SELECT size, raw_sealed FROM messages WHERE state = 'too_large'")
    size, sealed = row.fetchone()
    assert (len(big.replace(b"\r\n", b"\n")) + big.count(b"\r\n"), None) == (size, sealed)
    svc.store.close()


def test_same_message_in_two_folders_is_one_message(
    tmp_path: Path, services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """A Gmail-style copy under a second label is recognised: stored once, answered once."""
    mailbox.append(referral(1))
    mailbox.append(referral(1), folder="Referrals")
    run_cycle(services)
    svc = reopen(services, tmp_path, mailbox, smtp_sink, folder="Referrals")
    report = run_cycle(svc)
    assert 0 == report.fetched
    assert {"processed": 1} == states(svc.cfg.store.path)
    assert 1 == len(smtp_sink.messages)
    svc.store.close()


def test_uidvalidity_change_rescans_without_repeating_or_skipping(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """After UIDVALIDITY changes, handled mail is recognised and only new mail is handled."""
    mailbox.append(referral(1), msg_time=days_ago(5))
    mailbox.append(referral(2))
    run_cycle(services)
    doveadm = ["doveadm", "-c", str(mailbox.server.config_path), "mailbox", "update"]
    subprocess.run([*doveadm, "-u", mailbox.user, "--uid-validity", "4242", "INBOX"], check=True)
    mailbox.append(referral(3))
    report = run_cycle(services)
    assert 1 == report.fetched
    assert {"old": 1, "processed": 2} == states(services.cfg.store.path)
    assert ["<case-2@surgery.example>", "<case-3@surgery.example>"] == replied_to(smtp_sink)
    assert 4242 == services.store.checkpoint("INBOX").uidvalidity


def test_move_after_processing_creates_the_folder(
    tmp_path: Path, services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """With after_processing = "move", handled mail goes to a folder created on first use."""
    mailbox.append(referral(1))
    svc = reopen(services, tmp_path, mailbox, smtp_sink, after_processing="move")
    run_cycle(svc)
    assert ({}, [set()]) == (
        flags_of(mailbox),
        list(flags_of(mailbox, "Intake/Processed").values()),
    )
    svc.store.close()


def test_unreadable_message_is_quarantined_and_the_batch_goes_on(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """Bytes that are not an email are kept with a reason; the messages after them are handled."""
    mailbox.append(referral(1))
    mailbox.append(b"\x00\x01 not a message at all\r\n")
    mailbox.append(referral(2))
    report = run_cycle(services)
    assert (3, 1) == (report.processed, report.quarantined)
    [bad] = services.store.quarantined()
    assert bad.error and "not an email" in bad.error
    assert 2 == len(smtp_sink.messages)


def test_checkpoint_moves_past_expunged_mail(services: Services, mailbox: Mailbox) -> None:
    """Mail expunged before it was read moves the checkpoint on, so the next poll is one STATUS."""
    mailbox.append(referral(1))
    run_cycle(services)
    uid = mailbox.append(referral(2))
    imap = mailbox.client()
    try:
        imap.select_folder("INBOX")
        imap.delete_messages([uid])
        imap.expunge()
    finally:
        imap.logout()
    run_cycle(services)
    assert uid == services.store.checkpoint("INBOX").last_uid


def test_status_shows_poll_checkpoint_states_and_quarantine(
    tmp_path: Path,
    services: Services,
    mailbox: Mailbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`intake status` shows the last poll, the checkpoint, counts by state and quarantined mail."""
    from intake.cli import main

    mailbox.append(referral(1))
    uid = mailbox.append(b"\x00 not a message\r\n")
    run_cycle(services)
    capsys.readouterr()
    assert 0 == main(["--config", str(tmp_path / "config.toml"), "status"])
    out = capsys.readouterr().out
    assert "last successful poll: never" not in out
    validity = mailbox.uidvalidity()
    assert f"checkpoint: uidvalidity {validity}, last uid {uid}" in out
    assert "messages processed: 1" in out
    assert "messages quarantined: 1" in out


def test_since_later_handles_mail_the_first_run_left_alone(
    services: Services, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """After a first run, `--since DATE` handles the mail from that date that was left alone."""
    mailbox.append(referral(1), msg_time=days_ago(9))
    mailbox.append(referral(2), msg_time=days_ago(5))
    mailbox.append(referral(3))
    run_cycle(services)
    assert {"old": 2, "processed": 1} == states(services.cfg.store.path)
    run_cycle(services, since=days_ago(7).date())
    assert {"old": 1, "processed": 2} == states(services.cfg.store.path)
    assert ["<case-2@surgery.example>", "<case-3@surgery.example>"] == replied_to(smtp_sink)
    again = run_cycle(services, since=days_ago(7).date())
    assert (0, 0) == (again.fetched, again.processed)
