"""Follow-up rules on England and Wales working days: weekends, bank holidays, Christmas."""

from datetime import date

from intake.config import FollowUps
from intake.deciding.followups import Chasing, Step, contact_plan, missing_info_step

RULES = FollowUps()


def test_contact_due_two_working_days_later_across_a_weekend() -> None:
    """A complete referral on Thursday is due for contact on Monday."""
    assert date(2026, 11, 30) == contact_plan(date(2026, 11, 26), RULES).due


def test_contact_due_skips_the_late_may_bank_holiday() -> None:
    """Friday 22 May 2026 + 2 working days skips the weekend and Monday 25 May."""
    assert date(2026, 5, 27) == contact_plan(date(2026, 5, 22), RULES).due


def test_contact_due_skips_christmas_and_boxing_day() -> None:
    """Thursday 24 Dec 2026 + 2: not Christmas, the weekend or the Boxing Day substitute."""
    assert date(2026, 12, 30) == contact_plan(date(2026, 12, 24), RULES).due


def test_reminder_waits_five_working_days() -> None:
    """Asked Friday 20 Nov: no reminder on Thursday 26th, one on Friday 27th."""
    asked = Chasing(asked_on=date(2026, 11, 20))
    assert Step(what="wait") == missing_info_step(asked, date(2026, 11, 26), RULES)
    assert Step(what="remind") == missing_info_step(asked, date(2026, 11, 27), RULES)


def test_reminder_counts_no_bank_holiday_at_christmas() -> None:
    """Asked 22 Dec 2026: 5 working days are 23, 24, 29, 30, 31 Dec."""
    asked = Chasing(asked_on=date(2026, 12, 22))
    assert Step(what="wait") == missing_info_step(asked, date(2026, 12, 30), RULES)
    assert Step(what="remind") == missing_info_step(asked, date(2026, 12, 31), RULES)


def test_chase_by_phone_three_working_days_after_the_reminder() -> None:
    """Reminded Friday 27 Nov: the chase is due Wednesday 2 Dec."""
    state = Chasing(asked_on=date(2026, 11, 20), reminded_on=date(2026, 11, 27))
    assert Step(what="wait") == missing_info_step(state, date(2026, 12, 1), RULES)
    assert Step(what="chase", due=date(2026, 12, 2)) == missing_info_step(
        state, date(2026, 12, 3), RULES
    )


def test_an_answer_stops_the_reminders() -> None:
    """Once the referrer has answered, nothing is sent or chased on that request."""
    state = Chasing(asked_on=date(2026, 11, 2), answered=True)
    assert Step(what="wait") == missing_info_step(state, date(2026, 12, 30), RULES)


def test_wales_uses_the_same_bank_holidays_as_england() -> None:
    """The region is configurable; Wales shares England's holidays."""
    wales = FollowUps(region="wales")
    assert date(2026, 5, 27) == contact_plan(date(2026, 5, 22), wales).due
