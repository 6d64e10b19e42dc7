"""Which required facts a referral lacks, so the reply can ask for exactly those."""

from __future__ import annotations

from intake.models import Record, SessionFormat

_GROUP_EXEMPT = {"client_name", "client_age"}


def find_missing(record: Record, required: tuple[str, ...]) -> tuple[str, ...]:
    """Names from `required` that the record does not answer (client_age accepts a DOB)."""
    present = {
        "client_name": record.client.name is not None,
        "client_age": record.client.age is not None or record.client.date_of_birth is not None,
        "reason": bool(record.reason),
        "consent": record.consent is not None,
        "referrer_name": record.referrer.name is not None,
        "referrer_phone": record.referrer.phone is not None,
        "needs": bool(record.needs),
        "setting": record.setting is not None,
        "delivery": record.delivery is not None,
        "availability": bool(record.availability),
    }
    group = record.session_format == SessionFormat.group and record.client.name is None
    missing: list[str] = []
    for name in required:
        if group and name in _GROUP_EXEMPT:
            continue
        if not present.get(name, True):
            missing.append(name)
    return tuple(missing)
