"""Referral statuses: the allowed moves, and decisions only the therapist may take."""

import pytest

from intake.deciding.status import SOFTWARE, THERAPIST, after_update, allowed_next, why_not


def test_therapist_may_offer_an_assessment_to_a_ready_referral() -> None:
    """ready_for_contact -> assessment_offered is allowed for the therapist."""
    assert None is why_not("ready_for_contact", "assessment_offered", THERAPIST)


@pytest.mark.parametrize("status", ["accepted", "declined", "closed", "assessment_offered"])
def test_software_never_takes_the_therapists_decisions(status: str) -> None:
    """The worker may not accept, decline, close or offer (Article 22B)."""
    assert why_not("in_assessment", status, SOFTWARE) is not None
    assert why_not("ready_for_contact", status, SOFTWARE) is not None


def test_software_marks_a_completed_referral_ready() -> None:
    """awaiting_info -> ready_for_contact is the software's one move forward."""
    assert None is why_not("awaiting_info", "ready_for_contact", SOFTWARE)
    assert "ready_for_contact" == after_update("awaiting_info", complete=True)


def test_update_leaves_a_status_beyond_ready_alone() -> None:
    """New information never moves a referral she is already working on."""
    assert None is after_update("in_assessment", complete=True)


def test_accepting_needs_an_assessment_first() -> None:
    """A referral cannot be accepted straight from awaiting_info."""
    assert "cannot go from awaiting_info to accepted" in (
        why_not("awaiting_info", "accepted", THERAPIST) or ""
    )


def test_unknown_status_is_refused() -> None:
    """A typo in a status is refused with the list of statuses."""
    assert "unknown status 'acepted'" in (why_not("in_assessment", "acepted", THERAPIST) or "")


def test_allowed_next_is_in_pipeline_order() -> None:
    """The choices are listed in the order of the pipeline."""
    assert ("accepted", "declined", "closed") == allowed_next("in_assessment")
