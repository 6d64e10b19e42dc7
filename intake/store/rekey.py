"""Key rotation: every sealed column re-sealed, every keyed hash recomputed, in one transaction.

SEALED and HASHED list every column that depends on the key; `rotate`
refuses to run when the schema has a `*_sealed` or `*_hash` column they do
not list, so a column added later cannot be left under the old key. Add new
ones to these tables (with how to recompute a hash) when you add them.

The key file is replaced atomically: the new key is written beside it
(`.new`), the old one is kept as `.old` (0600) until the database has been
committed under the new key, then removed.
"""

from __future__ import annotations

import email
import email.utils
import os
from collections.abc import Callable
from dataclasses import dataclass
from email.policy import compat32
from pathlib import Path

from intake.errors import ConfigError
from intake.models import ParsedEmail
from intake.store.crypto import Cipher, encode_key
from intake.store.db import Store
from intake.store.identity import Identity, digest_index, open_identity

# (table, column) -> the context it is sealed with
SEALED: dict[tuple[str, str], bytes] = {
    ("messages", "raw_sealed"): b"raw",
    ("messages", "ident_sealed"): b"ident",
    ("referrals", "record_sealed"): b"record",
    ("outbox", "raw_sealed"): b"outbox",
    ("status_history", "note_sealed"): b"note",
    ("conflicts", "values_sealed"): b"conflict",
}
HASHED: set[tuple[str, str]] = {
    ("messages", "sha256"),
    ("messages", "message_id_hash"),
    ("messages", "sender_hash"),
    ("referrals", "referrer_hash"),
    ("outbox", "recipient_hash"),
    ("outbox", "thread_hash"),
}


class UnknownKeyedColumn(ConfigError):
    """Raised when the schema has a sealed or hashed column rotation does not know."""


def key_dependent_columns(store: Store) -> set[tuple[str, str]]:
    tables = [r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    found = set()
    for table in tables:
        for col in store.db.execute(f"PRAGMA table_info({table})"):
            if col["name"].endswith(("_sealed", "_hash")):
                found.add((table, col["name"]))
    return found


def check_columns(store: Store) -> None:
    unknown = key_dependent_columns(store) - set(SEALED) - HASHED
    if unknown:
        names = ", ".join(sorted(f"{t}.{c}" for t, c in unknown))
        raise UnknownKeyedColumn(f"key rotation does not know how to handle {names}")


def _reseal(store: Store, new: Cipher, table: str, column: str, context: bytes) -> int:
    rows = store.db.execute(f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL")
    count = 0
    for row in rows.fetchall():
        plain = store.cipher.open(row[1], context)
        store.db.execute(
            f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (new.seal(plain, context), row[0])
        )
        count += 1
    return count


def _rehash_messages(store: Store, new: Cipher) -> None:
    rows = store.db.execute("SELECT id, ident_sealed FROM messages").fetchall()
    for row in rows:
        ident = (
            open_identity(store.cipher, row["ident_sealed"]) if row["ident_sealed"] else None
        ) or Identity(digest="")
        store.db.execute(
            "UPDATE messages SET sha256 = ?, message_id_hash = ?, sender_hash = ? WHERE id = ?",
            (
                digest_index(new, ident.digest) if ident.digest else f"lost:{row['id']}",
                new.index(ident.message_id) if ident.message_id else None,
                new.index(ident.sender) if ident.sender else None,
                row["id"],
            ),
        )


def _rehash_referrals(store: Store, new: Cipher) -> None:
    rows = store.db.execute("SELECT id, record_sealed FROM referrals").fetchall()
    for row in rows:
        parsed = ParsedEmail.model_validate_json(store.cipher.open_text(row[1], b"record"))
        addr = parsed.envelope.reply_address
        store.db.execute(
            "UPDATE referrals SET referrer_hash = ? WHERE id = ?",
            (new.index(addr) if addr else None, row[0]),
        )


def _header(raw: bytes, name: str) -> str:
    msg = email.message_from_bytes(raw, policy=compat32)
    return str(msg.get(name, "") or "").strip()


def _rehash_outbox(store: Store, new: Cipher) -> None:
    rows = store.db.execute("SELECT id, raw_sealed, thread_hash FROM outbox").fetchall()
    for row in rows:
        raw = store.cipher.open(row["raw_sealed"], b"outbox")
        _, recipient = email.utils.parseaddr(_header(raw, "To"))
        thread = _header(raw, "In-Reply-To") if row["thread_hash"] else ""
        store.db.execute(
            "UPDATE outbox SET recipient_hash = ?, thread_hash = ? WHERE id = ?",
            (new.index(recipient), new.index(thread) if thread else None, row["id"]),
        )


REHASH: list[Callable[[Store, Cipher], None]] = [
    _rehash_messages,
    _rehash_referrals,
    _rehash_outbox,
]


@dataclass(frozen=True)
class RotationReport:
    resealed: int


def rotate(store: Store, new: Cipher) -> RotationReport:
    """Re-seal and re-hash everything under `new` in one transaction; the store then uses it."""
    check_columns(store)
    resealed = 0
    with store.transaction():
        for rehash in REHASH:  # hashes first: they read sealed data under the old key
            rehash(store, new)
        for (table, column), context in SEALED.items():
            resealed += _reseal(store, new, table, column, context)
    store.cipher = new
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("VACUUM")
    return RotationReport(resealed=resealed)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def rotate_key_file(store: Store, key_file: Path, new_key: bytes) -> RotationReport:
    """Rotate a store whose key lives in key_file; the file is replaced atomically.

    Order: old key copied to `<key>.old`, new key written to `<key>.new`, the
    database committed under the new key, `.new` renamed over the key file,
    `.old` removed. If the run stops half-way, the files left say which key
    the database is under (README, "Rotating the key").
    """
    old_copy = key_file.with_name(key_file.name + ".old")
    fresh = key_file.with_name(key_file.name + ".new")
    _write_private(old_copy, key_file.read_text(encoding="ascii"))
    _write_private(fresh, encode_key(new_key) + "\n")
    report = rotate(store, Cipher(new_key))
    os.replace(fresh, key_file)
    dir_fd = os.open(key_file.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    old_copy.unlink()
    return report
