"""UK day-first dates of birth and ages, computed at the email's Date header.

"DOB 14/06/2018", "D.O.B: 23.09.2019", "born on 3rd November 2018",
"18/11/22" (two-digit years read as the most recent past year) and ages
written as "7 year old", "aged 84", "Age: 58", "is 29", with babies
("3 weeks old", "born at 26 weeks" still in hospital) as 0.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_NUMERIC = r"(?P<d>\d{1,2})\s?[/.\-]\s?(?P<m>\d{1,2})\s?[/.\-]\s?(?P<y>\d{4}|\d{2})(?!\d)"
_WORDY = (
    r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-/.]+(?P<m2>"
    + _MONTH_WORD
    + r"),?[\s\-/.]+(?P<y2>\d{4})"
)
_US_WORDY = r"(?P<m3>" + _MONTH_WORD + r")\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{4})"
DATE_PATTERN = re.compile(rf"(?i)(?:{_NUMERIC}|{_WORDY}|{_US_WORDY})")
_DOB_LABEL = re.compile(
    r"(?i)\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|birthday)"
    r"\s*(?:\([^)]{0,20}\))?\s*[:\-–]?\s*(?:is\s+|was\s+|on\s+)?"
)
_AGE_PATTERNS = [
    re.compile(r"(?i)\b(?:age|aged)\s*[:\-–]?\s*(\d{1,3})\b(?!\s*(?:weeks|months|days|%))"),
    re.compile(
        r"(?i)\b(\d{1,3})[\s\-]*(?:years?|yrs?|yo)[\s\-]*(?:old|of age)?\b(?!\s+(?:ago|later))"
    ),
    re.compile(
        r"(?i)\b(?:is|am|I'm|im|turned|turns|now)\s+(\d{1,3})\b(?=\s*(?:[,.;)]|and\b|now\b|$|-|–|years))"
    ),
    re.compile(r"(?i)\((\d{1,3})\)"),
    re.compile(r"\b[A-Z][a-zà-ÿ'’\-]+,\s(\d{1,2})(?=[.;,]\s)"),
]
_AGE_CONTEXT_BAD = re.compile(
    r"(?i)(?:since|for|past|last|over|about|nearly|almost)\s+$|(?:married|together|worked|lived|"
    r"known|been|diagnosed)\b[^.\n]{0,30}$|\b(?:year|class|room|ward|bed|no\.?|number|page)\s*$"
)
_BABY = re.compile(
    r"(?i)\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven)[\s\-]+"
    r"(?:days?|weeks?|months?)[\s\-]+old\b|\bnewborn\b|\b(?:born|delivered)\s+(?:at|on)\s+"
    r"\d{2}(?:\+\d)?\s+weeks\b|\b\d{1,2}\s*-?\s*(?:days?|weeks?|months?)\s+old\b"
)


def _year(raw: str, today: date | None) -> int:
    year = int(raw)
    if len(raw) == 2:
        ref = today.year if today else 2026
        year += 2000
        if year > ref:
            year -= 100
    return year


def parse_date(match: re.Match[str], today: date | None) -> date | None:
    """A date from a DATE_PATTERN match, day first; None when impossible."""
    try:
        if match.group("d"):
            return date(
                _year(match.group("y"), today), int(match.group("m")), int(match.group("d"))
            )
        if match.group("d2"):
            month = _MONTHS.get(match.group("m2").lower().rstrip(".")[:4].rstrip("."))
            month = month or _MONTHS.get(match.group("m2").lower()[:3])
            return date(int(match.group("y2")), month or 0, int(match.group("d2")))
        month = _MONTHS.get(match.group("m3").lower()[:3])
        return date(int(match.group("y3")), month or 0, int(match.group("d3")))
    except (ValueError, TypeError):
        return None


def find_dob(text: str, today: date | None) -> tuple[date, str] | None:
    """The first date introduced as a date of birth, with the words it came from."""
    for label in _DOB_LABEL.finditer(text):
        window = text[label.end() : label.end() + 40]
        match = DATE_PATTERN.match(window.lstrip(" :\t"))
        if not match:
            continue
        found = parse_date(match, today)
        if found and (today is None or found <= today) and found.year > 1900:
            return found, (label.group(0) + match.group(0)).strip()
    return None


def age_at(dob: date, when: date) -> int:
    """Whole years between dob and when (leap-day birthdays count from 1 March)."""
    years = when.year - dob.year
    if (when.month, when.day) < (dob.month, dob.day):
        years -= 1
    return max(years, 0)


def find_age(text: str) -> tuple[int, str] | None:
    """A stated age in years, or 0 for a baby, with the words it came from."""
    baby = _BABY.search(text)
    for pattern in _AGE_PATTERNS:
        for match in pattern.finditer(text):
            value = int(match.group(1))
            if value > 110:
                continue
            before = text[max(0, match.start() - 30) : match.start()]
            if _AGE_CONTEXT_BAD.search(before):
                continue
            if pattern.pattern.startswith(r"(?i)\(") and value < 1:
                continue
            return value, match.group(0).strip()
    if baby:
        return 0, baby.group(0)
    return None
