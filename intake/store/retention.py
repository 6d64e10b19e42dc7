"""Retention: what to forget, decided by a pure function, then done in one transaction.

- Raw messages are deleted `raw_message_days` after processing; the record
  made from them stays.
- Enquiries and robot mail (and mail that never became a record) are
  forgotten `non_referral_days` after their last activity.
- Closed referrals are kept `closed_referral_years` after closing (the
  adult default, the therapist's choice). A client who was a child when
  referred (under 18, from the date of birth, else the age, in the sealed
  record) is kept at least until their `children_until_age`th birthday (25,
  as the NHS records management code suggests), whichever is later.
  A referral with no age is treated as an adult's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from intake.config import Retention
from intake.store.db import Store
from intake.store.forget import forget_referrals, purge_raw, tombstone_messages

CLOSED_STATUSES = ("closed",)
ADULT_AGE = 18


@dataclass(frozen=True)
class MessageFacts:
    id: int
    state: str
    referral_id: int | None
    processed_at: datetime | None
    has_raw: bool
    forgotten: bool


@dataclass(frozen=True)
class ReferralFacts:
    id: int
    reference: str
    kind: str
    status: str
    created_at: datetime
    updated_at: datetime
    date_of_birth: date | None = None
    age: int | None = None


@dataclass(frozen=True)
class PurgePlan:
    raw: tuple[int, ...] = ()
    messages: tuple[int, ...] = ()
    referrals: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.raw or self.messages or self.referrals)


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def child_until(ref: ReferralFacts, until_age: int) -> date | None:
    """The birthday a child's record is kept until, or None for an adult or unknown age."""
    referred = ref.created_at.date()
    if ref.date_of_birth is not None:
        if add_years(ref.date_of_birth, ADULT_AGE) <= referred:
            return None
        return add_years(ref.date_of_birth, until_age)
    if ref.age is not None and ref.age < ADULT_AGE:
        # born at the latest `age` years before the referral: the later bound keeps longer
        return add_years(referred, until_age - ref.age)
    return None


def keep_closed_until(ref: ReferralFacts, rules: Retention) -> date:
    """The first day a closed referral may be forgotten."""
    until = add_years(ref.updated_at.date(), rules.closed_referral_years)
    if rules.children_until_age:
        birthday = child_until(ref, rules.children_until_age)
        if birthday is not None and birthday > until:
            return birthday
    return until


def _referral_expired(ref: ReferralFacts, now: datetime, rules: Retention) -> bool:
    if ref.kind != "referral":
        return ref.updated_at <= now - timedelta(days=rules.non_referral_days)
    if ref.status not in CLOSED_STATUSES:
        return False
    return keep_closed_until(ref, rules) <= now.date()


def plan_purge(
    messages: Iterable[MessageFacts],
    referrals: Iterable[ReferralFacts],
    now: datetime,
    rules: Retention,
) -> PurgePlan:
    """Decide what retention removes now (pure: no store, no clock)."""
    raw_cutoff = now - timedelta(days=rules.raw_message_days)
    other_cutoff = now - timedelta(days=rules.non_referral_days)
    raw, forget = [], []
    for m in messages:
        if m.processed_at is None or m.state == "received":
            continue
        if m.has_raw and m.processed_at <= raw_cutoff:
            raw.append(m.id)
        if m.referral_id is None and not m.forgotten and m.processed_at <= other_cutoff:
            forget.append(m.id)
    refs = tuple(r.id for r in referrals if _referral_expired(r, now, rules))
    return PurgePlan(raw=tuple(raw), messages=tuple(forget), referrals=refs)


# ------------------------------------------------------------------ the store side


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def message_facts(store: Store) -> list[MessageFacts]:
    rows = store.db.execute(
        "SELECT id, state, referral_id, processed_at, raw_sealed IS NOT NULL AS has_raw,"
        " sender_hash IS NULL AND raw_sealed IS NULL AS forgotten FROM messages"
    )
    return [
        MessageFacts(
            id=r["id"],
            state=r["state"],
            referral_id=r["referral_id"],
            processed_at=_when(r["processed_at"]),
            has_raw=bool(r["has_raw"]),
            forgotten=bool(r["forgotten"]),
        )
        for r in rows
    ]


def referral_facts(store: Store) -> list[ReferralFacts]:
    """Facts about every referral; the age comes from the sealed record."""
    facts = []
    for ref in store.referrals():
        client = ref.parsed.record.client
        facts.append(
            ReferralFacts(
                id=ref.id,
                reference=ref.reference,
                kind=ref.kind,
                status=ref.status,
                created_at=datetime.fromisoformat(ref.created_at),
                updated_at=datetime.fromisoformat(ref.updated_at),
                date_of_birth=client.date_of_birth,
                age=client.age,
            )
        )
    return facts


@dataclass(frozen=True)
class PurgeReport:
    raw: int
    messages: int
    references: tuple[str, ...]


def run_purge(store: Store, rules: Retention, now: datetime, actor: str) -> PurgeReport:
    """Apply retention now, in one transaction, with one audit entry per forgotten referral."""
    refs = referral_facts(store)
    plan = plan_purge(message_facts(store), refs, now, rules)
    names = {r.id: r.reference for r in refs}
    with store.transaction():
        raw = purge_raw(store, plan.raw, now)
        msgs = tombstone_messages(store, plan.messages, now)
        forget_referrals(store, plan.referrals, now)
        for ref_id in plan.referrals:
            store.audit(actor, "retention.forget", now, names[ref_id])
        store.audit(actor, "retention.purge", now, None)
        store.event("purge", now, f"{raw} raw, {msgs} messages, {len(plan.referrals)} referrals")
    return PurgeReport(raw=raw, messages=msgs, references=tuple(names[i] for i in plan.referrals))
