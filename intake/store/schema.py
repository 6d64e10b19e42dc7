"""The SQLite schema as an ordered list of migrations.

Each migration runs in one transaction together with the `user_version`
bump that records it, so a crash leaves the database at a known version.
Personal data lives only in the `*_sealed` columns (encrypted); columns in
clear hold references, states, dates and keyed hashes.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the foundation
    """
    CREATE TABLE checkpoints (
        folder TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        message_id_hash TEXT,
        raw_sealed BLOB,
        size INTEGER NOT NULL,
        internal_date TEXT,
        received_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'received'
            CHECK (state IN ('received', 'processed', 'quarantined', 'ignored',
                             'too_large', 'old')),
        kind TEXT,
        referral_id INTEGER REFERENCES referrals(id),
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        processed_at TEXT,
        server_done INTEGER NOT NULL DEFAULT 0,
        raw_purged_at TEXT
    );
    CREATE INDEX messages_state ON messages(state);
    CREATE INDEX messages_message_id ON messages(message_id_hash);
    CREATE TABLE message_locations (
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid TEXT NOT NULL,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        PRIMARY KEY (folder, uidvalidity, uid)
    );
    CREATE TABLE referrals (
        id INTEGER PRIMARY KEY,
        reference TEXT UNIQUE,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        referrer_hash TEXT,
        record_sealed BLOB NOT NULL,
        safeguarding INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX referrals_referrer ON referrals(referrer_hash);
    CREATE TABLE status_history (
        id INTEGER PRIMARY KEY,
        referral_id INTEGER NOT NULL REFERENCES referrals(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        old_status TEXT,
        new_status TEXT NOT NULL,
        note TEXT
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        rfc_message_id TEXT NOT NULL UNIQUE,
        message_id INTEGER REFERENCES messages(id),
        referral_id INTEGER REFERENCES referrals(id),
        template TEXT NOT NULL,
        recipient_hash TEXT NOT NULL,
        thread_hash TEXT,
        raw_sealed BLOB NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'uncertain', 'failed',
                             'held', 'drafted')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outbox_state ON outbox(state);
    CREATE INDEX outbox_recipient ON outbox(recipient_hash, created_at);
    CREATE TABLE followups (
        id INTEGER PRIMARY KEY,
        referral_id INTEGER REFERENCES referrals(id),
        message_id INTEGER REFERENCES messages(id),
        action TEXT NOT NULL,
        due TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'snoozed')),
        snoozed_until TEXT,
        urgent INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        done_at TEXT,
        UNIQUE (referral_id, message_id, action)
    );
    CREATE INDEX followups_state ON followups(state, due);
    CREATE TABLE digests (
        day TEXT PRIMARY KEY,
        sent_at TEXT,
        rfc_message_id TEXT,
        token TEXT NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        reference TEXT
    );
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 2: the therapist's side: conflicting values kept for her (sealed: they are
    # personal data), and lookups for threads and replies to the digest
    """
    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY,
        referral_id INTEGER NOT NULL REFERENCES referrals(id),
        message_id INTEGER REFERENCES messages(id),
        field TEXT NOT NULL,
        values_sealed BLOB NOT NULL,
        at TEXT NOT NULL,
        resolved_at TEXT
    );
    CREATE INDEX conflicts_referral ON conflicts(referral_id);
    CREATE INDEX messages_referral ON messages(referral_id);
    CREATE INDEX digests_message_id ON digests(rfc_message_id);
    """,
    # 3: confidential by construction. The sealed identity of a message (the
    # digest of its bytes, its Message-ID and sender) lets a key rotation
    # recompute every keyed hash even after the raw message is purged; the
    # sender's keyed hash finds a person's mail for export and erasure; notes
    # in the status history are sealed like every other free text.
    """
    ALTER TABLE messages ADD COLUMN ident_sealed BLOB;
    ALTER TABLE messages ADD COLUMN sender_hash TEXT;
    CREATE INDEX messages_sender ON messages(sender_hash);
    ALTER TABLE status_history ADD COLUMN note_sealed BLOB;
    """,
    # 4: recognise a message by its header section too (header-only fetches,
    # a re-scan after a UIDVALIDITY change)
    """
    ALTER TABLE messages ADD COLUMN headers_sha256 TEXT;
    CREATE INDEX messages_headers ON messages(headers_sha256);
    """,
    # 5: the hourly reply ceiling, a referral's replies and the rows due for
    # sending (a chunk at a time, by id) are answered from indexes, without
    # reading every outbox row and its sealed message
    """
    CREATE INDEX outbox_created ON outbox(created_at, template);
    CREATE INDEX outbox_referral ON outbox(referral_id);
    CREATE INDEX outbox_due ON outbox(state, id, next_attempt_at);
    """,
    # 6: a sent reply whose copy for the Sent folder is still to be saved
    # (copies are saved a batch at a time, after the sends are recorded)
    """
    ALTER TABLE outbox ADD COLUMN copy_due INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_copy_due ON outbox(copy_due) WHERE copy_due = 1;
    """,
]
