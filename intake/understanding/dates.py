"""UK day-first dates of birth and ages, computed at the email's Date header.

"DOB 14/06/2018", "D.O.B: 23.09.2019", "born on 3rd November 2018",
"18/11/22" (two-digit years read as the most recent past year) and ages
written as "7 year old", "aged 84", "Age: 58", "is 29", with babies
("3 weeks old", "born at 26 weeks" still in hospital) as 0.
"""

from __future__ import annotations

import re
from datetime import date

from intake.understanding.cues import starting_with

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
_ISO = r"(?P<y4>(?:19|20)\d{2})-(?P<m4>\d{2})-(?P<d4>\d{2})"
DATE_PATTERN = re.compile(rf"(?i)(?:{_ISO}|{_NUMERIC}|{_WORDY}|{_US_WORDY})")
_NO_YEAR = re.compile(
    r"(?i)(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m>" + _MONTH_WORD + r")(?!\w)"
)
_DOB_LABEL = starting_with(
    r"[bd]",
    re.compile(
        r"(?i)\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|born|birthday)"
        r"\s*(?:\([^)]{0,20}\))?\s*[:\-–]?\s*"
    ),
)
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUM = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_AGE_PATTERNS = [
    starting_with(
        r"[a]",
        re.compile(rf"(?i)\b(?:age|aged)\s*[:\-–]?\s*{_NUM}\b(?!\s*(?:weeks|months|days|%|\+))"),
    ),
    starting_with(
        r"[\defnostz]", re.compile(rf"(?i)\b{_NUM}[\s\-]*(?:years?|yrs?)[\s\-]*(?:old|of\s+age)\b")
    ),
    starting_with(r"[\defnostz]", re.compile(rf"(?i)\b{_NUM}[\s\-]*(?:yo|y/o|yr\s+old)\b")),
    starting_with(
        r"['aint’]",
        re.compile(
            rf"(?i)\b(?:is|am|I'm|im|'s|’s|turned|now)\s+(?:just\s+|now\s+|only\s+|still\s+|already\s+)?"
            rf"{_NUM}\b"
            r"(?!\s*(?:%|percent|minutes?|mins?|hours?|hrs?|weeks?|months?|days?|o'?clock|am\b|pm\b|:|"
            r"\.\d|/|\d|x\b|times|miles|km|kg|stone|lbs?|pounds|£))"
        ),
    ),
    starting_with(r"[t]", re.compile(rf"(?i)\bturns\s+{_NUM}\s+(?:next|this|in|on)\b")),
    re.compile(r"(?i)\((\d{1,3})\s*(?:yrs?|years?|y/?o)?\)"),
    starting_with(r"[A-Z]", re.compile(r"\b[A-Z][a-zà-ÿ'’\-]+,\s(\d{1,2})(?=[.;,)]|\s)")),
]
_AGE_CONTEXT_BAD = re.compile(
    r"(?i)(?:since|for|past|last|over|about|nearly|almost|after)\s+$|(?:married|together|worked|"
    r"lived|known|been|diagnosed|died|death|passed|killed)\b[^.\n]{0,40}$"
    r"|\b(?:year|class|room|ward|bed|no\.?|number|page|grade|bay)\s*$"
)
_BABY = re.compile(
    r"(?i)\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven)[\s\-]+"
    r"(?:days?|weeks?|months?)[\s\-]+old\b|\bnewborn\b|\b(?:born|delivered)\s+(?:at|on)\s+"
    r"\d{2}(?:\+\d)?\s+weeks\b"
)


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw.lower()]


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
    groups = match.groupdict()
    try:
        if groups.get("y4"):
            return date(int(groups["y4"]), int(groups["m4"]), int(groups["d4"]))
        if groups.get("d"):
            return date(_year(groups["y"], today), int(groups["m"]), int(groups["d"]))
        if groups.get("d2"):
            month = _MONTHS.get(groups["m2"].lower().rstrip(".")[:3])
            return date(int(groups["y2"]), month or 0, int(groups["d2"]))
        month = _MONTHS.get(groups["m3"].lower()[:3])
        return date(int(groups["y3"]), month or 0, int(groups["d3"]))
    except (ValueError, TypeError, KeyError):
        return None


def _without_year(window: str, today: date | None) -> date | None:
    """'18th September' as a birth date: the most recent such day up to today."""
    match = _NO_YEAR.search(window)
    if not match or today is None:
        return None
    month = _MONTHS.get(match.group("m").lower().rstrip(".")[:3])
    try:
        found = date(today.year, month or 0, int(match.group("d")))
        if found > today:
            found = date(today.year - 1, found.month, found.day)
    except ValueError:
        return None
    return found


def find_dob(text: str, today: date | None) -> tuple[date, str] | None:
    """The first date introduced as a date of birth, with the words it came from."""
    for label in _DOB_LABEL.finditer(text):
        window = re.split(r"\.\s|\n|;", text[label.end() : label.end() + 45], maxsplit=1)[0]
        match = DATE_PATTERN.search(window)
        found = parse_date(match, today) if match else None
        if found is None and label.group(0).lower().startswith("born"):
            found = _without_year(window, today)
            if found is not None:
                return found, (label.group(0) + window).strip()
        if found and (today is None or found <= today) and found.year > 1900:
            said = window[: match.end()] if match else window
            return found, (label.group(0) + said).strip()
    return None


def age_at(dob: date, when: date) -> int:
    """Whole years between dob and when (leap-day birthdays count from 1 March)."""
    years = when.year - dob.year
    if (when.month, when.day) < (dob.month, dob.day):
        years -= 1
    return max(years, 0)


def find_age(text: str) -> tuple[int, str] | None:
    """A stated age in years, or 0 for a baby, with the words it came from."""
    for index, pattern in enumerate(_AGE_PATTERNS):
        for match in pattern.finditer(text):
            value = _number(match.group(1))
            if value > 110:
                continue
            before = text[max(0, match.start() - 45) : match.start()]
            if _AGE_CONTEXT_BAD.search(before):
                continue
            if index == 4:
                value -= 1
            return value, match.group(0).strip()
    baby = _BABY.search(text)
    if baby:
        return 0, baby.group(0)
    return None
