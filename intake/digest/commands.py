"""Commands the therapist writes in a reply to the digest (pure parsing).

One command a line: `done 12`, `snooze 14 3d` (or 2w, or a date such as
2026-12-01), `status IP-0042 assessment_offered`, `keep IP-0042 client_age new`
(or `recorded`; `client.age` works too) to settle a conflict, `sent IP-0042`
or `resend IP-0042` to settle a reply that may not have gone. Quoted text (lines starting
with ">", and everything after an "On ... wrote:" or "Original Message"
line) is not read. Lines that look like commands but are not understood are
returned so the confirmation can say so: every other line she wrote (above
a "-- " signature) is listed as not understood, so nothing is silently lost.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

_QUOTE_START = re.compile(
    r"^\s*(?:on\b.*\bwrote:?\s*$|-{2,}\s*original message|_{5,}|from:\s|sent from my|--\s*$)",
    re.IGNORECASE,
)
_DONE = re.compile(r"^done\s+#?(\d+)$", re.IGNORECASE)
_SNOOZE = re.compile(r"^snooze\s+#?(\d+)\s+(?:until\s+)?(\S+)$", re.IGNORECASE)
_STATUS = re.compile(r"^status\s+(IP-\d+)\s+([a-z_ ]+)$", re.IGNORECASE)
_KEEP = re.compile(r"^keep\s+(IP-\d+)\s+([a-z_.]+)\s+(recorded|new)$", re.IGNORECASE)
_SETTLE = re.compile(r"^(sent|resend)\s+(IP-\d+)$", re.IGNORECASE)
_PERIOD = re.compile(r"^(\d{1,3})\s*([dw])$", re.IGNORECASE)


class Command(BaseModel):
    """One understood command."""

    model_config = ConfigDict(frozen=True)

    verb: Literal["done", "snooze", "status", "keep", "sent", "resend"]
    followup_id: int | None = None
    until: date | None = None
    reference: str | None = None
    status: str | None = None
    field: str | None = None
    keep: Literal["recorded", "new"] | None = None
    line: str


class Parsed(BaseModel):
    """The commands understood, in order, and the lines that were not."""

    model_config = ConfigDict(frozen=True)

    commands: tuple[Command, ...] = ()
    not_understood: tuple[str, ...] = ()


def new_text_lines(body: str) -> list[str]:
    """The lines she wrote, before any quoted digest."""
    lines: list[str] = []
    for line in body.splitlines():
        if _QUOTE_START.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        lines.append(line.strip())
    return lines


def parse_until(text: str, today: date) -> date | None:
    """`3d`, `2w` or an ISO date to a date; None when not understood or not in the future."""
    period = _PERIOD.match(text)
    if period:
        count, unit = int(period.group(1)), period.group(2).lower()
        until = today + timedelta(days=count * (7 if unit == "w" else 1))
    else:
        try:
            until = date.fromisoformat(text)
        except ValueError:
            return None
    return until if until > today else None


def parse_line(line: str, today: date) -> Command | None:
    """One line to a Command, or None when it is not a command we understand."""
    flat = " ".join(line.replace("*", " ").split())
    if m := _DONE.match(flat):
        return Command(verb="done", followup_id=int(m.group(1)), line=flat)
    if (m := _SNOOZE.match(flat)) and (until := parse_until(m.group(2), today)):
        return Command(verb="snooze", followup_id=int(m.group(1)), until=until, line=flat)
    if m := _STATUS.match(flat):
        status = m.group(2).strip().lower().replace(" ", "_")
        return Command(verb="status", reference=m.group(1).upper(), status=status, line=flat)
    if m := _KEEP.match(flat):
        keep: Literal["recorded", "new"] = "new" if m.group(3).lower() == "new" else "recorded"
        reference, field = m.group(1).upper(), m.group(2).lower()
        return Command(verb="keep", reference=reference, field=field, keep=keep, line=flat)
    if m := _SETTLE.match(flat):
        verb: Literal["sent", "resend"] = "sent" if m.group(1).lower() == "sent" else "resend"
        return Command(verb=verb, reference=m.group(2).upper(), line=flat)
    return None


def parse_commands(body: str, today: date) -> Parsed:
    """Every command in the new text of a reply, and the command-like lines not understood."""
    commands: list[Command] = []
    unclear: list[str] = []
    for line in new_text_lines(body):
        if not line:
            continue
        command = parse_line(line, today)
        if command is not None:
            commands.append(command)
        else:
            unclear.append(line[:80])
    return Parsed(commands=tuple(commands), not_understood=tuple(unclear))
