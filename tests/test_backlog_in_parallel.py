"""A backlog read by worker processes ends exactly as one read in-process does."""

from __future__ import annotations

import mailbox
import re
import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

from intake.clock import FixedClock
from intake.config import parse_config
from intake.worker.cycle import CycleReport, Services, run_cycle
from intake.worker.services import build_services
from intake.worker.understanding_pool import PARALLEL_FROM
from tests.corpus_support import corpus_cases

BACKLOG = PARALLEL_FROM + 36
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def service(root: Path, workers: int, smtp: str = "") -> Services:
    text = (
        '[practice]\nemail = "hello@innerpulse.example"\n'
        '[digest]\nto = "jacqueline@innerpulse.example"\n'
        f"[reply]\nmax_per_hour = 10000\n[extraction]\nworkers = {workers}\n{smtp}"
    )
    (root / "config.toml").write_text(text)
    svc = build_services(
        parse_config(text, root / "config.toml"), clock=FixedClock(START), create_key=True
    )
    inbox = mailbox.Maildir(str(svc.cfg.mailbox.path), create=True)
    for path in corpus_cases()[:BACKLOG]:
        inbox.add(path.read_bytes())
    return svc


def comparable(raw: bytes) -> bytes:
    """A reply without what depends on the order the inbox was listed in (its reference
    number, and the Message-ID and boundary made from the store's row id)."""
    raw = raw.replace(b"=\r\n", b"")  # quoted-printable soft breaks fall where the number does
    raw = re.sub(rb"IP-\d+", b"IP-nnnn", raw)
    raw = re.sub(rb"=_ip[0-9a-f]+", b"=_ipx", raw)  # the MIME boundary, made from the ID
    return re.sub(rb"<ip\.[0-9a-f]+@", b"<ip.x@", raw)


def message_id(svc: Services, msg_id: int) -> str:
    raw = svc.store.raw(msg_id) or b""
    return str(message_from_bytes(raw, policy=policy.default)["Message-ID"])


def outcome(svc: Services, report: CycleReport) -> tuple[object, ...]:
    """Counts, each message's state and kind (by Message-ID) and the replies."""
    rows = svc.store.db.execute("SELECT id, state, kind, error FROM messages")
    sent = mailbox.Maildir(str(svc.cfg.smtp.path), create=False)
    return (
        (report.fetched, report.processed, report.quarantined, report.replies_sent),
        sorted((message_id(svc, r[0]), *r[1:]) for r in rows),
        sorted(comparable(sent.get_bytes(key)) for key in sent.iterkeys()),
    )


def test_workers_and_this_process_give_the_same_records_and_replies(tmp_path: Path) -> None:
    """Same states, kinds and replies (byte for byte but for the reference numbers),
    whether read by 2 workers or by 1."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    alone = service(tmp_path / "one", workers=1)
    pooled = service(tmp_path / "two", workers=2)
    expected = outcome(alone, run_cycle(alone))
    got = outcome(pooled, run_cycle(pooled))
    assert got == expected
    assert expected[0][:2] == (BACKLOG, BACKLOG)
    assert expected[0][3] > 0


def test_an_unreachable_smtp_server_does_not_stop_the_backlog(tmp_path: Path) -> None:
    """Every message is still understood and recorded; its reply waits in the outbox."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    smtp = f'[smtp]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    svc = service(tmp_path, workers=2, smtp=smtp)
    report = run_cycle(svc)
    assert (report.processed, report.replies_sent) == (BACKLOG, 0)
    states = {r.state for r in svc.store.outbox_in_state("pending", "sent", "sending")}
    assert states == {"pending"}
    tried = svc.store.db.execute("SELECT COUNT(*) FROM outbox WHERE attempts > 0").fetchone()[0]
    assert tried <= 2  # one try while the backlog was read, one at the end
