"""Replies as email on real servers: SMTP retries, exactly once, Drafts, the Sent copy."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from intake.clock import FixedClock
from intake.replying.folders import open_folders
from intake.worker.cycle import run_cycle
from tests.conftest import Mailbox
from tests.mailservers import SmtpSink, free_port
from tests.worlds import (
    START,
    deliver_to_inbox,
    folder_messages,
    imap_toml,
    smtp_toml,
    world,
)

GP = "001-gp-autism-primary-school.eml"
PARENT = "003-parent-autism-home-iphone.eml"
GROUP = "005-activities-coordinator-dementia-group.eml"
THERAPIST = "jacqueline@innerpulse.example"


def case(shared_dir: Path, name: str) -> bytes:
    return (shared_dir / "corpus" / "cases" / name).read_bytes()


def to_referrers(sink: SmtpSink) -> list[bytes]:
    return [m.content for m in sink.messages if THERAPIST not in m.rcpt_tos]


def states(svc: object) -> list[str]:
    store = svc.store  # type: ignore[attr-defined]
    return [
        r.state
        for r in store.outbox_in_state(
            "pending", "sending", "sent", "uncertain", "failed", "drafted"
        )
        if r.template != "digest"
    ]


def test_smtp_down_then_up_delivers_each_reply_exactly_once(
    tmp_path: Path, smtp_sink: SmtpSink, shared_dir: Path
) -> None:
    """Server down: replies wait with backoff; server back: each goes once, and only once."""
    clock = FixedClock(START)
    svc = world(tmp_path, smtp_toml(smtp_sink.port), clock)
    deliver_to_inbox(svc, case(shared_dir, GP), case(shared_dir, PARENT), case(shared_dir, GROUP))
    smtp_sink.stop()
    assert 0 == run_cycle(svc).replies_sent
    assert ["pending"] * 3 == states(svc)
    clock.advance(seconds=30)
    run_cycle(svc)
    assert [] == smtp_sink.messages
    smtp_sink.start()
    clock.advance(minutes=2)
    assert 3 == run_cycle(svc).replies_sent
    clock.advance(hours=2)
    run_cycle(svc)
    recipients = sorted(m.rcpt_tos[0] for m in smtp_sink.messages)
    assert [
        "activities.rosewood@caregroup.example",
        "kerryann.doyle84@mailbox.example",
        "priya.raman@nhs.example",
    ] == recipients
    assert ["sent"] * 3 == states(svc)


def test_temporary_refusal_is_retried_with_backoff(
    tmp_path: Path, smtp_sink: SmtpSink, shared_dir: Path
) -> None:
    """A 451 leaves the reply pending until its retry time, then it is sent once."""
    clock = FixedClock(START)
    svc = world(tmp_path, smtp_toml(smtp_sink.port), clock)
    deliver_to_inbox(svc, case(shared_dir, GP))
    smtp_sink.refuse_next(1)
    run_cycle(svc)
    assert ["pending"] == states(svc)
    run_cycle(svc)  # not due yet: no new attempt
    assert [] == smtp_sink.messages
    clock.advance(minutes=1)
    run_cycle(svc)
    assert 1 == len(to_referrers(smtp_sink))
    assert ["sent"] == states(svc)


def test_draft_mode_lands_in_drafts_not_smtp(
    tmp_path: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """[reply] mode = "draft": the reply is in Drafts flagged \\Draft; SMTP gets nothing for her."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox.password)
    mailbox.append(case(shared_dir, GP))
    extra = imap_toml(mailbox) + smtp_toml(smtp_sink.port) + '[reply]\nmode = "draft"\n'
    svc = world(tmp_path, extra)
    run_cycle(svc)
    run_cycle(svc)
    drafts = folder_messages(mailbox, "Drafts")
    assert [] == to_referrers(smtp_sink)
    assert 1 == len(drafts)
    raw, flags = drafts[0]
    draft = message_from_bytes(raw, policy=policy.default)
    assert "priya.raman@nhs.example" == draft["To"]
    assert b"\\Draft" in flags
    assert ["drafted"] == states(svc)
    assert [] == folder_messages(mailbox, "Sent")


def test_sent_copy_is_saved_to_sent_folder(
    tmp_path: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After SMTP accepts, a \\Seen copy with the same Message-ID is in Sent."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox.password)
    mailbox.append(case(shared_dir, GP))
    svc = world(tmp_path, imap_toml(mailbox) + smtp_toml(smtp_sink.port))
    run_cycle(svc)
    sent = folder_messages(mailbox, "Sent")
    delivered = message_from_bytes(to_referrers(smtp_sink)[0], policy=policy.default)
    assert 1 == len(sent)
    copy = message_from_bytes(sent[0][0], policy=policy.default)
    assert delivered["Message-ID"] == copy["Message-ID"]
    assert b"\\Seen" in sent[0][1]


def test_no_sent_copy_when_the_server_files_it_itself(
    tmp_path: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """save_to_sent = false (Gmail): the reply is sent, no copy is appended."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox.password)
    mailbox.append(case(shared_dir, GP))
    svc = world(tmp_path, imap_toml(mailbox) + smtp_toml(smtp_sink.port, save_to_sent=False))
    run_cycle(svc)
    assert 1 == len(to_referrers(smtp_sink))
    assert [] == folder_messages(mailbox, "Sent")


def test_due_rows_are_read_in_chunks_and_each_sent_once(
    tmp_path: Path, smtp_sink: SmtpSink, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a chunk smaller than the outbox, every due reply still goes out, and only once."""
    from intake.worker import delivery

    monkeypatch.setattr(delivery, "DUE_CHUNK", 2)
    svc = world(tmp_path, smtp_toml(smtp_sink.port), FixedClock(START))
    deliver_to_inbox(svc, case(shared_dir, GP), case(shared_dir, PARENT), case(shared_dir, GROUP))
    assert 3 == run_cycle(svc).replies_sent
    assert 3 == len(to_referrers(smtp_sink))
    assert ["sent"] * 3 == states(svc)
    assert [] == svc.store.outbox_due(START, limit=1)


def sent_ids(mailbox: Mailbox) -> list[str]:
    """The Message-IDs in the Sent folder, one per copy."""
    return sorted(
        str(message_from_bytes(raw, policy=policy.default)["Message-ID"])
        for raw, _ in folder_messages(mailbox, "Sent")
    )


def delivered_ids(sink: SmtpSink) -> list[str]:
    """The Message-IDs of the replies the referrers were sent."""
    return sorted(
        str(message_from_bytes(raw, policy=policy.default)["Message-ID"])
        for raw in to_referrers(sink)
    )


def test_sent_copies_of_a_batch_are_saved_once_each(
    tmp_path: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Copies go to Sent a batch at a time (MULTIAPPEND): every reply once, none left due."""
    from intake.worker import delivery

    monkeypatch.setattr(delivery, "COPIES_PER_APPEND", 2)
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox.password)
    for name in (GP, PARENT, GROUP):
        mailbox.append(case(shared_dir, name))
    svc = world(tmp_path, imap_toml(mailbox) + smtp_toml(smtp_sink.port))
    assert 3 == run_cycle(svc).replies_sent
    delivered = delivered_ids(smtp_sink)
    assert delivered == sent_ids(mailbox)
    assert all(b"\\Seen" in flags for _, flags in folder_messages(mailbox, "Sent"))
    assert [] == svc.store.copies_due()


def test_sent_out_of_reach_the_replies_go_and_their_copies_wait_for_the_next_cycle(
    tmp_path: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saving copies to Sent fails (its connection refused): every reply is still sent
    once, the cycle ends, and the next cycle saves each copy once."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox.password)
    for name in (GP, PARENT, GROUP):
        mailbox.append(case(shared_dir, name))
    svc = world(tmp_path, imap_toml(mailbox) + smtp_toml(smtp_sink.port))
    reachable, refused = svc.cfg.mailbox, svc.cfg.mailbox.model_copy(update={"port": free_port()})
    svc.open_folders = lambda: open_folders(refused)
    assert 3 == run_cycle(svc).replies_sent
    assert ([], 3) == (sent_ids(mailbox), len(svc.store.copies_due()))
    svc.open_folders = lambda: open_folders(reachable)
    run_cycle(svc)
    delivered = delivered_ids(smtp_sink)
    assert (3, delivered) == (len(delivered), sent_ids(mailbox))
    assert [] == svc.store.copies_due()


def test_a_copy_left_unsaved_by_a_crash_is_saved_once_by_the_next_cycle(
    tmp_path: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash after the sends were recorded: the next cycle saves the missing copy, and
    a copy that did reach Sent before the crash is not saved twice."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox.password)
    mailbox.append(case(shared_dir, GP))
    mailbox.append(case(shared_dir, PARENT))
    svc = world(tmp_path, imap_toml(mailbox) + smtp_toml(smtp_sink.port))
    run_cycle(svc)
    saved = sent_ids(mailbox)
    assert 2 == len(saved)
    # As if killed after both sends were recorded, with one copy saved and none unmarked.
    client = mailbox.client()
    client.select_folder("Sent")
    lost = client.search(["HEADER", "Message-ID", saved[0]])
    client.delete_messages(lost)
    client.expunge()
    client.logout()
    svc.store.db.execute("UPDATE outbox SET copy_due = 1 WHERE state = 'sent'")
    run_cycle(svc)
    assert saved == sent_ids(mailbox)
    assert [] == svc.store.copies_due()
    assert 2 == len(to_referrers(smtp_sink))
