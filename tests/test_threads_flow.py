"""Replies in a referral's thread, through the worker: joined, merged, answered, chased."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from intake.deciding.followups import BOUNCED, CHASE, CONFLICT, CONTACT
from intake.deciding.merge import Conflict
from intake.models import Client, Kind, Record
from intake.store.therapist import conflicts
from tests.flow import REFERRER, Flow, record

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flow:
    f = Flow(tmp_path, FRIDAY, monkeypatch)
    f.deliver(record(missing=("reason", "consent")), message_id="<r1@school.example>")
    f.run()
    return f


def our_ask(flow: Flow) -> str:
    return flow.sent_with("missing_information")[0]


def test_reply_by_headers_joins_fills_and_thanks(flow: Flow) -> None:
    """An answer naming our reply fills the gaps, marks it ready and is thanked."""
    update = Record(kind=Kind.referral, reason="finds words hard", consent=True)
    flow.deliver(update, message_id="<u1@school.example>", in_reply_to=our_ask(flow))
    flow.run()
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and ("ready_for_contact", ()) == (ref.status, ref.parsed.record.missing)
    assert 1 == len(flow.svc.store.referrals())
    assert 1 == len(flow.sent_with("thanks_update"))
    assert [CONTACT] == [f.action for f in flow.svc.store.followups()]
    assert "filled consent, reason" in (flow.svc.store.history(ref.id)[-1]["note"] or "")


def test_partial_answer_gets_the_shorter_missing_reply(flow: Flow) -> None:
    """An answer that leaves something missing gets 'still_missing' and stays awaiting."""
    update = Record(kind=Kind.referral, consent=True)
    flow.deliver(update, message_id="<u1@school.example>", in_reply_to=our_ask(flow))
    flow.run()
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and ("awaiting_info", ("reason",)) == (
        ref.status,
        ref.parsed.record.missing,
    )
    assert 1 == len(flow.sent_with("still_missing"))


def test_conflicting_age_is_kept_not_overwritten(flow: Flow) -> None:
    """A different age leaves the recorded one, stores both and queues a check."""
    update = Record(kind=Kind.referral, client=Client(age=10))
    flow.deliver(update, message_id="<u1@school.example>", in_reply_to=our_ask(flow))
    flow.run()
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and 9 == ref.parsed.record.client.age
    expected = [Conflict(field="client_age", recorded="9", received="10")]
    assert expected == [c.conflict for c in conflicts(flow.svc.store)]
    assert CONFLICT in [f.action for f in flow.svc.store.followups()]


def test_token_from_the_referrer_joins(flow: Flow) -> None:
    """[IP-0001] in the subject from the referrer joins without thread headers."""
    flow.deliver(
        Record(kind=Kind.referral, consent=True),
        message_id="<u2@school.example>",
        subject="Amy [IP-0001]",
    )
    flow.run()
    assert 1 == len(flow.svc.store.referrals())


def test_token_from_another_address_starts_a_new_referral(flow: Flow) -> None:
    """Our token from a stranger is not enough to join."""
    flow.deliver(
        record(),
        message_id="<x@other.example>",
        sender="other@other.example",
        subject="Re: Amy [IP-0001]",
    )
    flow.run()
    assert ["IP-0001", "IP-0002"] == [r.reference for r in flow.svc.store.referrals()]


def test_same_subject_words_alone_do_not_join(flow: Flow) -> None:
    """The referrer writing again with the same subject but no token or headers is new."""
    flow.deliver(record(), message_id="<r2@school.example>", subject="Re: Referral for Amy")
    flow.run()
    assert 2 == len(flow.svc.store.referrals())


def test_auto_reply_to_our_mail_does_not_join(flow: Flow) -> None:
    """An out-of-office answering our reply changes nothing."""
    flow.deliver(
        Record(kind=Kind.auto_reply), message_id="<ooo@school.example>", in_reply_to=our_ask(flow)
    )
    flow.run()
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and ("awaiting_info", 1) == (ref.status, len(flow.sent()))


def test_one_reminder_after_five_working_days_then_a_chase(flow: Flow) -> None:
    """Asked Friday 20 Nov: reminder on Friday 27th (once), chase due Wednesday 2 Dec."""
    flow.clock.current = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    flow.run()
    assert [] == flow.sent_with("reminder")
    flow.clock.current = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    flow.run()
    flow.run()
    reminders = [m for m in flow.sent() if "reminder" in m.get_body(("plain",)).get_content()]
    assert 1 == len(reminders)
    assert (our_ask(flow), "auto-replied") == (
        reminders[0]["In-Reply-To"],
        reminders[0]["Auto-Submitted"],
    )
    flow.clock.current = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    flow.run()
    flow.run()
    chases = [f for f in flow.svc.store.followups() if f.action == CHASE]
    assert [date(2026, 12, 2)] == [f.due for f in chases]


def test_bounce_of_our_reply_queues_reply_address_failed(flow: Flow) -> None:
    """A bounce quoting our Message-ID asks the therapist to find another way, today."""
    flow.deliver(
        Record(kind=Kind.bounce),
        message_id="<b1@mx.example>",
        sender="mailer-daemon@mx.example",
        subject="Undelivered Mail Returned to Sender",
        body=f"Original headers:\nMessage-ID: {our_ask(flow)}\nTo: {REFERRER}",
    )
    flow.run()
    bounced = [f for f in flow.svc.store.followups() if f.action == BOUNCED]
    assert [("IP-0001", date(2026, 11, 20))] == [(f.reference, f.due) for f in bounced]


def test_answer_with_no_valid_reply_address_is_joined_but_not_answered(flow: Flow) -> None:
    """An update whose Reply-To is no usable address fills the record; no reply, no quarantine."""
    update = Record(kind=Kind.referral, reason="finds words hard", consent=True)
    flow.deliver(
        update,
        message_id="<u1@school.example>",
        in_reply_to=our_ask(flow),
        extra="Reply-To: sam@localhost\n",
    )
    report = flow.run()
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and () == ref.parsed.record.missing
    assert 0 == report.quarantined
    assert [] == flow.sent_with("thanks_update")


def test_every_referral_awaiting_information_is_reminded_when_read_in_chunks(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules read awaiting referrals a chunk at a time (flat memory); none is missed."""
    from intake.worker import rules

    monkeypatch.setattr(rules, "CHUNK", 2)
    for n in range(2, 6):
        flow.deliver(
            record(
                missing=("reason",),
                referrer=record().referrer.model_copy(
                    update={"email": f"teacher{n}@school.example"}
                ),
            ),
            message_id=f"<r{n}@school.example>",
            sender=f"teacher{n}@school.example",
        )
    flow.run()
    assert 5 == len(flow.sent_with("missing_information"))
    flow.clock.current = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    flow.run()
    assert 5 == len(flow.sent_with("reminder"))
