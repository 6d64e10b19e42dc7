"""Forgetting: the store operations that retention and erasure share.

A forgotten message leaves a tombstone: its row keeps only the keyed hash of
its bytes and Message-ID (sealed sources included, sender dropped) so that
the same mail, still sitting in the mailbox, is recognised and never answered
twice. Everything else about it, and everything about a forgotten referral
(record, history, replies, follow-ups), is deleted; secure_delete overwrites
the freed pages.

Tables added later that reference referrals or messages must be cleared here
too: a foreign key left behind makes forgetting fail loudly rather than
silently keep data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from intake.store.db import Store, iso
from intake.store.identity import Identity, open_identity, seal_identity


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def purge_raw(store: Store, msg_ids: Iterable[int], now: datetime) -> int:
    """Delete the raw bytes of these messages; their outcome and keyed hashes stay."""
    ids = sorted(set(msg_ids))
    if not ids:
        return 0
    cur = store.db.execute(
        f"UPDATE messages SET raw_sealed = NULL, raw_purged_at = ?"
        f" WHERE raw_sealed IS NOT NULL AND id IN ({_marks(ids)})",
        (iso(now), *ids),
    )
    return cur.rowcount


def tombstone_messages(
    store: Store, msg_ids: Iterable[int], now: datetime, *, drop_locations: bool = False
) -> int:
    """Reduce messages to tombstones (keyed digest and Message-ID only)."""
    ids = sorted(set(msg_ids))
    if not ids:
        return 0
    marks = _marks(ids)
    rows = store.db.execute(
        f"SELECT id, ident_sealed FROM messages WHERE id IN ({marks})", ids
    ).fetchall()
    for row in rows:
        sealed = row["ident_sealed"]
        kept = None
        if sealed is not None:
            ident = open_identity(store.cipher, sealed)
            kept = seal_identity(store.cipher, Identity(ident.digest, ident.message_id))
        store.db.execute(
            "UPDATE messages SET raw_sealed = NULL, raw_purged_at = COALESCE(raw_purged_at, ?),"
            " ident_sealed = ?, sender_hash = NULL, error = NULL, referral_id = NULL WHERE id = ?",
            (iso(now), kept, row["id"]),
        )
    store.db.execute(f"DELETE FROM followups WHERE message_id IN ({marks})", ids)
    store.db.execute(f"DELETE FROM conflicts WHERE message_id IN ({marks})", ids)
    store.db.execute(f"DELETE FROM outbox WHERE message_id IN ({marks})", ids)
    if drop_locations:
        store.db.execute(f"DELETE FROM message_locations WHERE message_id IN ({marks})", ids)
    return len(rows)


def messages_of_referrals(store: Store, ref_ids: list[int]) -> list[int]:
    """Every message that is part of these referrals."""
    if not ref_ids:
        return []
    marks = _marks(ref_ids)
    rows = store.db.execute(
        f"SELECT id FROM messages WHERE referral_id IN ({marks})"
        f" UNION SELECT message_id FROM referrals WHERE id IN ({marks})",
        (*ref_ids, *ref_ids),
    )
    return sorted({int(r[0]) for r in rows})


def forget_referrals(
    store: Store, ref_ids: Iterable[int], now: datetime, *, drop_locations: bool = False
) -> int:
    """Delete referrals with their history, replies and follow-ups; tombstone their mail."""
    ids = sorted(set(ref_ids))
    if not ids:
        return 0
    msgs = messages_of_referrals(store, ids)
    marks = _marks(ids)
    with store.transaction():
        store.db.execute(
            f"UPDATE messages SET referral_id = NULL WHERE referral_id IN ({marks})", ids
        )
        store.db.execute(f"DELETE FROM followups WHERE referral_id IN ({marks})", ids)
        store.db.execute(f"DELETE FROM conflicts WHERE referral_id IN ({marks})", ids)
        store.db.execute(f"DELETE FROM status_history WHERE referral_id IN ({marks})", ids)
        store.db.execute(f"DELETE FROM outbox WHERE referral_id IN ({marks})", ids)
        tombstone_messages(store, msgs, now, drop_locations=drop_locations)
        cur = store.db.execute(f"DELETE FROM referrals WHERE id IN ({marks})", ids)
    return cur.rowcount
