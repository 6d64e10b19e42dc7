"""Settling a conflict: by command line or by reply to the digest; shown until settled."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest

from intake.cli import main
from intake.deciding.followups import CONFLICT
from intake.models import Client, Kind, Record
from intake.store.audit import entries
from intake.store.therapist import conflicts, resolve_conflict
from intake.worker.digest_job import gather, queue_digest
from tests.flow import THERAPIST, Flow, raw_email, record

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def says_she_is_ten(f: Flow, message_id: str) -> None:
    """Two hours on, the referrer answers our question: the client is 10."""
    ask = f.sent_with("missing_information")[0]
    f.clock.advance(hours=2)
    f.deliver(
        Record(kind=Kind.referral, client=Client(age=10)),
        message_id=message_id,
        in_reply_to=ask,
    )
    f.run()


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flow:
    """Amy, 9, awaiting a reason; the referrer's answer says she is 10."""
    f = Flow(tmp_path, FRIDAY, monkeypatch)
    f.deliver(record(missing=("reason",)), message_id="<r1@school.example>")
    f.run()
    says_she_is_ten(f, "<u1@school.example>")
    return f


def settle(flow: Flow, keep: Literal["recorded", "new"]) -> None:
    row = flow.svc.store.referral("IP-0001")
    assert row is not None
    resolve_conflict(
        flow.svc.store, row, "client_age", keep, actor="therapist", now=flow.clock.now()
    )


def test_keeping_the_new_value_rewrites_the_record_and_settles_the_conflict(flow: Flow) -> None:
    """keep new: the age becomes 10, no conflict is open, its follow-up is done."""
    settle(flow, "new")
    row = flow.svc.store.referral("IP-0001")
    assert row is not None
    assert (10, [], []) == (
        row.parsed.record.client.age,
        conflicts(flow.svc.store),
        [f.action for f in flow.svc.store.followups() if f.action == CONFLICT],
    )


def test_keeping_the_recorded_value_leaves_the_record(flow: Flow) -> None:
    """keep recorded: the age stays 9 and the conflict is settled."""
    settle(flow, "recorded")
    row = flow.svc.store.referral("IP-0001")
    assert row is not None
    assert (9, []) == (row.parsed.record.client.age, conflicts(flow.svc.store))


def test_settling_is_in_history_and_audit_by_field_name_only(flow: Flow) -> None:
    """The history names the field and the choice; the audit the act; neither a value."""
    settle(flow, "new")
    row = flow.svc.store.referral("IP-0001")
    assert row is not None
    last = flow.svc.store.history(row.id)[-1]
    audit = entries(flow.svc.store)[-1]
    assert (
        ("therapist", "conflict about client_age settled: kept the new value"),
        ("therapist", "resolve_conflict.keep_new", "IP-0001"),
    ) == ((last["actor"], last["note"]), (audit["actor"], audit["action"], audit["reference"]))


def test_unresolved_conflict_stays_in_the_digest_until_settled(flow: Flow) -> None:
    """Listed in every digest after the one that first showed it, gone once settled."""
    flow.clock.current = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    queue_digest(flow.svc)
    flow.clock.current = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    day = flow.clock.now().date()
    before = [line for line in gather(flow.svc, day).needs_look if "client age" in line]
    settle(flow, "recorded")
    after = [line for line in gather(flow.svc, day).needs_look if "client age" in line]
    assert (1, 0) == (len(before), len(after))


def test_keep_by_reply_to_the_digest_settles_and_confirms(flow: Flow) -> None:
    """`keep IP-0001 client.age new` in her reply is carried out and confirmed."""
    flow.clock.current = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    queue_digest(flow.svc)
    flow.run()
    rfc_id, token = flow.svc.store.db.execute(
        "SELECT rfc_message_id, token FROM digests"
    ).fetchone()
    flow.inbox.add(
        raw_email(
            sender=THERAPIST,
            subject=f"Re: Intake digest [digest {token}]",
            message_id="<reply1@innerpulse.example>",
            in_reply_to=rfc_id,
            body="keep IP-0001 client.age new\n",
        )
    )
    flow.run()
    row = flow.svc.store.referral("IP-0001")
    confirmation = next(m for m in flow.sent() if "reply to the digest" in m["Subject"])
    text = confirmation.get_body(("plain",)).get_content()
    assert row is not None
    assert (10, True) == (
        row.parsed.record.client.age,
        "settled: IP-0001 client_age, kept the new value" in text,
    )
    assert "therapist:email" == entries(flow.svc.store)[-1]["actor"]


def test_show_lists_open_conflicts_and_resolve_settles_them(
    flow: Flow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`referrals show` lists the conflict; `referrals resolve` settles it; a second is refused."""
    flow.svc.store.close()
    config = str(tmp_path / "config.toml")
    main(["--config", config, "referrals", "show", "IP-0001", "--json"])
    shown = json.loads(capsys.readouterr().out)["conflicts"]
    resolved = main(
        ["--config", config, "referrals", "resolve", "IP-0001", "client_age", "--keep", "recorded"]
    )
    again = main(
        ["--config", config, "referrals", "resolve", "IP-0001", "client_age", "--keep", "new"]
    )
    assert (
        [{"field": "client_age", "recorded": "9", "received": "10"}],
        0,
        1,
        "IP-0001 has no open conflict about client_age",
    ) == (shown, resolved, again, capsys.readouterr().err.strip().split(": ", 1)[1])


def test_a_conflict_the_referrer_repeats_is_shown_once(flow: Flow) -> None:
    """Saying 'she is 10' again while that conflict is open adds no second one."""
    says_she_is_ten(flow, "<u2@school.example>")
    assert [("client_age", "9", "10")] == [
        (c.conflict.field, c.conflict.recorded, c.conflict.received)
        for c in conflicts(flow.svc.store)
    ]
