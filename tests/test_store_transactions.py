"""Transactions: nested ones are savepoints, and only safe records skip the fsync."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.store.crypto import Cipher, new_key
from intake.store.db import Store

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FULL, NORMAL = 2, 1


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "intake.db", Cipher(new_key()))


def events(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT kind FROM events ORDER BY id")]


def synchronous(store: Store) -> int:
    return int(store.db.execute("PRAGMA synchronous").fetchone()[0])


def test_a_failing_nested_transaction_is_undone_alone(store: Store) -> None:
    """One message failing inside a group's transaction leaves the others' records."""
    with store.transaction():
        store.event("first", NOW)
        with pytest.raises(RuntimeError), store.transaction():
            store.event("undone", NOW)
            raise RuntimeError("one message failed")
        store.event("second", NOW)
    assert events(store) == ["first", "second"]


def test_a_failing_outer_transaction_undoes_its_nested_ones(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.event("inner", NOW)
        raise RuntimeError("the group failed")
    assert events(store) == []


def test_commits_are_fsynced_unless_marked_not_durable(store: Store) -> None:
    """synchronous=FULL always, NORMAL only inside a durable=False transaction."""
    assert synchronous(store) == FULL
    with store.transaction(durable=False):
        assert synchronous(store) == NORMAL
        store.event("safe to lose", NOW)
    assert synchronous(store) == FULL
    with pytest.raises(RuntimeError), store.transaction(durable=False):
        raise RuntimeError("failed")
    assert synchronous(store) == FULL


def test_a_nested_transaction_keeps_the_outer_durability(store: Store) -> None:
    with store.transaction(), store.transaction(durable=False):
        assert synchronous(store) == FULL
