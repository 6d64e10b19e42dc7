"""Working days: weekends and UK bank holidays by nation."""

from datetime import date

from intake.deciding.workdays import add_working_days, is_working_day, working_days_between


def test_two_working_days_skip_a_weekend() -> None:
    """Friday + 2 working days is Tuesday."""
    assert date(2026, 12, 1) == add_working_days(date(2026, 11, 27), 2)


def test_christmas_and_boxing_day_substitute_are_skipped() -> None:
    """Christmas Day and the Boxing Day substitute Monday (2026) are not working days."""
    assert date(2026, 12, 29) == add_working_days(date(2026, 12, 24), 1)


def test_scotland_has_its_own_bank_holidays() -> None:
    """2 January is a bank holiday in Scotland but not in England."""
    assert is_working_day(date(2026, 1, 2), "england")
    assert not is_working_day(date(2026, 1, 2), "scotland")


def test_working_days_between_counts_after_start() -> None:
    """From a Monday to the next Monday is five working days."""
    assert 5 == working_days_between(date(2026, 11, 23), date(2026, 11, 30))
