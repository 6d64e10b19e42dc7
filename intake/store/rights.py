"""A person's rights: find everything held about them, export it, erase it.

A person is named by an email address (matched through keyed hashes and,
for referrals, the address in the sealed record) or by a reference
(IP-nnnn). Exports are for the person, so they carry everything in clear;
audit entries carry only references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.models import ParsedEmail
from intake.store.db import ReferralRow, Store, iso
from intake.store.forget import forget_referrals, messages_of_referrals, tombstone_messages

REFERENCE = re.compile(r"(?i)IP-\d{4,}")


@dataclass(frozen=True)
class Holdings:
    """The rows held about one person."""

    referrals: tuple[ReferralRow, ...]
    message_ids: tuple[int, ...]

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(r.reference for r in self.referrals)


def _addresses(parsed: ParsedEmail) -> set[str]:
    env, ref = parsed.envelope, parsed.record.referrer
    return {a.lower() for a in (env.from_addr, env.reply_to, ref.email) if a}


def find_person(store: Store, person: str) -> Holdings:
    """Referrals and messages of a person given as an email address or a reference."""
    person = person.strip()
    if REFERENCE.fullmatch(person):
        refs = [r for r in store.referrals() if r.reference == person.upper()]
        msgs: set[int] = set()
    else:
        address = person.lower()
        refs = [r for r in store.referrals() if address in _addresses(r.parsed)]
        rows = store.db.execute(
            "SELECT id FROM messages WHERE sender_hash = ?", (store.cipher.index(address),)
        )
        msgs = {int(r[0]) for r in rows}
    msgs |= set(messages_of_referrals(store, [r.id for r in refs]))
    return Holdings(referrals=tuple(refs), message_ids=tuple(sorted(msgs)))


def _text(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", "replace") if raw is not None else None


def _referral_export(store: Store, ref: ReferralRow) -> dict[str, Any]:
    replies = [
        {
            "template": o.template,
            "state": o.state,
            "created_at": o.created_at,
            "sent_at": o.sent_at,
            "message": _text(store.outbox_raw(o.id)),
        }
        for o in store.replies_for_referral(ref.id)
    ]
    followups = [
        {"action": f.action, "due": f.due.isoformat(), "state": f.state}
        for f in store.followups(states=("open", "snoozed", "done"))
        if f.referral_id == ref.id
    ]
    return {
        "reference": ref.reference,
        "kind": ref.kind,
        "status": ref.status,
        "created_at": ref.created_at,
        "updated_at": ref.updated_at,
        "record": ref.parsed.model_dump(mode="json"),
        "history": store.history(ref.id),
        "replies": replies,
        "followups": followups,
    }


def _message_export(store: Store, msg_id: int) -> dict[str, Any]:
    row = store.message(msg_id)
    return {
        "received_at": row.received_at,
        "state": row.state,
        "kind": row.kind,
        "raw_message": _text(store.raw(msg_id)),
    }


def export_person(store: Store, person: str, now: datetime) -> dict[str, Any]:
    """Everything held about a person, as JSON-ready data."""
    held = find_person(store, person)
    return {
        "exported_at": iso(now),
        "person": person,
        "referrals": [_referral_export(store, r) for r in held.referrals],
        "messages": [_message_export(store, m) for m in held.message_ids],
    }


def erase_person(store: Store, person: str, now: datetime, actor: str) -> Holdings:
    """Remove everything held about a person; audit entries name only references."""
    held = find_person(store, person)
    with store.transaction():
        forget_referrals(store, [r.id for r in held.referrals], now, drop_locations=True)
        tombstone_messages(store, held.message_ids, now, drop_locations=True)
        for reference in held.references:
            store.audit(actor, "erase", now, reference)
        if not held.references:
            store.audit(actor, "erase", now, None)
    return held
