"""Delivering the outbox: each reply reaches its recipient at most once, and normally once.

A reply is written to the store (state 'pending') in the same transaction
that records the decision, before anything is sent. Then:

SMTP, step by step
  1. connect, EHLO, AUTH, MAIL FROM, RCPT TO. A failure here (server down,
     4xx) leaves the row 'pending' with a retry time that backs off; nothing
     was handed over, so trying again later cannot duplicate anything.
  2. only once the server has accepted sender and recipients, the row is
     committed as 'sending' (`before_data`), and the message goes out (DATA).
  3. the server accepts: the row is committed as 'sent'. When [smtp]
     save_to_sent is on and the mailbox is IMAP, it is also marked
     `copy_due`, and the copies of a batch of sends are APPENDed to the Sent
     folder in one MULTIAPPEND, then unmarked. A copy a crash or an outage
     left unsaved is saved at the start of the next cycle (unless it is in
     Sent already), so her mail client shows every reply, once.

The only moment that cannot be made atomic is between the server accepting
DATA and the store recording it. A worker killed there leaves the row in
'sending'. On restart (`recover_interrupted_sends`) such a row is:
  - 'sent' when a message with its Message-ID (deterministic per reply) is in
    the Sent folder (the copy Gmail-like servers file themselves);
  - otherwise 'uncertain': never re-sent automatically, because a duplicate
    in a referrer's inbox is worse than a delay. The digest and `intake
    status` list it for the therapist, who can check her Sent folder.
Mail to the therapist herself (alerts, the digest) is the exception: a row
found in 'sending' goes back to 'pending', since a second copy of an alert
to her is harmless and a lost safeguarding alert is not.

Draft mode ([reply] mode = "draft")
  Replies are APPENDed to the Drafts folder (flag \\Draft) instead of SMTP,
  for the therapist to review and send. The row is 'sending' during the
  APPEND and 'drafted' after; on restart a 'sending' draft is looked up in
  Drafts by Message-ID: found means 'drafted', absent means the APPEND never
  happened (APPEND is atomic), so it goes back to 'pending'. Mail to the
  therapist still goes by SMTP. The route is chosen at delivery time.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import datetime, timedelta
from email.utils import getaddresses
from typing import TYPE_CHECKING, Literal

from intake.errors import ConfigError, MessageError, TransientError
from intake.mailbox.identity import header_block
from intake.reading.headers import field_values
from intake.replying.compose import check_templates
from intake.replying.folders import MailFolders
from intake.replying.senders import Sender
from intake.store.db import OutboxRow
from intake.store.redact import redact

if TYPE_CHECKING:
    from intake.worker.cycle import Services

log = logging.getLogger("intake.worker")

RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 3600
THERAPIST_MAIL = ("alert", "digest")
DUE_CHUNK = 100  # outbox rows read at a time
COPIES_PER_APPEND = 50  # Sent copies saved per MULTIAPPEND

Outcome = Literal["done", "next", "stop"]


def recipients_of(raw: bytes) -> list[str]:
    """The To addresses of an outgoing message, read from its headers only (no body parse)."""
    to = field_values(header_block(raw), "To")
    return [addr for _, addr in getaddresses(to) if addr]


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def for_therapist(row: OutboxRow) -> bool:
    """Alerts and digests go to the therapist herself, never to a referrer."""
    return row.template.startswith(THERAPIST_MAIL)


def goes_to_drafts(svc: Services, row: OutboxRow) -> bool:
    return svc.cfg.reply.mode == "draft" and not for_therapist(row)


class LazyFolders:
    """Opens the Drafts/Sent adapter only when a row needs it; closes it once."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._folders: MailFolders | None = None

    def get(self) -> MailFolders:
        if self._folders is None:
            opener = self.svc.open_folders
            if opener is None:
                raise ConfigError("no Drafts/Sent folders configured for this worker")
            self._folders = opener()
        return self._folders

    def close(self) -> None:
        folders, self._folders = self._folders, None
        if folders is not None:
            folders.close()


def _defer(svc: Services, row: OutboxRow, exc: Exception) -> None:
    now = svc.clock.now()
    retry_at = now + retry_delay(row.attempts + 1)
    svc.store.defer_outbox(row.id, now, error=redact(str(exc)), retry_at=retry_at)
    log.warning("outbox %d: %s; will retry at %s", row.id, redact(str(exc)), retry_at.isoformat())


def wants_copy(svc: Services, row: OutboxRow) -> bool:
    """A reply sent by SMTP gets a copy in the IMAP Sent folder, so her mail client shows it."""
    cfg = svc.cfg
    return (
        not for_therapist(row)
        and cfg.smtp.kind == "smtp"
        and cfg.smtp.save_to_sent
        and cfg.mailbox.kind == "imap"
    )


def append_copies(folders: LazyFolders, copies: list[tuple[int, bytes]]) -> bool:
    """APPEND copies of sent replies to Sent in one go; False, logged, when Sent is out of
    reach (the copies stay due for the next cycle)."""
    try:
        folders.get().append_many("sent", [raw for _, raw in copies])
    except (TransientError, ConfigError) as exc:
        log.warning(
            "%d sent replies: no copy saved to Sent yet (%s)", len(copies), redact(str(exc))
        )
        return False
    return True


def save_copies(svc: Services, folders: LazyFolders, copies: list[tuple[int, bytes]]) -> None:
    """APPEND copies of sent replies to Sent and unmark them; on failure they wait."""
    if not copies or not append_copies(folders, copies):
        return
    with svc.store.transaction(durable=False):  # lost: re-checked in Sent, not saved twice
        svc.store.copies_saved([out_id for out_id, _ in copies])
    copies.clear()


def save_copies_due(svc: Services, folders: LazyFolders, rows: list[OutboxRow]) -> None:
    """Copies a crash or an outage left unsaved; any already in Sent are not saved twice."""
    if not rows:
        return
    try:
        missing = [r for r in rows if not folders.get().contains("sent", r.rfc_message_id)]
    except (TransientError, ConfigError) as exc:
        log.warning("%d sent replies: Sent not reachable (%s)", len(rows), redact(str(exc)))
        return
    missing_ids = {r.id for r in missing}
    with svc.store.transaction():
        svc.store.copies_saved([r.id for r in rows if r.id not in missing_ids])
    save_copies(svc, folders, [(r.id, svc.store.outbox_raw(r.id)) for r in missing])


def send_one(
    svc: Services,
    sender: Sender,
    row: OutboxRow,
    copies: list[tuple[int, bytes]],
) -> Outcome:
    """Send one row; a reply that needs a Sent copy joins `copies`, saved after the batch."""
    store = svc.store
    raw = store.outbox_raw(row.id)

    def mark_sending() -> None:
        store.set_outbox_state(row.id, "sending", svc.clock.now())

    try:
        sender.send(raw, svc.cfg.practice.email, recipients_of(raw), before_data=mark_sending)
    except ConfigError:
        store.defer_outbox(row.id, svc.clock.now(), error="configuration", retry_at=None)
        raise
    except TransientError as exc:
        _defer(svc, row, exc)
        return "stop"
    except MessageError as exc:
        store.set_outbox_state(row.id, "failed", svc.clock.now(), error=redact(str(exc)))
        log.warning("outbox %d: %s", row.id, redact(str(exc)))
        return "next"
    copy = wants_copy(svc, row)
    # Not fsynced: lost in a power cut, the row is back in 'sending' and settles as
    # 'sent' or 'uncertain', never re-sent; the next 'sending' commit makes it durable.
    with store.transaction(durable=False):
        store.set_outbox_state(row.id, "sent", svc.clock.now(), copy_due=copy)
    if copy:
        copies.append((row.id, raw))
    log.info("outbox %d: %s sent", row.id, row.template)
    return "done"


def place_draft(svc: Services, folders: LazyFolders, row: OutboxRow) -> Outcome:
    store = svc.store
    raw = store.outbox_raw(row.id)
    store.set_outbox_state(row.id, "sending", svc.clock.now())
    try:
        folders.get().append("drafts", raw)
    except ConfigError:
        store.defer_outbox(row.id, svc.clock.now(), error="configuration", retry_at=None)
        raise
    except TransientError as exc:
        _defer(svc, row, exc)
        return "stop"
    store.set_outbox_state(row.id, "drafted", svc.clock.now())
    log.info("outbox %d: %s saved to Drafts", row.id, row.template)
    return "done"


def due_rows(svc: Services) -> Iterator[OutboxRow]:
    """The rows due now, in id order, read DUE_CHUNK at a time so memory stays bounded."""
    now, after = svc.clock.now(), 0
    while chunk := svc.store.outbox_due(now, after=after, limit=DUE_CHUNK):
        yield from chunk
        after = chunk[-1].id


def deliver_due(
    svc: Services,
    sender: Sender,
    folders: LazyFolders | None = None,
    keep: Callable[[list[tuple[int, bytes]]], None] | None = None,
) -> tuple[int, bool]:
    """Send (or draft) what is due: how many went out, and whether a failure stopped it.

    Sent copies are saved here, or handed to `keep` (a CopySaver) to be saved meanwhile.
    """
    own = folders is None
    folders = folders or LazyFolders(svc)
    copies: list[tuple[int, bytes]] = []
    save = keep or (lambda copies: save_copies(svc, folders, copies))
    done, stopped = 0, False
    try:
        for row in due_rows(svc):
            if goes_to_drafts(svc, row):
                outcome = place_draft(svc, folders, row)
            else:
                outcome = send_one(svc, sender, row, copies)
            if outcome == "stop":
                stopped = True
                break
            done += outcome == "done"
            if len(copies) >= COPIES_PER_APPEND:
                save(copies)
    finally:
        try:
            save(copies)
        finally:
            if own:
                folders.close()
    return done, stopped


def deliver_outbox(svc: Services, sender: Sender) -> int:
    """Send (or draft) what is due; returns how many replies went out or were drafted."""
    return deliver_due(svc, sender)[0]


class CopySaver:
    """Saves the Sent copies of a cycle's replies on a thread of its own.

    An APPEND waits on the IMAP server; on this thread the wait overlaps the
    recording and sending that go on meanwhile. The thread never touches the
    store: `saved()` hands back the rows whose copies are in Sent, for the
    caller to unmark. A copy that could not be saved stays `copy_due`, and
    the next cycle saves it (see save_copies_due), never twice.
    """

    def __init__(self, svc: Services) -> None:
        self._folders = LazyFolders(svc)
        self._todo: queue.SimpleQueue[list[tuple[int, bytes]] | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def keep(self, copies: list[tuple[int, bytes]]) -> None:
        """Queue these copies to be saved, and empty the list."""
        if not copies:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sent-copies", daemon=True)
            self._thread.start()
        self._todo.put(list(copies))
        copies.clear()

    def saved(self) -> list[int]:
        """The rows whose copies have reached Sent since the last call."""
        ids: list[int] = []
        while True:
            try:
                ids += self._done.get_nowait()
            except queue.Empty:
                return ids

    def close(self, patience: float) -> list[int]:
        """Wait up to `patience` seconds for the copies queued; the rows saved since `saved`."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._todo.put(None)
            thread.join(patience)
            if thread.is_alive():
                log.warning("sent replies: copies still being saved to Sent; rest next cycle")
        return self.saved()

    def _batches(self) -> Iterator[list[tuple[int, bytes]]]:
        """What is queued, COPIES_PER_APPEND copies at most per APPEND, until told to stop."""
        while (first := self._todo.get()) is not None:
            batch, more = first, True
            while more and len(batch) < COPIES_PER_APPEND:
                try:
                    queued = self._todo.get_nowait()
                except queue.Empty:
                    break
                if queued is None:
                    more = False
                else:
                    batch += queued
            for start in range(0, len(batch), COPIES_PER_APPEND):
                yield batch[start : start + COPIES_PER_APPEND]
            if not more:
                return

    def _run(self) -> None:
        failed = False
        try:
            for batch in self._batches():
                if failed:  # after one failure the rest wait for the next cycle
                    continue
                try:
                    appended = append_copies(self._folders, batch)
                except Exception:
                    log.exception("sent replies: saving copies to Sent failed")
                    appended = False
                if appended:
                    self._done.put([out_id for out_id, _ in batch])
                failed = not appended
        finally:
            self._folders.close()


class Outbox:
    """Delivery for one cycle: one sender, opened on first use, used more than once."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._sender: Sender | None = None
        self._folders = LazyFolders(svc)
        self._copies = CopySaver(svc)
        self._held_back = False

    def _deliver(self) -> tuple[int, bool]:
        if self._sender is None:
            self._sender = self.svc.open_sender()
        self._unmark(self._copies.saved())
        return deliver_due(self.svc, self._sender, self._folders, self._copies.keep)

    def _unmark(self, saved: list[int]) -> None:
        if saved:
            with self.svc.store.transaction(durable=False):  # lost: re-checked in Sent
                self.svc.store.copies_saved(saved)

    def deliver(self) -> int:
        """Send what is due; raises as deliver_outbox does."""
        return self._deliver()[0]

    def deliver_meanwhile(self) -> int:
        """Send what is due while a backlog is processed; a failure waits for `deliver`.

        After one failure nothing more is tried meanwhile: an unreachable
        server must not cost a timeout per group of the backlog.
        """
        if self._held_back:
            return 0
        try:
            sent, stopped = self._deliver()
        except (TransientError, ConfigError):
            sent, stopped = 0, True
        self._held_back = stopped
        return sent

    def close(self) -> None:
        """Close the connections, once the Sent copies queued are saved and unmarked."""
        sender, self._sender = self._sender, None
        try:
            if sender is not None:
                sender.close()
        finally:
            try:
                saved = self._copies.close(3 * self.svc.cfg.mailbox.timeout_seconds)
                self._unmark(saved)
            except Exception:  # the rows stay copy_due; the next cycle finds them in Sent
                log.exception("sent replies: could not record the copies saved")
            finally:
                self._folders.close()


def _recover(svc: Services, folders: LazyFolders, row: OutboxRow, now: datetime) -> str:
    """The state a row left in 'sending' by a crash moves to (see the module docstring)."""
    if for_therapist(row):
        return "pending"
    if goes_to_drafts(svc, row):
        try:
            return "drafted" if folders.get().contains("drafts", row.rfc_message_id) else "pending"
        except (TransientError, ConfigError):
            return "sending"  # look again next cycle; nothing is re-sent meanwhile
    if svc.cfg.mailbox.kind == "imap" and svc.cfg.smtp.kind == "smtp":
        with suppress(TransientError, ConfigError):
            if folders.get().contains("sent", row.rfc_message_id):
                return "sent"
    return "uncertain"


def recover_interrupted_sends(svc: Services) -> int:
    """Settle rows a crash left in 'sending' (never re-sending a reply that may have gone),
    and save the Sent copies a crash or an outage left unsaved."""
    rows, copies = svc.store.outbox_in_state("sending"), svc.store.copies_due()
    if not rows and not copies:
        return 0
    folders, now = LazyFolders(svc), svc.clock.now()
    try:
        for row in rows:
            state = _recover(svc, folders, row, now)
            if state == "sending":
                continue
            error = None if state in ("sent", "drafted") else "interrupted while sending"
            svc.store.set_outbox_state(row.id, state, now, error=error)
            log.warning("outbox %d: interrupted while sending; now %s", row.id, state)
        save_copies_due(svc, folders, copies)
    finally:
        folders.close()
    return len(rows)


_MODE_MEANS = {
    "auto": "replies are sent automatically",
    "draft": "replies are saved to the Drafts folder for review; nothing is sent to referrers",
    "off": "no replies are composed",
}


def startup_check(svc: Services) -> None:
    """Render every template once (a broken one stops start-up) and log the reply mode."""
    renders = check_templates(svc.env, svc.cfg.practice)
    mode = svc.cfg.reply.mode
    log.info("reply mode %s: %s (%d template renders checked)", mode, _MODE_MEANS[mode], renders)
