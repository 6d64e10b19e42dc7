"""Small builders of models for tests of the pure core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intake.models import (
    Client,
    Envelope,
    Kind,
    Need,
    ParsedEmail,
    Record,
    Referrer,
    Role,
    SessionFormat,
)


def parsed(
    kind: Kind = Kind.referral,
    *,
    sender: str = "sam.carter@school.example",
    subject: str = "Referral for Amy",
    missing: tuple[str, ...] = (),
    safeguarding: tuple[str, ...] = (),
    message_id: str = "<m1@school.example>",
    **record: Any,
) -> ParsedEmail:
    fields: dict[str, Any] = {
        "referrer": Referrer(name="Sam Carter", email=sender, role=Role.teacher),
        "client": Client(name="Amy Jones", age=9),
        "needs": (Need.autism,),
        "session_format": SessionFormat.individual,
    }
    fields.update(record)
    return ParsedEmail(
        envelope=Envelope(
            message_id=message_id,
            subject=subject,
            from_name="Sam Carter",
            from_addr=sender,
            date=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        ),
        record=Record(kind=kind, missing=missing, safeguarding=safeguarding, **fields),
    )
