"""The follow-up rules (pure, given dates and state).

- a complete referral: "contact the referrer to arrange assessment", due in
  `contact_due_working_days` working days;
- missing information: one automatic reminder to the referrer after
  `reminder_after_working_days` working days without an answer, then
  "chase by phone" for the therapist `chase_after_working_days` later;
- a bounce of one of our replies: "reply address failed", due today;
- a safeguarding hold: due today, urgent (at the top of every list).
Working days are those of the configured UK nation (see workdays.py).
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from intake.config import FollowUps
from intake.deciding.workdays import add_working_days, working_days_between

CONTACT: Final = "contact the referrer to arrange assessment"
CHASE: Final = "chase by phone: no answer to the request for missing information"
BOUNCED: Final = "reply address failed: our reply bounced; find another way to reach them"
SAFEGUARDING: Final = "safeguarding: read and act today"
CONFLICT: Final = "check conflicting information from the referrer"


class Plan(BaseModel):
    """One follow-up to queue for the therapist."""

    model_config = ConfigDict(frozen=True)

    action: str
    due: date
    urgent: bool = False


class Chasing(BaseModel):
    """Where a referral awaiting information stands with the referrer."""

    model_config = ConfigDict(frozen=True)

    asked_on: date
    reminded_on: date | None = None
    answered: bool = False


class Step(BaseModel):
    """What the missing-information rule says to do today."""

    model_config = ConfigDict(frozen=True)

    what: Literal["wait", "remind", "chase"]
    due: date | None = None


def contact_plan(today: date, rules: FollowUps) -> Plan:
    due = add_working_days(today, rules.contact_due_working_days, rules.region)
    return Plan(action=CONTACT, due=due)


def bounce_plan(today: date) -> Plan:
    return Plan(action=BOUNCED, due=today)


def safeguarding_plan(today: date) -> Plan:
    return Plan(action=SAFEGUARDING, due=today, urgent=True)


def conflict_plan(today: date) -> Plan:
    return Plan(action=CONFLICT, due=today)


def missing_info_step(state: Chasing, today: date, rules: FollowUps) -> Step:
    """Remind once after N working days without an answer; then chase by phone after M more."""
    if state.answered:
        return Step(what="wait")
    if state.reminded_on is None:
        if working_days_between(state.asked_on, today, rules.region) >= (
            rules.reminder_after_working_days
        ):
            return Step(what="remind")
        return Step(what="wait")
    due = add_working_days(state.reminded_on, rules.chase_after_working_days, rules.region)
    if today >= due:
        return Step(what="chase", due=due)
    return Step(what="wait")
