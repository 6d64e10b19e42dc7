"""The identity of a stored message: what de-duplication and look-ups need.

In clear the store keeps only keyed hashes (HMAC under the store key) of a
message's bytes, Message-ID and sender. Their sources are kept sealed in
`messages.ident_sealed`, so a key rotation can recompute every keyed hash even
after the raw message itself has been purged.
"""

from __future__ import annotations

import email.utils
import json
import sqlite3
from dataclasses import asdict, dataclass

from intake.mailbox.identity import header_block
from intake.reading.headers import field_values
from intake.store.crypto import Cipher

HEADER_SCAN_BYTES = 64 * 1024
IDENT_CONTEXT = b"ident"


@dataclass(frozen=True)
class Identity:
    """The unkeyed sources of a message's keyed hashes (only ever stored sealed)."""

    digest: str
    message_id: str | None = None
    sender: str | None = None


def digest_index(cipher: Cipher, digest: str) -> str:
    """The keyed hash stored in messages.sha256 for a SHA-256 hex digest."""
    return cipher.index("sha256:" + digest)


def sender_of(raw: bytes | None) -> str | None:
    """The From address of a message, lower-cased, read from its header section only."""
    if not raw:
        return None
    try:
        found = field_values(header_block(raw[:HEADER_SCAN_BYTES]), "From")
        _, addr = email.utils.parseaddr(found[0] if found else "")
    except Exception:  # hostile headers: no sender rather than no message
        return None
    addr = addr.strip().lower()
    return addr if "@" in addr and len(addr) <= 320 else None


def message_id_of(raw: bytes | None) -> str | None:
    """The Message-ID of a message, read from its header section only."""
    if not raw:
        return None
    try:
        found = field_values(header_block(raw[:HEADER_SCAN_BYTES]), "Message-ID")
        value = (found[0] if found else "").strip()
    except Exception:  # hostile headers: no Message-ID rather than no message
        return None
    return value or None


def seal_identity(cipher: Cipher, ident: Identity) -> bytes:
    return cipher.seal_text(json.dumps(asdict(ident)), IDENT_CONTEXT)


def open_identity(cipher: Cipher, sealed: bytes) -> Identity:
    return Identity(**json.loads(cipher.open_text(sealed, IDENT_CONTEXT)))


def _looks_unkeyed(sha: str) -> bool:
    return len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)


def seal_identities(db: sqlite3.Connection, cipher: Cipher) -> int:
    """Bring rows stored before migration 2 in line: keyed digests, sealed sources and notes.

    Runs on every open and does nothing once every row is done; returns how
    many messages it converted.
    """
    rows = db.execute(
        "SELECT id, sha256, raw_sealed FROM messages WHERE ident_sealed IS NULL"
    ).fetchall()
    notes = db.execute("SELECT id, note FROM status_history WHERE note IS NOT NULL").fetchall()
    if not rows and not notes:
        return 0
    db.execute("BEGIN IMMEDIATE")
    try:
        for row in rows:
            _convert_message(db, cipher, row)
        for note in notes:
            db.execute(
                "UPDATE status_history SET note_sealed = ?, note = NULL WHERE id = ?",
                (cipher.seal_text(note[1], b"note"), note[0]),
            )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return len(rows)


def _convert_message(db: sqlite3.Connection, cipher: Cipher, row: sqlite3.Row) -> None:
    msg_id, sha, sealed = row[0], str(row[1]), row[2]
    raw = cipher.open(sealed, b"raw") if sealed is not None else None
    digest = sha if _looks_unkeyed(sha) else ""
    ident = Identity(digest=digest, message_id=message_id_of(raw), sender=sender_of(raw))
    db.execute(
        "UPDATE messages SET sha256 = ?, ident_sealed = ?, sender_hash = ? WHERE id = ?",
        (
            digest_index(cipher, digest) if digest else sha,
            seal_identity(cipher, ident),
            cipher.index(ident.sender) if ident.sender else None,
            msg_id,
        ),
    )
