"""The audit log: who did what, when, to which reference; never personal data.

Every command that reads or changes personal data (from the CLI or an email
command) records one entry. The `audit` table is append-only (triggers refuse
UPDATE and DELETE). Usage from any command module:

    from intake.store.audit import record
    record(store, actor="cli", action="export", reference="IP-0007")

`action` is a fixed word chosen by the code (never text from an email) and
`reference` an IP-nnnn reference or None; both are checked here.
"""

from __future__ import annotations

import getpass
import re
from datetime import UTC, datetime
from typing import Any

from intake.store.db import Store

_WORD = re.compile(r"[a-z][a-z0-9_.-]{0,40}")
_REFERENCE = re.compile(r"IP-\d{4,}|msg-\d+|outbox-\d+|followup-\d+")


class AuditError(ValueError):
    """Raised when an audit entry would carry something other than a code word."""


def cli_actor() -> str:
    """`cli:<login>`: who ran a command on this machine (a login name, not personal data)."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return "cli:" + re.sub(r"[^A-Za-z0-9_.-]", "_", login)[:32]


def record(
    store: Store,
    actor: str,
    action: str,
    reference: str | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Append one audit entry; refuse values that could carry personal data."""
    if not _WORD.fullmatch(action):
        raise AuditError(f"audit action must be a code word, got {len(action)} characters")
    if not re.fullmatch(r"[a-z]+(:[A-Za-z0-9_.-]{1,32})?", actor):
        raise AuditError("audit actor must be a role, optionally with a login or an id")
    if reference is not None and not _REFERENCE.fullmatch(reference):
        raise AuditError("audit reference must be IP-nnnn or msg-/outbox-/followup-<id>")
    store.audit(actor, action, now or datetime.now(UTC), reference)


def entries(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    """The most recent audit entries, oldest first."""
    rows = store.db.execute(
        "SELECT at, actor, action, reference FROM audit ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [dict(r) for r in reversed(rows)]
