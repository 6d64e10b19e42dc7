"""Retention: what is purged when, including children's records kept to their 25th birthday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from intake.config import Retention
from intake.models import Client
from intake.store.crypto import Cipher, new_key
from intake.store.db import Store
from intake.store.retention import (
    MessageFacts,
    PurgePlan,
    ReferralFacts,
    keep_closed_until,
    plan_purge,
    run_purge,
)
from tests.builders import parsed

NOW = datetime(2030, 6, 1, 3, 0, tzinfo=UTC)
RULES = Retention()


def msg(id_: int, days_ago: float, **kw: object) -> MessageFacts:
    base: dict[str, object] = dict(
        id=id_,
        state="processed",
        referral_id=None,
        processed_at=NOW - timedelta(days=days_ago),
        has_raw=True,
        forgotten=False,
    )
    return MessageFacts(**{**base, **kw})  # type: ignore[arg-type]


def ref(id_: int, **kw: object) -> ReferralFacts:
    base: dict[str, object] = dict(
        id=id_,
        reference=f"IP-{id_:04d}",
        kind="referral",
        status="closed",
        created_at=datetime(2020, 1, 10, tzinfo=UTC),
        updated_at=datetime(2021, 1, 10, tzinfo=UTC),
    )
    return ReferralFacts(**{**base, **kw})  # type: ignore[arg-type]


def test_raw_message_is_purged_after_raw_message_days() -> None:
    """A raw message goes 30 days after processing, not a day before."""
    plan = plan_purge([msg(1, 30), msg(2, 29.9), msg(3, 31, has_raw=False)], [], NOW, RULES)
    assert (1,) == plan.raw


def test_unanswered_mail_is_forgotten_after_non_referral_days() -> None:
    """Mail with no record (robots) is forgotten after 90 days; mail of a record is not."""
    messages = [msg(1, 91), msg(2, 91, referral_id=7), msg(3, 89), msg(4, 91, forgotten=True)]
    assert (1,) == plan_purge(messages, [], NOW, RULES).messages


def test_enquiry_is_forgotten_after_non_referral_days_of_quiet() -> None:
    """An enquiry goes 90 days after its last activity."""
    old = ref(1, kind="enquiry", status="enquiry", updated_at=NOW - timedelta(days=91))
    recent = ref(2, kind="enquiry", status="enquiry", updated_at=NOW - timedelta(days=10))
    assert (1,) == plan_purge([], [old, recent], NOW, RULES).referrals


def test_open_referral_is_never_purged() -> None:
    """A referral that is not closed stays, however old."""
    assert PurgePlan() == plan_purge([], [ref(1, status="ready_for_contact")], NOW, RULES)


def test_adult_closed_referral_is_kept_the_configured_years() -> None:
    """An adult's closed referral is kept closed_referral_years after closing."""
    adult = ref(1, age=70)
    assert date(2029, 1, 10) == keep_closed_until(adult, RULES)
    assert (1,) == plan_purge([], [adult], NOW, RULES).referrals


def test_child_closed_referral_is_kept_until_25th_birthday() -> None:
    """A child's closed referral is kept until their 25th birthday when that is later."""
    child = ref(1, date_of_birth=date(2013, 3, 4))
    assert date(2038, 3, 4) == keep_closed_until(child, RULES)
    assert () == plan_purge([], [child], NOW, RULES).referrals


def test_child_known_only_by_age_is_kept_to_the_latest_possible_25th_birthday() -> None:
    """With only an age (7 at referral in Jan 2020), the record is kept to Jan 2038."""
    assert date(2038, 1, 10) == keep_closed_until(ref(1, age=7), RULES)


def test_children_exception_can_be_switched_off() -> None:
    """children_until_age = 0 applies the adult period to everyone."""
    rules = Retention(children_until_age=0)
    assert date(2029, 1, 10) == keep_closed_until(ref(1, age=7), rules)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "intake.db", Cipher(new_key()))


def _referral(store: Store, raw: bytes, status: str, client: Client, when: datetime) -> int:
    msg_id, _ = store.add_message(
        raw,
        size=len(raw),
        folder="maildir",
        uidvalidity=0,
        uid=str(hash(raw)),
        message_id=None,
        internal_date=None,
        now=when,
    )
    store.finish_message(msg_id, state="processed", now=when)
    ref_id, _ = store.add_referral(
        msg_id, parsed(client=client), status=status, now=when, actor="intake"
    )
    store.add_followup(action="contact", due=when.date(), now=when, referral_id=ref_id)
    return ref_id


def test_run_purge_forgets_an_old_closed_adult_referral_with_an_audit_entry(store: Store) -> None:
    """The store forgets the record, its follow-ups and raw mail; the audit names the reference."""
    long_ago = datetime(2015, 1, 1, tzinfo=UTC)
    _referral(store, b"From: a@x.example\r\n\r\nold", "closed", Client(age=60), long_ago)
    kept = _referral(store, b"From: b@x.example\r\n\r\nnew", "closed", Client(age=6), long_ago)
    report = run_purge(store, RULES, NOW, "worker")
    assert ("IP-0001",) == report.references
    assert [kept] == [r.id for r in store.referrals()]
    assert 1 == len(store.followups())
    assert None is store.raw(1)
    audit = store.db.execute("SELECT actor, action, reference FROM audit").fetchall()
    assert ("worker", "retention.forget", "IP-0001") == tuple(audit[0])
