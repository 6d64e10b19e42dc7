"""Turns raw message bytes into a ParsedEmail: read, classify, extract (pure).

`parse_email` raises UnreadableMessage only for input with no header block,
and LimitExceeded when a message breaks a ReadingLimits cap; everything else
yields a result, with oddities recorded in ParsedEmail.problems.
"""

from __future__ import annotations

from intake.models import ParsedEmail
from intake.reading.limits import DEFAULT_LIMITS, ReadingLimits
from intake.reading.message import read_message
from intake.understanding.extract import extract_record

DEFAULT_REQUIRED: tuple[str, ...] = ("client_name", "client_age", "reason", "consent")


def parse_email(
    raw: bytes,
    *,
    required: tuple[str, ...] = DEFAULT_REQUIRED,
    limits: ReadingLimits = DEFAULT_LIMITS,
) -> ParsedEmail:
    """Read, classify and extract one message. Raises UnreadableMessage or LimitExceeded."""
    view = read_message(raw, limits)
    record = extract_record(view, required)
    return ParsedEmail(envelope=view.envelope, record=record, problems=view.problems)
