"""Store queries for the therapist's side: threads, conflicts, digests, follow-ups.

Kept beside the Store class rather than in it, as plain functions over it;
each is one query or one small transaction. Conflicting values are personal
data and are sealed like every record.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from intake.deciding.followups import CONFLICT
from intake.deciding.merge import Conflict, settle
from intake.deciding.status import THERAPIST
from intake.store import audit
from intake.store.db import FollowUpRow, ReferralRow, Store, iso


class ConflictRow(BaseModel):
    """A conflict as the digest and the CLI show it."""

    model_config = ConfigDict(frozen=True)

    id: int
    reference: str
    conflict: Conflict
    at: str


class DigestRow(BaseModel):
    """One digest we sent: its day, secret token and Message-ID."""

    model_config = ConfigDict(frozen=True)

    day: str
    token: str
    rfc_message_id: str | None


class StoreLookups:
    """The store as the ThreadLookups that thread matching asks."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def referral_for_reply(self, rfc_message_id: str) -> int | None:
        return self.store.referral_for_reply(rfc_message_id)

    def referral_id_for(self, reference: str) -> int | None:
        return referral_id_for(self.store, reference)

    def is_referrer(self, referral_id: int, address: str) -> bool:
        return is_referrer(self.store, referral_id, address)


def referral_id_for(store: Store, reference: str) -> int | None:
    row = store.db.execute(
        "SELECT id FROM referrals WHERE reference = ?", (reference.strip().upper(),)
    ).fetchone()
    return int(row[0]) if row else None


def is_referrer(store: Store, referral_id: int, address: str) -> bool:
    """True when `address` is the one the referral came from (compared by keyed hash)."""
    row = store.db.execute(
        "SELECT 1 FROM referrals WHERE id = ? AND referrer_hash = ?",
        (referral_id, store.cipher.index(address.lower())),
    ).fetchone()
    return row is not None


def set_kind(store: Store, referral_id: int, kind: str) -> None:
    store.db.execute("UPDATE referrals SET kind = ? WHERE id = ?", (kind, referral_id))


def add_conflicts(
    store: Store,
    referral_id: int,
    msg_id: int | None,
    found: tuple[Conflict, ...],
    now: datetime,
) -> None:
    """Record new conflicts; one the referrer repeats while it is still open is kept once."""
    open_ones = {row.conflict for row in conflicts(store, referral_id=referral_id)}
    for conflict in found:
        if conflict in open_ones:
            continue
        open_ones.add(conflict)
        sealed = store.cipher.seal_text(
            json.dumps([conflict.recorded, conflict.received]), b"conflict"
        )
        store.db.execute(
            "INSERT INTO conflicts (referral_id, message_id, field, values_sealed, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (referral_id, msg_id, conflict.field, sealed, iso(now)),
        )


def conflicts(
    store: Store, *, since: datetime | None = None, referral_id: int | None = None
) -> list[ConflictRow]:
    """Unresolved conflicts, oldest first, optionally since a moment or for one referral."""
    sql = (
        "SELECT c.*, r.reference FROM conflicts c JOIN referrals r ON r.id = c.referral_id"
        " WHERE c.resolved_at IS NULL"
    )
    args: list[object] = []
    if since is not None:
        sql += " AND c.at >= ?"
        args.append(iso(since))
    if referral_id is not None:
        sql += " AND c.referral_id = ?"
        args.append(referral_id)
    rows = store.db.execute(sql + " ORDER BY c.id", args)
    result = []
    for row in rows:
        recorded, received = json.loads(store.cipher.open_text(row["values_sealed"], b"conflict"))
        conflict = Conflict(field=row["field"], recorded=recorded, received=received)
        result.append(
            ConflictRow(id=row["id"], reference=row["reference"], conflict=conflict, at=row["at"])
        )
    return result


class NotResolved(ValueError):
    """Raised when a conflict cannot be settled as asked; the message says why."""


def resolve_conflict(
    store: Store,
    row: ReferralRow,
    field: str,
    keep: Literal["recorded", "new"],
    *,
    actor: str,
    now: datetime,
) -> int:
    """Settle the open conflicts about `field`: keep the recorded or the newest value.

    The record is resealed (for "new"), the conflicts marked resolved, the
    history notes the field and the choice (never the values), the audit log
    the act; once a referral has no open conflict its "check conflicting
    information" follow-ups are done. Returns how many conflicts were settled.
    """
    open_ = [c for c in conflicts(store, referral_id=row.id) if c.conflict.field == field]
    if not open_:
        raise NotResolved(f"{row.reference} has no open conflict about {field}")
    parsed = None
    if keep == "new":
        try:
            record = settle(row.parsed.record, field, open_[-1].conflict.received)
        except ValidationError:
            raise NotResolved(f"the new value of {field} is not a valid {field}") from None
        parsed = row.parsed.model_copy(update={"record": record})
    with store.transaction():
        store.update_referral(
            row.id,
            now=now,
            actor=THERAPIST,
            parsed=parsed,
            note=f"conflict about {field} settled: kept the {keep} value",
        )
        marks = ",".join("?" * len(open_))
        store.db.execute(
            f"UPDATE conflicts SET resolved_at = ? WHERE id IN ({marks})",
            (iso(now), *(c.id for c in open_)),
        )
        if not conflicts(store, referral_id=row.id):
            store.db.execute(
                "UPDATE followups SET state = 'done', done_at = ?, snoozed_until = NULL"
                " WHERE referral_id = ? AND action = ? AND state IN ('open', 'snoozed')",
                (iso(now), row.id, CONFLICT),
            )
        audit.record(store, actor, f"resolve_conflict.keep_{keep}", row.reference, now=now)
    return len(open_)


def digest_by_message_id(store: Store, rfc_message_id: str) -> DigestRow | None:
    row = store.db.execute(
        "SELECT day, token, rfc_message_id FROM digests WHERE rfc_message_id = ?",
        (rfc_message_id.strip(),),
    ).fetchone()
    return DigestRow(**dict(row)) if row else None


def last_message_at(store: Store, referral_id: int) -> str | None:
    """When the newest message of the referral's thread arrived (ISO), or None."""
    row = store.db.execute(
        "SELECT MAX(received_at) FROM messages WHERE referral_id = ?", (referral_id,)
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def followup(store: Store, fu_id: int) -> FollowUpRow | None:
    for row in store.followups(states=("open", "snoozed", "done")):
        if row.id == fu_id:
            return row
    return None


def settle_replies(
    store: Store,
    row: ReferralRow,
    how: Literal["sent", "resend"],
    *,
    actor: str,
    now: datetime,
) -> int:
    """Settle a referral's replies left 'uncertain' (a crash mid-send) or 'failed'.

    Only she can tell whether such a reply went (her Sent folder shows it):
    `sent` records that it did; `resend` queues it again, to go out with the
    next cycle. Returns how many replies were settled.
    """
    rows = [r for r in store.outbox_in_state("uncertain", "failed") if r.referral_id == row.id]
    with store.transaction():
        for reply in rows:
            if how == "sent":
                store.set_outbox_state(reply.id, "sent", now)
            else:
                store.set_outbox_state(reply.id, "pending", now, retry_at=now)
        if rows:
            store.audit(actor, f"replies {how}", now, row.reference)
    return len(rows)


def settled_line(reference: str, how: Literal["sent", "resend"], count: int) -> str:
    """What settling replies did, in the same words by email and on the command line."""
    if not count:
        return f"{reference} has no reply waiting to be settled"
    done = "recorded as sent" if how == "sent" else "queued to send again"
    return f"{reference}: {count} {'reply' if count == 1 else 'replies'} {done}"
