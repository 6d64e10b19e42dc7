"""Who gets an automatic reply: robots, loops, cooldown per sender per thread, the breaker."""

from datetime import date
from pathlib import Path

from intake.clock import FixedClock
from intake.deciding.policy import (
    History,
    comes_from_a_loop,
    decide,
    thread_root,
    why_not_reply,
)
from intake.models import Kind, ParsedEmail
from intake.worker.cycle import history_for, queue_reply
from tests.builders import parsed
from tests.worlds import START, world

OURS = "hello@innerpulse.example"
HISTORY = History(our_address=OURS)
TODAY = date(2026, 11, 25)
OUR_ID = "<ip.0123456789abcdef0123456789abcdef@innerpulse.example>"


def test_robot_kinds_get_no_reply() -> None:
    """auto_reply, bounce and bulk are never answered."""
    for kind in (Kind.auto_reply, Kind.bounce, Kind.bulk):
        assert None is decide(parsed(kind), HISTORY, TODAY).reply


def test_robot_addresses_get_no_reply() -> None:
    """noreply@, no-reply@, mailer-daemon@, postmaster@ are never answered."""
    for sender in (
        "noreply@x.example",
        "No-Reply@x.example",
        "MAILER-DAEMON@x.example",
        "postmaster@x.example",
        "do-not-reply@x.example",
    ):
        assert "no reply to a robot address" == why_not_reply(parsed(sender=sender), HISTORY)


def test_our_own_address_gets_no_reply() -> None:
    """Mail from the practice address itself is never answered."""
    assert "no reply to our own address" == why_not_reply(parsed(sender=OURS), HISTORY)


def test_our_message_id_in_references_is_a_loop() -> None:
    """Our own Message-ID in References, In-Reply-To or on the message itself: no reply."""
    base = parsed()
    for update in (
        {"references": ("<a@x>", OUR_ID)},
        {"in_reply_to": OUR_ID},
        {"message_id": OUR_ID},
    ):
        email = ParsedEmail(envelope=base.envelope.model_copy(update=update), record=base.record)
        assert comes_from_a_loop(email.envelope, OURS)
        assert None is decide(email, HISTORY, TODAY).reply


def test_someone_elses_ip_message_id_is_not_a_loop() -> None:
    """The pattern must be on our domain: <ip.abc@other.example> is not ours."""
    env = parsed().envelope.model_copy(update={"references": ("<ip.abcdef@other.example>",)})
    assert not comes_from_a_loop(env, OURS)


def test_invalid_reply_address_gets_no_reply() -> None:
    """An address a reply cannot go to is recorded, not answered."""
    base = parsed()
    env = base.envelope.model_copy(update={"reply_to": "a@b.example, c@d.example"})
    email = ParsedEmail(envelope=env, record=base.record)
    assert "no valid address to reply to" == why_not_reply(email, HISTORY)


def test_thread_root_is_first_reference_else_message_id() -> None:
    """The thread is the root Message-ID of References, else the message's own."""
    env = parsed().envelope
    assert "<m1@school.example>" == thread_root(env)
    assert "<root@x>" == thread_root(env.model_copy(update={"references": ("<root@x>", "<b@x>")}))


def _in_thread(message_id: str, root: str | None) -> ParsedEmail:
    email = parsed(message_id=message_id)
    refs = (root,) if root else ()
    return ParsedEmail(
        envelope=email.envelope.model_copy(update={"references": refs}), record=email.record
    )


def test_cooldown_is_per_sender_per_thread(tmp_path: Path) -> None:
    """One reply per sender per thread per cooldown; a new thread from her gets its own."""
    clock = FixedClock(START)
    svc = world(tmp_path, clock=clock)
    first = _in_thread("<t1@school.example>", None)
    decision = decide(first, history_for(svc, first, clock.now()), TODAY)
    with svc.store.transaction():
        msg_id, _ = svc.store.add_message(
            b"x",
            size=1,
            folder="maildir",
            uidvalidity=1,
            uid="1",
            message_id=None,
            internal_date=None,
            now=clock.now(),
        )
        ref_id, reference = svc.store.add_referral(
            msg_id, first, status="new", now=clock.now(), actor="intake"
        )
        queue_reply(svc, first, decision, reference, (msg_id, ref_id))

    same_thread = _in_thread("<t1-2@school.example>", "<t1@school.example>")
    other_thread = _in_thread("<t2@school.example>", None)
    clock.advance(hours=1)
    assert history_for(svc, same_thread, clock.now()).replies_to_sender_recently
    assert None is decide(same_thread, history_for(svc, same_thread, clock.now()), TODAY).reply
    assert decide(other_thread, history_for(svc, other_thread, clock.now()), TODAY).reply
    clock.advance(hours=24)
    assert decide(same_thread, history_for(svc, same_thread, clock.now()), TODAY).reply


def test_circuit_breaker_stops_replies_and_alerts() -> None:
    """At the hourly ceiling, no reply and an alert for the therapist."""
    full = History(our_address=OURS, replies_last_hour=60, max_per_hour=60)
    decision = decide(parsed(), full, TODAY)
    assert None is decision.reply
    assert "circuit_breaker" == decision.alert
    assert decide(parsed(), full.model_copy(update={"replies_last_hour": 59}), TODAY).reply


def test_safeguarding_holds_the_reply_and_alerts() -> None:
    """A risk flag: no automatic reply, held for her, and a safeguarding alert."""
    decision = decide(parsed(safeguarding=("risk of harm",)), HISTORY, TODAY)
    assert (None, True, "safeguarding") == (decision.reply, decision.hold, decision.alert)
