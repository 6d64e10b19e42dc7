"""Confidential by construction: a processed corpus leaves no personal data in clear."""

from __future__ import annotations

import logging
import mailbox
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.clock import FixedClock
from intake.config import Config, parse_config
from intake.worker.cycle import Services, run_cycle
from intake.worker.digest_job import queue_digest
from intake.worker.services import build_services
from tests.corpus_support import HEALTH_TERMS, corpus_cases, corpus_personal_data


def make_config(root: Path) -> Config:
    text = (
        '[practice]\nemail = "hello@innerpulse.example"\n'
        '[digest]\nto = "jacqueline@innerpulse.example"\n'
    )
    path = root / "config.toml"
    path.write_text(text)
    return parse_config(text, path)


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Services, str]:
    """Every corpus message through one Maildir cycle and a digest, logged at DEBUG."""
    cases = corpus_cases()
    root = tmp_path_factory.mktemp("corpus")
    clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    svc = build_services(make_config(root), clock=clock, create_key=True)
    box = mailbox.Maildir(str(root / "var" / "inbox"), create=True)
    for case in cases:
        box.add(case.read_bytes())
    captured = _LogCapture()
    logger = logging.getLogger()
    old_level = logger.level
    logger.addHandler(captured)
    logger.setLevel(logging.DEBUG)
    try:
        run_cycle(svc)
        queue_digest(svc, force=True)
    finally:
        logger.removeHandler(captured)
        logger.setLevel(old_level)
    return svc, "\n".join(captured.lines)


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _leaks(haystack: bytes, needles: set[str]) -> list[str]:
    lowered = haystack.lower()
    return sorted(n for n in needles if n.lower().encode("utf-8") in lowered)


def test_debug_log_of_the_corpus_names_no_one(corpus_run: tuple[Services, str]) -> None:
    """At DEBUG level the log of a whole corpus run holds no name, address or phone."""
    _, log_text = corpus_run
    assert log_text
    assert [] == _leaks(log_text.encode("utf-8"), corpus_personal_data(corpus_cases()))


def test_database_file_reveals_no_personal_data(corpus_run: tuple[Services, str]) -> None:
    """Without the key the SQLite file (and its WAL) holds no name, address, phone or term."""
    svc, _ = corpus_run
    db_path = svc.cfg.store.path
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    data = b"".join(p.read_bytes() for p in files if p.exists())
    # ciphertext is random: a needle shorter than 6 bytes may match it by chance
    needles = {n for n in corpus_personal_data(corpus_cases()) | set(HEALTH_TERMS) if len(n) >= 6}
    assert [] == _leaks(data, needles)


def test_every_message_of_the_corpus_is_handled(corpus_run: tuple[Services, str]) -> None:
    """Each corpus message ends processed, ignored or quarantined: none is left waiting."""
    svc, _ = corpus_run
    counts = svc.store.message_counts()
    assert 0 == counts.get("received", 0)
    assert len(corpus_cases()) == sum(counts.values())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_and_folders_are_private(corpus_run: tuple[Services, str]) -> None:
    """The store, its WAL, the key, the Maildirs and their mail are 0600/0700."""
    svc, _ = corpus_run
    var = svc.cfg.store.path.parent
    store = svc.cfg.store.path
    made = [var, store, store.with_name(store.name + "-wal"), svc.cfg.store.key_file]
    made += [svc.cfg.smtp.path, *svc.cfg.smtp.path.rglob("*")]
    loose = []
    for path in made:
        want = 0o700 if path.is_dir() else 0o600
        if _mode(path) != want:
            loose.append(f"{path.relative_to(var.parent)} {oct(_mode(path))}")
    assert [] == loose
