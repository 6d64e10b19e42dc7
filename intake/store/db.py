"""The SQLite store: the service's memory, and the only place state lives.

Thin by design: each method is one query or one small transaction, and
personal data crosses this boundary only sealed by the Cipher. The file and
its folder are private to the service's user.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from intake.files import private_dir
from intake.models import ParsedEmail
from intake.store.crypto import Cipher
from intake.store.identity import (
    Identity,
    digest_index,
    seal_identities,
    seal_identity,
    sender_of,
)
from intake.store.redact import redact
from intake.store.schema import MIGRATIONS


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def reference_for(referral_id: int) -> str:
    return f"IP-{referral_id:04d}"


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class Checkpoint(Row):
    folder: str
    uidvalidity: int
    last_uid: int


class MessageRow(Row):
    id: int
    state: str
    kind: str | None
    attempts: int
    size: int
    error: str | None
    referral_id: int | None
    received_at: str


class ReferralRow(Row):
    id: int
    reference: str
    status: str
    kind: str
    safeguarding: bool
    created_at: str
    updated_at: str
    parsed: ParsedEmail


class OutboxRow(Row):
    id: int
    rfc_message_id: str
    template: str
    state: str
    attempts: int
    referral_id: int | None
    message_id: int | None
    created_at: str
    sent_at: str | None
    last_error: str | None


# The outbox columns a row is read with: never the sealed message itself.
_OUTBOX_COLUMNS = ", ".join(OutboxRow.model_fields)


class FollowUpRow(Row):
    id: int
    referral_id: int | None
    reference: str | None
    action: str
    due: date
    state: str
    snoozed_until: date | None
    urgent: bool


def _private_file(path: Path) -> None:
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


class Store:
    """One connection to the store; use from one thread at a time."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        self.path = path
        self.cipher = cipher
        if str(path) != ":memory:":
            _private_file(path)
        # One thread at a time, not necessarily the one that opened it: the worker's
        # scheduler runs every job on its single executor thread (scheduler.py).
        self.db = sqlite3.connect(
            str(path), isolation_level=None, timeout=30, check_same_thread=False
        )
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA secure_delete=ON")
        self._depth = 0
        self.migrate()
        seal_identities(self.db, cipher)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; a nested use is a savepoint, undone alone on failure.

        Every commit is fsynced (synchronous=FULL) unless `durable=False`, for a
        record whose loss in a power cut is safe. Such a commit survives a killed
        process, and the next durable commit makes it durable too (the WAL is
        written in order), so it can only be lost together with what follows it.
        """
        if self._depth:
            savepoint = f"sp{self._depth}"
            self.db.execute(f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self.db.execute(f"ROLLBACK TO {savepoint}")
                self.db.execute(f"RELEASE {savepoint}")
                raise
            else:
                self.db.execute(f"RELEASE {savepoint}")
            finally:
                self._depth -= 1
            return
        if not durable:
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0
            if not durable:
                self.db.execute("PRAGMA synchronous=FULL")

    def migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self.db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};")
            self.db.execute("COMMIT")

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(sql, args).fetchone()
        return row

    # ------------------------------------------------------------ mailbox checkpoints

    def checkpoint(self, folder: str) -> Checkpoint | None:
        row = self._one("SELECT * FROM checkpoints WHERE folder = ?", folder)
        return Checkpoint(**dict(row)) if row else None

    def set_checkpoint(self, folder: str, uidvalidity: int, last_uid: int, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO checkpoints VALUES (?, ?, ?, ?) ON CONFLICT(folder) DO UPDATE SET"
            " uidvalidity = excluded.uidvalidity,"
            " last_uid = MAX(CASE WHEN checkpoints.uidvalidity = excluded.uidvalidity"
            " THEN checkpoints.last_uid ELSE 0 END, excluded.last_uid),"
            " updated_at = excluded.updated_at",
            (folder, uidvalidity, last_uid, iso(now)),
        )

    def knows_location(self, folder: str, uidvalidity: int, uid: str) -> bool:
        row = self._one(
            "SELECT 1 FROM message_locations WHERE folder = ? AND uidvalidity = ? AND uid = ?",
            folder,
            uidvalidity,
            uid,
        )
        return row is not None

    def left_alone(self, folder: str, uidvalidity: int, uid: str) -> bool:
        """True when the message at this location was recorded as 'old' and left alone."""
        row = self._one(
            "SELECT 1 FROM message_locations l JOIN messages m ON m.id = l.message_id"
            " WHERE l.folder = ? AND l.uidvalidity = ? AND l.uid = ? AND m.state = 'old'",
            folder,
            uidvalidity,
            uid,
        )
        return row is not None

    # ------------------------------------------------------------ messages

    def add_message(
        self,
        raw: bytes | None,
        *,
        size: int,
        folder: str,
        uidvalidity: int,
        uid: str,
        message_id: str | None,
        internal_date: datetime | None,
        now: datetime,
        header_digest: bytes = b"",
        state: str = "received",
        headers_sha256: str | None = None,
        promote: bool = False,
    ) -> tuple[int, bool]:
        """Record a message and where it lives; (id, True) only the first time it is seen.

        A message already stored is recognised by the hash of its bytes, of its
        header section, or by its Message-ID, so the same message in two
        folders (Gmail labels) or after a UIDVALIDITY change is one message.
        A message too large to fetch is identified by its headers instead.
        """
        digest = hashlib.sha256(raw if raw is not None else b"headers:" + header_digest).hexdigest()
        sha = digest_index(self.cipher, digest)
        mid_hash = self.cipher.index(message_id) if message_id else None
        if headers_sha256 is not None:  # keyed like the digest of the bytes
            headers_sha256 = digest_index(self.cipher, headers_sha256)
        with self.transaction():
            existing = self._known_message(sha, headers_sha256, mid_hash)
            if existing is None:
                msg_id = self._insert_message(
                    raw, sha, mid_hash, size, internal_date, now, state, headers_sha256
                )
                self._seal_identity(msg_id, Identity(digest, message_id, sender_of(raw)))
            else:
                msg_id = existing
                if promote and raw is not None:
                    self._promote_old(
                        msg_id, raw, sha, Identity(digest, message_id, sender_of(raw))
                    )
            self.db.execute(
                "INSERT OR IGNORE INTO message_locations VALUES (?, ?, ?, ?)",
                (folder, uidvalidity, uid, msg_id),
            )
        return msg_id, existing is None

    def _known_message(
        self, sha: str, headers_sha256: str | None, mid_hash: str | None
    ) -> int | None:
        """The id of a stored message with these bytes, headers or Message-ID."""
        lookups = (
            ("sha256", sha),
            ("headers_sha256", headers_sha256),
            ("message_id_hash", mid_hash),
        )
        for column, value in lookups:
            if value is None:
                continue
            row = self._one(f"SELECT id FROM messages WHERE {column} = ? ORDER BY id", value)
            if row is not None:
                return int(row["id"])
        return None

    def _insert_message(
        self,
        raw: bytes | None,
        sha: str,
        mid_hash: str | None,
        size: int,
        internal_date: datetime | None,
        now: datetime,
        state: str,
        headers_sha256: str | None,
    ) -> int:
        sealed = self.cipher.seal(raw, b"raw") if raw is not None else None
        cur = self.db.execute(
            "INSERT INTO messages (sha256, message_id_hash, raw_sealed, size,"
            " internal_date, received_at, state, headers_sha256)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sha,
                mid_hash,
                sealed,
                size,
                iso(internal_date) if internal_date else None,
                iso(now),
                state,
                headers_sha256,
            ),
        )
        return int(cur.lastrowid or 0)

    def _promote_old(self, msg_id: int, raw: bytes, sha: str, ident: Identity) -> None:
        """A message recorded as 'old' (left alone) is to be handled after all (--since)."""
        cur = self.db.execute(
            "UPDATE messages SET raw_sealed = ?, sha256 = ?, state = 'received'"
            " WHERE id = ? AND state = 'old'",
            (self.cipher.seal(raw, b"raw"), sha, msg_id),
        )
        if cur.rowcount:
            self._seal_identity(msg_id, ident)

    def _seal_identity(self, msg_id: int, ident: Identity) -> None:
        """Keep the sources of a message's keyed hashes sealed; index its sender."""
        self.db.execute(
            "UPDATE messages SET ident_sealed = ?, sender_hash = ? WHERE id = ?",
            (
                seal_identity(self.cipher, ident),
                self.cipher.index(ident.sender) if ident.sender else None,
                msg_id,
            ),
        )

    def seen_message_id(self, message_id: str) -> bool:
        """True when a message with this Message-ID is already stored."""
        mid_hash = self.cipher.index(message_id)
        return self._one("SELECT 1 FROM messages WHERE message_id_hash = ?", mid_hash) is not None

    def message(self, msg_id: int) -> MessageRow:
        row = self._one("SELECT * FROM messages WHERE id = ?", msg_id)
        if row is None:
            raise KeyError(msg_id)
        return MessageRow(**{k: row[k] for k in MessageRow.model_fields})

    def messages_to_process(self, max_attempts: int) -> list[int]:
        rows = self.db.execute(
            "SELECT id FROM messages WHERE state = 'received'"
            " OR (state = 'quarantined' AND attempts < ?) ORDER BY id",
            (max_attempts,),
        )
        return [int(r["id"]) for r in rows]

    def raw(self, msg_id: int) -> bytes | None:
        row = self._one("SELECT raw_sealed FROM messages WHERE id = ?", msg_id)
        if row is None or row["raw_sealed"] is None:
            return None
        return self.cipher.open(row["raw_sealed"], b"raw")

    def finish_message(
        self,
        msg_id: int,
        *,
        state: str,
        now: datetime,
        kind: str | None = None,
        referral_id: int | None = None,
        error: str | None = None,
    ) -> None:
        self.db.execute(
            "UPDATE messages SET state = ?, kind = COALESCE(?, kind),"
            " referral_id = COALESCE(?, referral_id), error = ?, processed_at = ?,"
            " attempts = attempts + 1 WHERE id = ?",
            (state, kind, referral_id, redact(error) if error else None, iso(now), msg_id),
        )

    def locations_to_finish(self, folder: str, limit: int = -1) -> list[tuple[int, int, str]]:
        """(message id, uidvalidity, uid) of handled messages not yet flagged or moved."""
        rows = self.db.execute(
            "SELECT m.id, l.uidvalidity, l.uid FROM messages m JOIN message_locations l"
            " ON l.message_id = m.id WHERE l.folder = ? AND m.server_done = 0"
            " AND m.state IN ('processed', 'ignored', 'too_large') ORDER BY m.id LIMIT ?",
            (folder, limit),
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    def mark_server_done(self, msg_ids: list[int]) -> None:
        self.db.executemany(
            "UPDATE messages SET server_done = 1 WHERE id = ?", [(i,) for i in msg_ids]
        )

    def message_counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM messages GROUP BY state")
        return {str(r[0]): int(r[1]) for r in rows}

    def quarantined(self) -> list[MessageRow]:
        rows = self.db.execute("SELECT * FROM messages WHERE state = 'quarantined' ORDER BY id")
        return [MessageRow(**{k: r[k] for k in MessageRow.model_fields}) for r in rows]

    def messages_since(self, since: datetime, kinds: tuple[str, ...]) -> list[MessageRow]:
        marks = ",".join("?" * len(kinds))
        rows = self.db.execute(
            f"SELECT * FROM messages WHERE processed_at >= ? AND kind IN ({marks}) ORDER BY id",
            (iso(since), *kinds),
        )
        return [MessageRow(**{k: r[k] for k in MessageRow.model_fields}) for r in rows]

    def count_since(self, since: datetime, kinds: tuple[str, ...]) -> int:
        marks = ",".join("?" * len(kinds))
        row = self._one(
            f"SELECT COUNT(*) FROM messages WHERE processed_at >= ? AND kind IN ({marks})",
            iso(since),
            *kinds,
        )
        return int(row[0]) if row else 0

    # ------------------------------------------------------------ referrals

    def add_referral(
        self, msg_id: int, parsed: ParsedEmail, *, status: str, now: datetime, actor: str
    ) -> tuple[int, str]:
        """Store a record (sealed) and give it a reference; returns (id, reference)."""
        sealed = self.cipher.seal_text(parsed.model_dump_json(), b"record")
        addr = parsed.envelope.reply_address
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO referrals (message_id, kind, status, referrer_hash, record_sealed,"
                " safeguarding, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    msg_id,
                    parsed.record.kind.value,
                    status,
                    self.cipher.index(addr) if addr else None,
                    sealed,
                    int(bool(parsed.record.safeguarding)),
                    iso(now),
                    iso(now),
                ),
            )
            ref_id = int(cur.lastrowid or 0)
            reference = reference_for(ref_id)
            self.db.execute("UPDATE referrals SET reference = ? WHERE id = ?", (reference, ref_id))
            self.db.execute(
                "INSERT INTO status_history (referral_id, at, actor, old_status, new_status)"
                " VALUES (?, ?, ?, NULL, ?)",
                (ref_id, iso(now), actor, status),
            )
        return ref_id, reference

    def _referral(self, row: sqlite3.Row) -> ReferralRow:
        parsed = ParsedEmail.model_validate_json(
            self.cipher.open_text(row["record_sealed"], b"record")
        )
        return ReferralRow(
            id=row["id"],
            reference=row["reference"],
            status=row["status"],
            kind=row["kind"],
            safeguarding=bool(row["safeguarding"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            parsed=parsed,
        )

    def referral(self, reference_or_id: str | int) -> ReferralRow | None:
        if isinstance(reference_or_id, int):
            row = self._one("SELECT * FROM referrals WHERE id = ?", reference_or_id)
        else:
            row = self._one(
                "SELECT * FROM referrals WHERE reference = ?", reference_or_id.strip().upper()
            )
        return self._referral(row) if row else None

    def referrals(
        self,
        *,
        statuses: tuple[str, ...] = (),
        since: datetime | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[ReferralRow]:
        """Referrals by id; `after` and `limit` read them a chunk at a time."""
        sql, args = "SELECT * FROM referrals WHERE id > ?", list[Any]([after])
        if statuses:
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args.extend(statuses)
        if since is not None:
            sql += " AND created_at >= ?"
            args.append(iso(since))
        args.append(-1 if limit is None else limit)
        return [self._referral(r) for r in self.db.execute(sql + " ORDER BY id LIMIT ?", args)]

    def update_referral(
        self,
        ref_id: int,
        *,
        now: datetime,
        actor: str,
        status: str | None = None,
        parsed: ParsedEmail | None = None,
        note: str | None = None,
    ) -> None:
        with self.transaction():
            old = self._one("SELECT status FROM referrals WHERE id = ?", ref_id)
            if old is None:
                raise KeyError(ref_id)
            if parsed is not None:
                self.db.execute(
                    "UPDATE referrals SET record_sealed = ?, safeguarding = ? WHERE id = ?",
                    (
                        self.cipher.seal_text(parsed.model_dump_json(), b"record"),
                        int(bool(parsed.record.safeguarding)),
                        ref_id,
                    ),
                )
            if (status is not None and status != old["status"]) or note:
                self.db.execute(
                    "INSERT INTO status_history (referral_id, at, actor, old_status, new_status,"
                    " note_sealed) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        ref_id,
                        iso(now),
                        actor,
                        old["status"],
                        status or old["status"],
                        self.cipher.seal_text(note, b"note") if note else None,
                    ),
                )
            self.db.execute(
                "UPDATE referrals SET status = COALESCE(?, status), updated_at = ? WHERE id = ?",
                (status, iso(now), ref_id),
            )

    def history(self, ref_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT at, actor, old_status, new_status, note_sealed FROM status_history"
            " WHERE referral_id = ? ORDER BY id",
            (ref_id,),
        )
        return [
            {
                **{k: r[k] for k in ("at", "actor", "old_status", "new_status")},
                "note": self.cipher.open_text(r["note_sealed"], b"note")
                if r["note_sealed"]
                else None,
            }
            for r in rows
        ]

    # ------------------------------------------------------------ outbox

    def queue_reply(
        self,
        *,
        rfc_message_id: str,
        raw: bytes,
        template: str,
        recipient: str,
        thread: str | None,
        msg_id: int | None,
        referral_id: int | None,
        now: datetime,
        state: str = "pending",
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO outbox (rfc_message_id, message_id, referral_id, template,"
            " recipient_hash, thread_hash, raw_sealed, state, created_at, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rfc_message_id,
                msg_id,
                referral_id,
                template,
                self.cipher.index(recipient),
                self.cipher.index(thread) if thread else None,
                self.cipher.seal(raw, b"outbox"),
                state,
                iso(now),
                iso(now),
            ),
        )
        return int(cur.lastrowid or 0)

    def _outbox(self, row: sqlite3.Row) -> OutboxRow:
        return OutboxRow(**{k: row[k] for k in OutboxRow.model_fields})

    def outbox_due(
        self, now: datetime, *, after: int = 0, limit: int | None = None
    ) -> list[OutboxRow]:
        """Rows due for sending, by id; `after` and `limit` read them a chunk at a time."""
        rows = self.db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE state = 'pending'"
            " AND next_attempt_at <= ? AND id > ? ORDER BY id LIMIT ?",
            (iso(now), after, -1 if limit is None else limit),
        )
        return [self._outbox(r) for r in rows]

    def outbox_in_state(self, *states: str) -> list[OutboxRow]:
        marks = ",".join("?" * len(states))
        rows = self.db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY id", states
        )
        return [self._outbox(r) for r in rows]

    def outbox_raw(self, out_id: int) -> bytes:
        row = self._one("SELECT raw_sealed FROM outbox WHERE id = ?", out_id)
        if row is None:
            raise KeyError(out_id)
        return self.cipher.open(row["raw_sealed"], b"outbox")

    def set_outbox_state(
        self,
        out_id: int,
        state: str,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
        copy_due: bool = False,
    ) -> None:
        """Move a row on; `copy_due` marks a sent reply whose Sent copy is still to be saved."""
        self.db.execute(
            "UPDATE outbox SET state = ?, last_error = ?,"
            " attempts = attempts + CASE WHEN ? = 'sending' THEN 1 ELSE 0 END,"
            " next_attempt_at = COALESCE(?, next_attempt_at),"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, copy_due = ? WHERE id = ?",
            (
                state,
                redact(error) if error else None,
                state,
                iso(retry_at) if retry_at else None,
                state,
                iso(now),
                int(copy_due),
                out_id,
            ),
        )

    def copies_due(self) -> list[OutboxRow]:
        """Sent replies whose copy is not yet in the Sent folder (see delivery)."""
        rows = self.db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE copy_due = 1 ORDER BY id"
        )
        return [self._outbox(r) for r in rows]

    def copies_saved(self, out_ids: list[int]) -> None:
        self.db.executemany("UPDATE outbox SET copy_due = 0 WHERE id = ?", [(i,) for i in out_ids])

    def defer_outbox(
        self, out_id: int, now: datetime, *, error: str, retry_at: datetime | None
    ) -> None:
        """Back to 'pending' after a failed try, counting the try for the backoff."""
        self.db.execute(
            "UPDATE outbox SET attempts = attempts + CASE WHEN state = 'sending' THEN 0 ELSE 1 END,"
            " state = 'pending', last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at)"
            " WHERE id = ?",
            (error, iso(retry_at) if retry_at else None, out_id),
        )

    def is_our_message_id(self, rfc_message_id: str) -> bool:
        row = self._one("SELECT 1 FROM outbox WHERE rfc_message_id = ?", rfc_message_id)
        if row is None:
            row = self._one("SELECT 1 FROM digests WHERE rfc_message_id = ?", rfc_message_id)
        return row is not None

    def referral_for_reply(self, rfc_message_id: str) -> int | None:
        row = self._one(
            "SELECT referral_id FROM outbox WHERE rfc_message_id = ? AND referral_id IS NOT NULL",
            rfc_message_id,
        )
        return int(row[0]) if row else None

    def replies_to(self, recipient: str, since: datetime, thread: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM outbox WHERE recipient_hash = ? AND created_at >= ?"
        args: list[Any] = [self.cipher.index(recipient), iso(since)]
        if thread:
            sql += " AND thread_hash = ?"
            args.append(self.cipher.index(thread))
        row = self._one(sql, *args)
        return int(row[0]) if row else 0

    def replies_since(self, since: datetime) -> int:
        row = self._one(
            "SELECT COUNT(*) FROM outbox WHERE created_at >= ? AND template NOT LIKE 'alert%'",
            iso(since),
        )
        return int(row[0]) if row else 0

    def replies_for_referral(self, ref_id: int) -> list[OutboxRow]:
        rows = self.db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE referral_id = ? ORDER BY id", (ref_id,)
        )
        return [self._outbox(r) for r in rows]

    # ------------------------------------------------------------ follow-ups

    def add_followup(
        self,
        *,
        action: str,
        due: date,
        now: datetime,
        referral_id: int | None = None,
        msg_id: int | None = None,
        urgent: bool = False,
    ) -> int | None:
        """Queue a follow-up once; returns its id, or None if it was queued before."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO followups (referral_id, message_id, action, due, urgent,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (referral_id, msg_id, action, due.isoformat(), int(urgent), iso(now)),
        )
        return int(cur.lastrowid) if cur.rowcount and cur.lastrowid else None

    def followups(self, *, states: tuple[str, ...] = ("open", "snoozed")) -> list[FollowUpRow]:
        marks = ",".join("?" * len(states))
        rows = self.db.execute(
            "SELECT f.*, r.reference FROM followups f LEFT JOIN referrals r"
            f" ON r.id = f.referral_id WHERE f.state IN ({marks})"
            " ORDER BY f.urgent DESC, f.due, f.id",
            states,
        )
        return [
            FollowUpRow(
                id=r["id"],
                referral_id=r["referral_id"],
                reference=r["reference"],
                action=r["action"],
                due=date.fromisoformat(r["due"]),
                state=r["state"],
                snoozed_until=date.fromisoformat(r["snoozed_until"])
                if r["snoozed_until"]
                else None,
                urgent=bool(r["urgent"]),
            )
            for r in rows
        ]

    def set_followup(
        self, fu_id: int, state: str, now: datetime, until: date | None = None
    ) -> bool:
        cur = self.db.execute(
            "UPDATE followups SET state = ?, snoozed_until = ?,"
            " done_at = CASE WHEN ? = 'done' THEN ? ELSE done_at END WHERE id = ?",
            (state, until.isoformat() if until else None, state, iso(now), fu_id),
        )
        return cur.rowcount > 0

    # ------------------------------------------------------------ digests, events, audit

    def digest_for(self, day: date) -> sqlite3.Row | None:
        return self._one("SELECT * FROM digests WHERE day = ?", day.isoformat())

    def last_digest(self) -> sqlite3.Row | None:
        return self._one("SELECT * FROM digests WHERE sent_at IS NOT NULL ORDER BY day DESC")

    def claim_digest(self, day: date, token: str, rfc_message_id: str) -> bool:
        """Reserve today's digest; False if one was already claimed for that day."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO digests (day, token, rfc_message_id) VALUES (?, ?, ?)",
            (day.isoformat(), token, rfc_message_id),
        )
        return cur.rowcount > 0

    def digest_sent(self, day: date, now: datetime) -> None:
        self.db.execute("UPDATE digests SET sent_at = ? WHERE day = ?", (iso(now), day.isoformat()))

    def event(self, kind: str, now: datetime, detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)",
            (iso(now), kind, redact(detail)),
        )

    def last_event(self, kind: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM events WHERE kind = ? ORDER BY id DESC", kind)

    def audit(self, actor: str, action: str, now: datetime, reference: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO audit (at, actor, action, reference) VALUES (?, ?, ?, ?)",
            (iso(now), actor, action, reference),
        )
