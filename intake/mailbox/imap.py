"""The IMAP inbox: the one module that owns the IMAP socket.

It reads by UID above a checkpoint (UIDVALIDITY, last UID), fetches bodies
with BODY.PEEK[] so unread mail stays unread in her mail client, and only
flags or moves a message after the store has recorded it.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from intake.config import Mailbox
from intake.errors import ConfigError, TransientError
from intake.mailbox.fetched import Batch, Fetched, Known
from intake.secrets import oauth2_token, password

_NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError)


def tls_context(ca_file: Any) -> ssl.SSLContext:
    """Certificate verification always on; ca_file adds a CA to the system ones."""
    ctx = ssl.create_default_context()
    if ca_file:
        ctx.load_verify_locations(cafile=str(ca_file))
    return ctx


def connect(cfg: Mailbox) -> IMAPClient:
    """Connect and log in, or raise ConfigError (fix the config) / TransientError (retry).

    Every socket operation is bounded by timeout_seconds; a half-made
    connection is closed before the error leaves.
    """
    ctx = tls_context(cfg.ca_file)
    try:
        client = IMAPClient(
            cfg.host,
            port=cfg.port,
            ssl=cfg.security == "tls",
            ssl_context=ctx,
            timeout=cfg.timeout_seconds,
        )
    except ssl.SSLCertVerificationError as exc:
        raise ConfigError(f"mailbox: TLS certificate not trusted ({exc.verify_message})") from None
    except _NETWORK_ERRORS as exc:
        raise TransientError(f"mailbox: cannot connect ({type(exc).__name__}: {exc})") from None
    try:
        _secure_and_login(client, cfg, ctx)
    except BaseException:
        _discard(client)
        raise
    return client


def _secure_and_login(client: IMAPClient, cfg: Mailbox, ctx: ssl.SSLContext) -> None:
    try:
        if cfg.security == "starttls":
            client.starttls(ctx)
        token = oauth2_token(cfg, "mailbox")
        if token is not None:
            client.oauth2_login(cfg.username, token.get_secret_value())
        else:
            client.login(cfg.username, password(cfg, "mailbox").get_secret_value())
    except ssl.SSLCertVerificationError as exc:
        raise ConfigError(f"mailbox: TLS certificate not trusted ({exc.verify_message})") from None
    except LoginError:
        raise ConfigError("mailbox: the server refused the login") from None
    except _NETWORK_ERRORS as exc:
        raise TransientError(f"mailbox: login failed ({type(exc).__name__})") from None


def _discard(client: IMAPClient) -> None:
    """Close a connection that failed half-way, whatever state its socket is in."""
    with contextlib.suppress(*_NETWORK_ERRORS):
        client.shutdown()


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class ImapInbox:
    """New mail from one IMAP folder, in batches."""

    def __init__(self, cfg: Mailbox, now: datetime) -> None:
        self.cfg = cfg
        self.now = now
        self.client = connect(cfg)
        self.folder = cfg.folder
        self._selected = False  # by wait_for_change, read-only

    # ------------------------------------------------------------ reading

    def _status(self) -> tuple[int, int]:
        status = self.client.folder_status(self.folder, [b"UIDVALIDITY", b"UIDNEXT"])
        return int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"])

    def batches(
        self, last: tuple[int, int] | None, known: Known, since: date | None
    ) -> Iterator[Batch]:
        """Yield batches of messages above the checkpoint; cheap when nothing is new."""
        try:
            yield from self._batches(last, known, since)
        except _NETWORK_ERRORS as exc:
            raise TransientError(f"mailbox: {type(exc).__name__}: {exc}") from None

    def _batches(
        self, last: tuple[int, int] | None, known: Known, since: date | None
    ) -> Iterator[Batch]:
        uidvalidity, uidnext = self._status()
        same_epoch = last is not None and last[0] == uidvalidity
        last_uid = last[1] if last is not None and same_epoch else 0
        if same_epoch and uidnext - 1 <= last_uid and since is None:
            return
        self.client.select_folder(self.folder, readonly=self.cfg.after_processing == "none")
        self._selected = False
        uids = sorted(u for u in self.client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
        revisit = self._left_alone_since(since, last_uid, uidvalidity, known)
        uids = sorted({*uids, *revisit})
        if not uids and uidnext - 1 > last_uid:
            # All mail above the checkpoint was expunged: move past it, so polls stay one STATUS.
            yield Batch(
                folder=self.folder, uidvalidity=uidvalidity, last_uid=uidnext - 1, messages=()
            )
            return
        window = self._window(last, since)
        for start in range(0, len(uids), self.cfg.batch_size):
            chunk = uids[start : start + self.cfg.batch_size]
            fresh = [
                u
                for u in chunk
                if u in revisit or not known.knows_location(self.folder, uidvalidity, str(u))
            ]
            messages = self._fetch(fresh, uidvalidity, window, promote=since is not None)
            yield Batch(
                folder=self.folder, uidvalidity=uidvalidity, last_uid=chunk[-1], messages=messages
            )

    def _left_alone_since(
        self, since: date | None, last_uid: int, uidvalidity: int, known: Known
    ) -> set[int]:
        """With --since: mail below the checkpoint, from that date on, that was left alone."""
        if since is None or last_uid == 0:
            return set()
        found = self.client.search(["SINCE", since, "UID", f"1:{last_uid}"])
        return {u for u in found if known.left_alone(self.folder, uidvalidity, str(u))}

    def _window(self, last: tuple[int, int] | None, since: date | None) -> datetime | None:
        """Mail older than this is recorded but left alone (first run, or --since)."""
        if since is not None:
            return datetime(since.year, since.month, since.day, tzinfo=UTC)
        if last is None:
            return self.now - timedelta(days=self.cfg.first_run_days)
        return None

    def _fetch(
        self, uids: list[int], uidvalidity: int, window: datetime | None, promote: bool = False
    ) -> tuple[Fetched, ...]:
        """Bodies of what is to be handled; headers only of what is too large or too old."""
        if not uids:
            return ()
        meta = self.client.fetch(uids, ["RFC822.SIZE", "INTERNALDATE"])
        limit = int(self.cfg.max_message_mb * 1024 * 1024)
        dates = {u: _as_utc(m.get(b"INTERNALDATE")) for u, m in meta.items()}
        old = {u for u, when in dates.items() if window and when and when < window}
        small = [u for u in uids if u in meta and u not in old]
        small = [u for u in small if int(meta[u][b"RFC822.SIZE"]) <= limit]
        heads_only = [u for u in uids if u in meta and u not in small]
        bodies = self.client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        heads = self.client.fetch(heads_only, ["BODY.PEEK[HEADER]"]) if heads_only else {}
        return tuple(
            Fetched(
                folder=self.folder,
                uidvalidity=uidvalidity,
                uid=str(uid),
                raw=bodies.get(uid, {}).get(b"BODY[]"),
                size=int(meta[uid][b"RFC822.SIZE"]),
                internal_date=dates[uid],
                headers=heads.get(uid, {}).get(b"BODY[HEADER]", b""),
                old=uid in old,
                promote=promote and uid not in old,
            )
            for uid in uids
            if uid in meta  # else expunged meanwhile
        )

    # ------------------------------------------------------------ after the commit

    def finish(self, locations: list[tuple[int, str]]) -> None:
        """Flag or move handled messages, as configured. Safe to repeat."""
        action = self.cfg.after_processing
        if action == "none" or not locations:
            return
        try:
            current = self._status()[0]
            uids = [int(uid) for validity, uid in locations if validity == current]
            if not uids:
                return
            self.client.select_folder(self.folder)
            self._selected = False
            if action == "flag":
                self.client.add_flags(uids, [self.cfg.processed_flag.encode()], silent=True)
            else:
                self._move(uids)
        except _NETWORK_ERRORS as exc:
            raise TransientError(f"mailbox: {type(exc).__name__}: {exc}") from None

    def _move(self, uids: list[int]) -> None:
        target = self.cfg.processed_folder
        if not self.client.folder_exists(target):
            self.client.create_folder(target)
        if self.client.has_capability("MOVE"):
            self.client.move(uids, target)
            return
        self.client.copy(uids, target)
        self.client.delete_messages(uids, silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    # ------------------------------------------------------------ waiting

    def wait_for_change(self, timeout: float, last_uid: int) -> bool:
        """Block until new mail may be there (IDLE), or timeout passes; True when it may.

        Costs one STATUS when mail came meanwhile. Without IDLE (or with
        use_idle off) it sleeps, and the caller polls.
        """
        try:
            if self._status()[1] - 1 > last_uid:
                return True
            if not (self.cfg.use_idle and self.client.has_capability("IDLE")):
                time.sleep(timeout)
                return False
            return self._idle(timeout)
        except _NETWORK_ERRORS as exc:
            raise TransientError(f"mailbox: {type(exc).__name__}: {exc}") from None

    def _idle(self, timeout: float) -> bool:
        if not self._selected:
            self.client.select_folder(self.folder, readonly=True)
            self._selected = True
        self.client.idle()
        try:
            responses = self.client.idle_check(timeout=timeout)
        finally:
            _, after = self.client.idle_done()
        untagged = [r for r in [*responses, *after] if isinstance(r, tuple) and len(r) > 1]
        if any(r[1] == b"BYE" for r in untagged):
            raise TransientError("mailbox: the server is closing the connection")
        return any(r[1] == b"EXISTS" for r in untagged)

    def close(self) -> None:
        try:
            self.client.logout()
        except _NETWORK_ERRORS:
            _discard(self.client)
