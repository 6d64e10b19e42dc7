"""Merging an update into a referral: gaps filled, contradictions kept for the therapist."""

from intake.deciding.merge import Conflict, merge_update
from intake.models import Client, Kind, Need, Record, Referrer, Role
from intake.understanding.missing import find_missing

REQUIRED = ("client_name", "client_age", "reason", "consent")


def recorded() -> Record:
    return Record(
        kind=Kind.referral,
        referrer=Referrer(name="Sam Carter", email="sam@school.example", role=Role.teacher),
        client=Client(name="Amy", age=9),
        needs=(Need.autism,),
        missing=("reason", "consent"),
    )


def test_update_fills_missing_fields_and_recomputes_missing() -> None:
    """Consent and a reason arrive: nothing is missing any more."""
    update = Record(kind=Kind.referral, reason="finds words hard", consent=True)
    merged = merge_update(recorded(), update, REQUIRED)
    assert ((), ("consent", "reason")) == (merged.record.missing, merged.filled)


def test_contradicting_value_is_kept_beside_the_recorded_one() -> None:
    """A different age is not written over the recorded one; both are in the conflict."""
    update = Record(kind=Kind.referral, client=Client(age=10), consent=True)
    merged = merge_update(recorded(), update, REQUIRED)
    assert 9 == merged.record.client.age
    assert (Conflict(field="client_age", recorded="9", received="10"),) == merged.conflicts
    assert ("reason",) == merged.record.missing


def test_fuller_name_is_not_a_conflict() -> None:
    """Amy then Amy Jones is the same person: the fuller name is kept."""
    update = Record(kind=Kind.referral, client=Client(name="Amy Jones"))
    merged = merge_update(recorded(), update, REQUIRED)
    assert ("Amy Jones", ()) == (merged.record.client.name, merged.conflicts)


def test_needs_are_joined_and_text_appended() -> None:
    """Lists are joined without repeats; free text is added to, not replaced."""
    old = recorded().model_copy(update={"reason": "low mood"})
    update = Record(kind=Kind.referral, needs=(Need.autism, Need.bereavement), reason="lost dad")
    merged = merge_update(old, update, REQUIRED)
    assert (Need.autism, Need.bereavement) == merged.record.needs
    assert "low mood\n\nlost dad" == merged.record.reason


def test_an_update_never_turns_a_referral_into_a_robot() -> None:
    """The kind of the record stays a referral whatever the update was classified as."""
    merged = merge_update(recorded(), Record(kind=Kind.enquiry), REQUIRED)
    assert Kind.referral == merged.record.kind


def test_group_referral_needs_no_client_name() -> None:
    """A group referral is not missing a client name or age."""
    group = Record(kind=Kind.referral, session_format="group", reason="x", consent=True)
    assert () == find_missing(group, REQUIRED)
