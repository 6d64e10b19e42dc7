"""A readable account of a parsed email: each field, its value and the words behind it.

Used by `intake parse FILE --explain` so the therapist (or whoever tunes the
rules) can see why a value was chosen and check it against the email.
"""

from __future__ import annotations

from intake.models import ParsedEmail


def _value_lines(parsed: ParsedEmail) -> list[tuple[str, object]]:
    record = parsed.record
    return [
        ("kind", record.kind.value),
        ("referrer.name", record.referrer.name),
        ("referrer.email", record.referrer.email),
        ("referrer.phone", record.referrer.phone),
        ("referrer.role", record.referrer.role),
        ("referrer.organisation", record.referrer.organisation),
        ("client.name", record.client.name),
        ("client.age", record.client.age),
        ("client.date_of_birth", record.client.date_of_birth),
        ("needs", ", ".join(n.value for n in record.needs) or None),
        ("setting", record.setting),
        ("session_format", record.session_format),
        ("delivery", record.delivery),
        ("consent", record.consent),
        ("reason", record.reason),
        ("availability", record.availability),
        ("access_notes", record.access_notes),
        ("missing", ", ".join(record.missing) or None),
        ("safeguarding", ", ".join(record.safeguarding) or None),
    ]


def explain(parsed: ParsedEmail) -> str:
    """Every field with its value, then the evidence (source and snippet) it came from."""
    record = parsed.record
    lines = [f"Subject: {parsed.envelope.subject}", ""]
    for name, value in _value_lines(parsed):
        shown = getattr(value, "value", value)
        lines.append(f"{name:<22} {shown if shown is not None else '-'}")
        for item in record.evidence:
            if item.field == name or item.field.startswith(name + "."):
                lines.append(f"{'':<24}[{item.source.value}] {item.text}")
    if parsed.problems:
        lines += ["", "Problems while reading:"] + [f"  - {p}" for p in parsed.problems]
    return "\n".join(lines)
