"""Deciding: who gets a reply, which one, and which follow-ups."""

from datetime import date

import pytest

from intake.deciding.policy import History, decide, is_robot_address
from intake.models import Kind
from tests.builders import parsed

TODAY = date(2026, 11, 25)
HISTORY = History(our_address="hello@innerpulse.example")


@pytest.mark.parametrize("kind", [Kind.auto_reply, Kind.bounce, Kind.bulk])
def test_robots_never_get_a_reply(kind: Kind) -> None:
    """Auto-replies, bounces and bulk mail are neither answered nor recorded."""
    decision = decide(parsed(kind), HISTORY, TODAY)
    assert (None, False) == (decision.reply, decision.record)


def test_complete_referral_gets_acknowledgement_and_contact_followup() -> None:
    """A complete referral is acknowledged; contact is due in 2 working days."""
    decision = decide(parsed(), HISTORY, TODAY)
    assert "acknowledgement" == decision.reply
    assert "ready_for_contact" == decision.status
    assert [date(2026, 11, 27)] == [f.due for f in decision.followups]


def test_incomplete_referral_gets_missing_information_reply() -> None:
    """A referral lacking required fields asks for exactly those."""
    decision = decide(parsed(missing=("consent",)), HISTORY, TODAY)
    assert ("missing_information", "awaiting_info") == (decision.reply, decision.status)


def test_enquiry_gets_enquiry_reply() -> None:
    """A general question gets the enquiry template."""
    assert "enquiry" == decide(parsed(Kind.enquiry), HISTORY, TODAY).reply


def test_safeguarding_holds_the_reply_and_alerts() -> None:
    """A risk flag holds the automatic reply and raises an urgent follow-up due today."""
    decision = decide(parsed(safeguarding=("self_harm",)), HISTORY, TODAY)
    assert (None, True, "safeguarding") == (decision.reply, decision.hold, decision.alert)
    assert [(TODAY, True)] == [(f.due, f.urgent) for f in decision.followups]


@pytest.mark.parametrize(
    "address",
    ["noreply@nhs.example", "no-reply@x.example", "MAILER-DAEMON@mx.example", "postmaster@x.org"],
)
def test_robot_addresses_are_recognised(address: str) -> None:
    """noreply, mailer-daemon and postmaster addresses never get a reply."""
    assert is_robot_address(address)


def test_no_reply_to_our_own_address() -> None:
    """Mail from the practice address itself is never answered (loop guard)."""
    decision = decide(parsed(sender="hello@innerpulse.example"), HISTORY, TODAY)
    assert decision.reply is None


def test_cooldown_blocks_a_second_reply_to_the_same_sender() -> None:
    """One automatic reply per sender per cooldown period."""
    history = HISTORY.model_copy(update={"replies_to_sender_recently": 1})
    assert decide(parsed(), history, TODAY).reply is None


def test_circuit_breaker_stops_replies_and_alerts() -> None:
    """Hitting the hourly ceiling stops automatic replies and alerts the therapist."""
    history = HISTORY.model_copy(update={"replies_last_hour": 60})
    decision = decide(parsed(), history, TODAY)
    assert (None, "circuit_breaker") == (decision.reply, decision.alert)


def test_off_mode_composes_nothing() -> None:
    """With replies off the referral is still recorded but not answered."""
    history = HISTORY.model_copy(update={"mode": "off"})
    decision = decide(parsed(), history, TODAY)
    assert (None, True) == (decision.reply, decision.record)
