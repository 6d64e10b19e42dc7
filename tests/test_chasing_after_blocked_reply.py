"""A partial answer whose reply was held back (cooldown) does not stop the reminder and chase."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from intake.deciding.followups import CHASE
from intake.models import Kind, Record
from intake.worker.digest_job import gather
from tests.flow import Flow, record

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flow:
    """Asked Friday; Monday an answer with consent (still_missing), then one with nothing new."""
    f = Flow(tmp_path, FRIDAY, monkeypatch)
    f.deliver(record(missing=("reason", "consent")), message_id="<r1@school.example>")
    f.run()
    f.clock.current = MONDAY
    ask = f.sent_with("missing_information")[0]
    f.deliver(
        Record(kind=Kind.referral, consent=True), message_id="<u1@school.example>", in_reply_to=ask
    )
    f.run()
    f.clock.advance(hours=1)
    again = f.sent_with("still_missing")[0]
    f.deliver(Record(kind=Kind.referral), message_id="<u2@school.example>", in_reply_to=again)
    f.run()
    return f


def at(flow: Flow, *when: int) -> None:
    flow.clock.current = datetime(*when, tzinfo=UTC)  # type: ignore[misc]
    flow.run()


def test_second_answer_within_the_cooldown_gets_no_reply(flow: Flow) -> None:
    """Only one 'still_missing' goes out on Monday; the second answer is held back."""
    assert 1 == len(flow.sent_with("still_missing"))


def test_reminder_follows_five_working_days_after_our_last_request(flow: Flow) -> None:
    """Asked again Monday 23rd: no reminder on Friday 27th, one on Monday 30th."""
    at(flow, 2026, 11, 27, 10, 0)
    friday = len(flow.sent_with("reminder"))
    at(flow, 2026, 11, 30, 10, 0)
    assert (0, 1) == (friday, len(flow.sent_with("reminder")))


def test_chase_follows_three_working_days_after_the_reminder(flow: Flow) -> None:
    """Reminded Monday 30th: the chase by phone is due Thursday 3 December."""
    at(flow, 2026, 11, 30, 10, 0)
    at(flow, 2026, 12, 3, 10, 0)
    chases = [f.due for f in flow.svc.store.followups() if f.action == CHASE]
    assert [date(2026, 12, 3)] == chases


def test_digest_counts_awaiting_days_from_our_last_request(flow: Flow) -> None:
    """On Wednesday 2 December the last request was Monday's reminder: two days, not twelve."""
    at(flow, 2026, 11, 30, 10, 0)
    flow.clock.current = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    data = gather(flow.svc, date(2026, 12, 2))
    assert [("IP-0001", 2)] == [(r.reference, r.waiting_days) for r in data.awaiting_info]
