"""Commands by reply to the digest: acted on only from the therapist, with the digest's token."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.worker.digest_job import gather, queue_digest
from tests.flow import THERAPIST, Flow, raw_email, record


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flow:
    f = Flow(tmp_path, datetime(2026, 11, 25, 9, 0, tzinfo=UTC), monkeypatch)
    f.deliver(record(reason="words are hard", consent=True), message_id="<r1@school.example>")
    f.run()
    queue_digest(f.svc)
    f.run()
    return f


def digest(flow: Flow) -> tuple[str, str]:
    row = flow.svc.store.db.execute("SELECT rfc_message_id, token FROM digests").fetchone()
    return str(row[0]), str(row[1])


def reply(flow: Flow, body: str, *, sender: str = THERAPIST, token: str | None = None) -> None:
    rfc_id, real_token = digest(flow)
    flow.inbox.add(
        raw_email(
            sender=sender,
            subject=f"Re: Intake digest [digest {token or real_token}]",
            message_id="<reply1@innerpulse.example>",
            in_reply_to=rfc_id,
            body=body,
        )
    )
    flow.run()


COMMANDS = "done 1\nstatus IP-0001 assessment_offered\nstatus IP-0001 accepted\nplease call\n"


def test_therapists_reply_with_token_is_carried_out_and_confirmed(flow: Flow) -> None:
    """done and status are applied; the confirmation lists what was and was not done."""
    reply(flow, COMMANDS)
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and "assessment_offered" == ref.status
    assert [] == flow.svc.store.followups()
    confirmation = next(m for m in flow.sent() if "reply to the digest" in m["Subject"])
    text = confirmation.get_body(("plain",)).get_content()
    assert "done: #1 IP-0001" in text
    assert "status: IP-0001 ready_for_contact -> assessment_offered" in text
    assert "not done: IP-0001: cannot go from assessment_offered to accepted" in text
    assert "please call" in text
    assert ([THERAPIST], "<reply1@innerpulse.example>") == (
        [a.addr_spec for a in confirmation["To"].addresses],
        confirmation["In-Reply-To"],
    )
    assert "therapist" == flow.svc.store.history(ref.id)[-1]["actor"]


def test_forged_sender_is_not_acted_on_nor_answered(flow: Flow) -> None:
    """The right token from another address changes nothing and gets no reply."""
    before = len(flow.sent())
    reply(flow, COMMANDS, sender="mallory@evil.example")
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and ("ready_for_contact", 1) == (
        ref.status,
        len(flow.svc.store.followups()),
    )
    assert (before, 1) == (len(flow.sent()), len(flow.svc.store.referrals()))


def test_therapists_address_without_the_token_is_not_acted_on(flow: Flow) -> None:
    """From her address but with a wrong token: refused, unanswered, not a referral."""
    before = len(flow.sent())
    reply(flow, COMMANDS, token="0123456789abcdef")
    ref = flow.svc.store.referral("IP-0001")
    assert ref is not None and "ready_for_contact" == ref.status
    assert (before, 1) == (len(flow.sent()), len(flow.svc.store.referrals()))


def test_snooze_by_reply_hides_the_followup_until_the_date(flow: Flow) -> None:
    """snooze 1 3d moves the follow-up out of the way for three days."""
    reply(flow, "snooze 1 3d")
    rows = flow.svc.store.followups()
    assert [("snoozed", "2026-11-28")] == [(f.state, f"{f.snoozed_until}") for f in rows]


def left_uncertain(flow: Flow) -> int:
    """Our reply to IP-0001 as a crash mid-send leaves it: it may or may not have gone."""
    row = next(r for r in flow.svc.store.outbox_in_state("sent") if r.template != "digest")
    flow.svc.store.set_outbox_state(row.id, "uncertain", flow.clock.now())
    return row.id


def outbox_state(flow: Flow, out_id: int) -> str:
    row = flow.svc.store.db.execute("SELECT state FROM outbox WHERE id = ?", (out_id,)).fetchone()
    return str(row[0])


def test_an_uncertain_reply_is_listed_with_how_to_settle_it(flow: Flow) -> None:
    left_uncertain(flow)
    data = gather(flow.svc, flow.clock.now().date())
    assert any('reply "sent IP-0001" or "resend IP-0001"' in line for line in data.needs_look)


def test_sent_by_reply_settles_an_uncertain_reply_without_sending_it(flow: Flow) -> None:
    out_id = left_uncertain(flow)
    before = len(flow.sent())
    reply(flow, "sent IP-0001\n")
    assert "sent" == outbox_state(flow, out_id)
    confirmation = next(m for m in flow.sent() if "reply to the digest" in m["Subject"])
    assert (
        "sent: IP-0001: 1 reply recorded as sent" in confirmation.get_body(("plain",)).get_content()
    )
    assert before + 1 == len(flow.sent())  # the confirmation only


def test_resend_by_reply_sends_the_uncertain_reply_again(flow: Flow) -> None:
    out_id = left_uncertain(flow)
    before = len(flow.sent())
    reply(flow, "resend IP-0001\n")
    assert "sent" == outbox_state(flow, out_id)
    assert before + 2 == len(flow.sent())  # the reply again, and the confirmation
    to_referrer = [m for m in flow.sent() if m["To"] == "sam@school.example"]
    assert 2 == len(to_referrer)  # the first send, which may not have gone, and this one
