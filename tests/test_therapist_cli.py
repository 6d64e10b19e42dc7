"""The therapist's commands on a real (temporary) store."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.cli import main
from intake.config import load_config
from intake.worker.services import build_services
from tests.flow import Flow, record


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    flow = Flow(tmp_path, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), monkeypatch)
    flow.deliver(record(reason="words are hard", consent=True), message_id="<r1@school.example>")
    flow.run()
    flow.svc.store.close()
    return str(tmp_path / "config.toml")


def test_referrals_list_as_json(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--json gives the reference, status and first name with age."""
    assert 0 == main(["--config", config, "referrals", "list", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert [("IP-0001", "ready_for_contact", "Amy, 9")] == [
        (r["reference"], r["status"], r["client"]) for r in rows
    ]


def test_set_status_records_the_therapist_in_the_history(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An allowed move is made and shown in `referrals show`."""
    assert 0 == main(
        ["--config", config, "referrals", "set-status", "IP-0001", "assessment_offered"]
    )
    main(["--config", config, "referrals", "show", "IP-0001", "--json"])
    history = json.loads(capsys.readouterr().out.split("\n", 1)[1])["history"]
    assert ("therapist", "assessment_offered") == (history[-1]["actor"], history[-1]["new_status"])


def test_set_status_refuses_a_move_that_skips_the_assessment(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """ready_for_contact -> accepted is refused, with the possible moves."""
    assert 1 == main(["--config", config, "referrals", "set-status", "IP-0001", "accepted"])
    assert "cannot go from ready_for_contact to accepted" in capsys.readouterr().err


def test_followups_done_then_snooze_refused(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A done follow-up leaves the list and can no longer be snoozed."""
    assert 0 == main(["--config", config, "followups", "done", "1"])
    assert 1 == main(["--config", config, "followups", "snooze", "1", "--until", "3d"])
    main(["--config", config, "followups", "list"])
    assert "nothing to follow up" in capsys.readouterr().out


def test_settle_replies_records_an_uncertain_reply_as_sent(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """She found it in her Sent folder: the reply is 'sent' and the digest stops asking."""
    svc = build_services(load_config(Path(config)))
    row = next(r for r in svc.store.outbox_in_state("sent") if r.referral_id)
    svc.store.set_outbox_state(row.id, "uncertain", svc.clock.now())
    assert 0 == main(["--config", config, "referrals", "settle-replies", "IP-0001", "sent"])
    assert "IP-0001: 1 reply recorded as sent" in capsys.readouterr().out
    assert [] == svc.store.outbox_in_state("uncertain")
    assert 1 == main(["--config", config, "referrals", "settle-replies", "IP-0001", "sent"])
