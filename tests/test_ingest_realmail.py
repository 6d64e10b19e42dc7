"""Every real-world oddity in shared/realmail, through a real IMAP inbox: none stops a batch."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from imapclient.exceptions import IMAPClientError

from intake.config import load_config
from intake.worker.cycle import run_cycle
from intake.worker.services import build_services
from tests.conftest import Mailbox
from tests.ingest_support import PASSWORD_ENV, write_config
from tests.mailservers import SmtpSink

HANDLED = {"processed", "ignored", "quarantined", "too_large"}


def realmail(shared: Path) -> list[bytes]:
    folder = shared / "realmail"
    with (folder / "INDEX.tsv").open(newline="") as index:
        return [
            (folder / row["file"]).read_bytes() for row in csv.DictReader(index, delimiter="\t")
        ]


def append_all(box: Mailbox, messages: list[bytes]) -> int:
    """Append each message; return how many the server took (it may refuse a broken one)."""
    imap, taken = box.client(), 0
    try:
        for raw in messages:
            try:
                imap.append("INBOX", raw)
                taken += 1
            except IMAPClientError:
                continue
    finally:
        imap.logout()
    return taken


def test_every_real_message_is_handled_or_quarantined_with_a_reason(
    tmp_path: Path,
    shared_dir: Path,
    mailbox: Mailbox,
    smtp_sink: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each message of shared/realmail is stored, then handled or quarantined with a reason."""
    monkeypatch.setenv(PASSWORD_ENV, mailbox.password)
    taken = append_all(mailbox, realmail(shared_dir))
    svc = build_services(load_config(write_config(tmp_path, mailbox, smtp_sink)), create_key=True)
    run_cycle(svc)
    db = svc.store.db
    located = db.execute("SELECT COUNT(*) FROM message_locations").fetchone()[0]
    states = {row[0] for row in db.execute("SELECT DISTINCT state FROM messages")}
    unexplained = db.execute(
        "SELECT COUNT(*) FROM messages WHERE state = 'quarantined' AND COALESCE(error, '') = ''"
    ).fetchone()[0]
    svc.store.close()
    assert (taken, set(), 0) == (located, states - HANDLED, unexplained)
