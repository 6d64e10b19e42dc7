"""The statuses a referral moves through, and who may move it where.

awaiting_info -> ready_for_contact -> assessment_offered -> in_assessment ->
accepted / declined / closed. Accepting or declining is the therapist's
decision alone (UK GDPR Article 22B): the software only ever moves a
referral between awaiting_info and ready_for_contact, as information arrives.
"""

from __future__ import annotations

from typing import Final

THERAPIST: Final = "therapist"
SOFTWARE: Final = "intake"

STATUSES: Final[tuple[str, ...]] = (
    "awaiting_info",
    "ready_for_contact",
    "assessment_offered",
    "in_assessment",
    "accepted",
    "declined",
    "closed",
)

# Enquiries are recorded with status "enquiry"; the therapist may turn one into a referral.
_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "enquiry": frozenset({"awaiting_info", "ready_for_contact", "closed"}),
    "awaiting_info": frozenset({"ready_for_contact", "declined", "closed"}),
    "ready_for_contact": frozenset({"awaiting_info", "assessment_offered", "declined", "closed"}),
    "assessment_offered": frozenset({"ready_for_contact", "in_assessment", "declined", "closed"}),
    "in_assessment": frozenset({"accepted", "declined", "closed"}),
    "accepted": frozenset({"closed"}),
    "declined": frozenset({"ready_for_contact", "closed"}),
    "closed": frozenset({"ready_for_contact"}),
}

_SOFTWARE_MOVES: Final = frozenset(
    {("awaiting_info", "ready_for_contact"), ("ready_for_contact", "awaiting_info")}
)


def allowed_next(current: str) -> tuple[str, ...]:
    """The statuses the therapist may move a referral to from `current`, in order."""
    targets = _TRANSITIONS.get(current, frozenset())
    return tuple(s for s in STATUSES if s in targets)


def why_not(current: str, new: str, actor: str) -> str | None:
    """The reason this change is refused, or None when `actor` may make it."""
    if new not in STATUSES:
        return f"unknown status {new!r} (one of: {', '.join(STATUSES)})"
    if new == current:
        return f"already {new}"
    if actor != THERAPIST:
        if (current, new) in _SOFTWARE_MOVES:
            return None
        return f"only the therapist may move a referral from {current} to {new}"
    if new not in _TRANSITIONS.get(current, frozenset()):
        options = ", ".join(allowed_next(current)) or "none"
        return f"cannot go from {current} to {new} (possible: {options})"
    return None


def after_update(current: str, complete: bool) -> str | None:
    """The status the software sets when new information arrives, or None to leave it."""
    if current == "awaiting_info" and complete:
        return "ready_for_contact"
    return None
