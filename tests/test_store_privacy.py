"""The store's clear columns: keyed hashes, sealed notes, conversion of older rows."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from intake.store.crypto import Cipher, new_key
from intake.store.db import Store
from intake.store.identity import digest_index, open_identity
from tests.builders import parsed

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RAW = b"From: Amy Baker <amy.b@school.example>\r\nMessage-ID: <m1@x>\r\nSubject: hi\r\n\r\nbody\r\n"


def _store(tmp_path: Path, cipher: Cipher | None = None) -> Store:
    return Store(tmp_path / "var" / "intake.db", cipher or Cipher(new_key()))


def _add(store: Store, raw: bytes = RAW) -> int:
    msg_id, _ = store.add_message(
        raw,
        size=len(raw),
        folder="maildir",
        uidvalidity=0,
        uid="1",
        message_id="<m1@x>",
        now=NOW,
        internal_date=None,
    )
    return msg_id


def test_message_digest_is_keyed_and_its_sources_sealed(tmp_path: Path) -> None:
    """messages.sha256 is an HMAC; the plain digest, Message-ID and sender are sealed."""
    store = _store(tmp_path)
    msg_id = _add(store)
    row = store.db.execute("SELECT * FROM messages WHERE id = ?", (msg_id,)).fetchone()
    plain = hashlib.sha256(RAW).hexdigest()
    assert digest_index(store.cipher, plain) == row["sha256"]
    assert store.cipher.index("amy.b@school.example") == row["sender_hash"]
    ident = open_identity(store.cipher, row["ident_sealed"])
    assert (plain, "<m1@x>", "amy.b@school.example") == (
        ident.digest,
        ident.message_id,
        ident.sender,
    )


def test_the_same_bytes_are_still_one_message(tmp_path: Path) -> None:
    """De-duplication by keyed digest still recognises a message seen before."""
    store = _store(tmp_path)
    first = _add(store)
    again, new = store.add_message(
        RAW,
        size=len(RAW),
        folder="other",
        uidvalidity=1,
        uid="9",
        message_id=None,
        now=NOW,
        internal_date=None,
    )
    assert (first, False) == (again, new)


def test_status_notes_are_sealed(tmp_path: Path) -> None:
    """A note in the status history is stored sealed and read back in clear."""
    store = _store(tmp_path)
    ref_id, _ = store.add_referral(_add(store), parsed(), status="new", now=NOW, actor="intake")
    store.update_referral(ref_id, now=NOW, actor="cli", status="closed", note="Mum phoned")
    assert "Mum phoned" == store.history(ref_id)[-1]["note"]
    db = sqlite3.connect(store.path)
    assert [] == db.execute("SELECT note FROM status_history WHERE note IS NOT NULL").fetchall()


def test_rows_from_before_migration_2_are_converted(tmp_path: Path) -> None:
    """An older row with a plain digest and a clear note is keyed and sealed on open."""
    cipher = Cipher(new_key())
    store = _store(tmp_path, cipher)
    ref_id, _ = store.add_referral(_add(store), parsed(), status="new", now=NOW, actor="intake")
    plain = hashlib.sha256(RAW).hexdigest()
    store.db.execute(
        "UPDATE messages SET sha256 = ?, ident_sealed = NULL, sender_hash = NULL", (plain,)
    )
    store.db.execute(
        "INSERT INTO status_history (referral_id, at, actor, new_status, note)"
        " VALUES (?, '2026-01-01', 'cli', 'new', 'Mum phoned')",
        (ref_id,),
    )
    store.close()
    reopened = _store(tmp_path, cipher)
    row = reopened.db.execute("SELECT sha256, sender_hash FROM messages").fetchone()
    assert digest_index(cipher, plain) == row["sha256"]
    assert cipher.index("amy.b@school.example") == row["sender_hash"]
    assert "Mum phoned" == reopened.history(ref_id)[-1]["note"]
