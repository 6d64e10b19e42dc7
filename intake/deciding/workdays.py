"""Working days in the UK: weekends and bank holidays of the configured nation.

Bank holidays come from the maintained `holidays` package rather than a list
kept by hand; Scotland and Northern Ireland have holidays of their own.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from holidays.countries.united_kingdom import UnitedKingdom

_SUBDIVISIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}


@lru_cache(maxsize=16)
def _calendar(region: str, year: int) -> holidays.HolidayBase:
    # imported with this module (it loads all of holidays.countries), not on first use
    return UnitedKingdom(subdiv=_SUBDIVISIONS[region], years=year)  # type: ignore[no-untyped-call]


@lru_cache(maxsize=16)
def _holiday_dates(region: str, year: int) -> frozenset[date]:
    """The year's bank holidays as plain dates: a set lookup per day counted, where
    HolidayBase's own `in` converts and checks its key each time."""
    return frozenset(_calendar(region, year))


def is_working_day(day: date, region: str = "england") -> bool:
    return day.weekday() < 5 and day not in _holiday_dates(region, day.year)


def add_working_days(start: date, days: int, region: str = "england") -> date:
    """The date `days` working days after `start` (0: start itself, or the next working day)."""
    current = start
    if days == 0:
        while not is_working_day(current, region):
            current += timedelta(days=1)
        return current
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, region):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, region: str = "england") -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, region):
            count += 1
    return count
