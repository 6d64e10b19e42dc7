"""A person's rights and key rotation, through the command line on a processed inbox."""

from __future__ import annotations

import json
import mailbox
import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.cli import main
from intake.clock import FixedClock
from intake.store.crypto import read_key_file
from intake.worker.cycle import run_cycle
from intake.worker.services import build_services

SAMPLES = Path(__file__).resolve().parents[1] / "intake" / "demo_mail"
GP = "h.whitfield@riverside-surgery.example"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A processed embedded inbox (the four demo samples) and its config file."""
    monkeypatch.delenv("INTAKE_KEY", raising=False)
    path = tmp_path / "config.toml"
    path.write_text('[practice]\nemail = "hello@innerpulse.example"\n')
    from intake.config import load_config

    cfg = load_config(path)
    svc = build_services(
        cfg, clock=FixedClock(datetime(2026, 11, 25, 9, tzinfo=UTC)), create_key=True
    )
    box = mailbox.Maildir(str(cfg.mailbox.path), create=True)
    for sample in sorted(SAMPLES.glob("*.eml")):
        box.add(sample.read_bytes())
    run_cycle(svc)
    svc.store.close()
    return path


def _db(config: Path) -> sqlite3.Connection:
    return sqlite3.connect(config.parent / "var" / "intake.db")


def _audit(config: Path) -> list[tuple[str, str | None]]:
    return [(a, r) for a, r in _db(config).execute("SELECT action, reference FROM audit")]


def test_export_by_address_writes_a_private_readable_file(config: Path) -> None:
    """Export writes the person's records and raw mail as JSON, 0600, and audits it."""
    out = config.parent / "export.json"
    assert 0 == main(["--config", str(config), "export", "--person", GP, "--out", str(out)])
    data = json.loads(out.read_text())
    assert ["IP-0001"] == [r["reference"] for r in data["referrals"]]
    assert "Whitfield" in data["messages"][0]["raw_message"]
    assert 0o600 == stat.S_IMODE(out.stat().st_mode)
    assert [("export", "IP-0001")] == _audit(config)


def test_export_by_reference_finds_the_same_record(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reference finds the referral it names."""
    assert 0 == main(["--config", str(config), "export", "--person", "ip-0001"])
    data = json.loads(capsys.readouterr().out)
    assert GP == data["referrals"][0]["record"]["envelope"]["from_addr"]


def test_erase_without_yes_changes_nothing(config: Path) -> None:
    """Erase first shows what would go and exits 1."""
    assert 1 == main(["--config", str(config), "erase", "--person", GP])
    assert 2 == _db(config).execute("SELECT COUNT(*) FROM referrals").fetchone()[0]


def test_erase_removes_everything_and_audits_only_the_reference(config: Path) -> None:
    """Erase removes record, replies, follow-ups, raw mail and locations; audit has no address."""
    assert 0 == main(["--config", str(config), "erase", "--person", GP, "--yes"])
    db = _db(config)
    counts = [
        db.execute(f"SELECT COUNT(*) FROM {t} WHERE {w}").fetchone()[0]
        for t, w in [
            ("referrals", "id = 1"),
            ("outbox", "referral_id = 1"),
            ("followups", "referral_id = 1"),
            ("messages", "id = 1 AND (raw_sealed IS NOT NULL OR sender_hash IS NOT NULL)"),
            ("message_locations", "message_id = 1"),
        ]
    ]
    assert [0, 0, 0, 0, 0] == counts
    assert [("erase", "IP-0001")] == _audit(config)


def test_erased_mail_still_in_the_maildir_is_not_answered_again(config: Path) -> None:
    """After erasure the next cycle recognises the mail and sends nothing."""
    main(["--config", str(config), "erase", "--person", GP, "--yes"])
    from intake.config import load_config

    svc = build_services(load_config(config))
    report = run_cycle(svc)
    assert (0, 0) == (report.processed, report.replies_sent)


def test_rotate_key_replaces_the_key_file_and_keeps_data_readable(config: Path) -> None:
    """After rotation the new key opens every record; no backup of the old key is left."""
    key_file = config.parent / "var" / "intake.key"
    old = read_key_file(key_file)
    assert 0 == main(["--config", str(config), "rotate-key"])
    assert old != read_key_file(key_file)
    assert [key_file.name] == sorted(p.name for p in key_file.parent.glob("intake.key*"))
    from intake.config import load_config

    svc = build_services(load_config(config))
    assert "IP-0001" == svc.store.referrals()[0].reference
    assert 2 == len([svc.store.outbox_raw(o.id) for o in svc.store.outbox_in_state("sent")])
    assert 0 == run_cycle(svc).processed


def test_rotate_key_with_env_key_needs_the_new_key_in_env(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With $INTAKE_KEY, rotation reads $INTAKE_NEW_KEY and never prints a key."""
    from intake.store.crypto import encode_key, new_key

    key_file = config.parent / "var" / "intake.key"
    monkeypatch.setenv("INTAKE_KEY", key_file.read_text().strip())
    assert 1 == main(["--config", str(config), "rotate-key"])
    fresh = encode_key(new_key())
    monkeypatch.setenv("INTAKE_NEW_KEY", fresh)
    assert 0 == main(["--config", str(config), "rotate-key"])
    assert fresh not in capsys.readouterr().out
    monkeypatch.setenv("INTAKE_KEY", fresh)
    assert 0 == main(["--config", str(config), "export", "--person", "IP-0001"])


def test_audit_log_refuses_changes(config: Path) -> None:
    """The audit table is append-only."""
    main(["--config", str(config), "audit"])
    with pytest.raises(sqlite3.IntegrityError):
        _db(config).execute("DELETE FROM audit")


def test_purge_command_reports_counts(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`intake purge` applies retention and records that it ran."""
    assert 0 == main(["--config", str(config), "purge"])
    assert "raw messages deleted: 0" in capsys.readouterr().out
    assert ("retention.purge", None) in _audit(config)


def test_cli_commands_create_private_files_and_restore_the_umask(config: Path) -> None:
    """Files a command writes are 0600; the caller's umask is left as it was."""
    before = os.umask(0o022)
    try:
        existing = set(config.parent.rglob("*"))
        out = config.parent / "exports" / "person.json"
        assert 0 == main(["--config", str(config), "export", "--person", GP, "--out", str(out)])
        created = [p for p in set(config.parent.rglob("*")) - existing if p.is_file()]
        assert out in created
        assert {0o600} == {stat.S_IMODE(p.stat().st_mode) for p in created}
        probe = config.parent / "probe"
        probe.touch()
        assert 0o644 == stat.S_IMODE(os.stat(probe).st_mode)
    finally:
        os.umask(before)
