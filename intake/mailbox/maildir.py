"""A local Maildir as the inbox: the embedded default, and handy for demos."""

from __future__ import annotations

import mailbox
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from intake.files import private_dir
from intake.mailbox.fetched import Batch, Fetched, Known

FOLDER = "maildir"
_DELIVERED = re.compile(r"(\d+)\.M(\d+)")


def arrival_order(key: str) -> tuple[int, int, str]:
    """Sort key for Maildir names, oldest delivery first.

    Names begin with the delivery time, seconds then `M` and the microseconds,
    unpadded (`1764064800.M99999P…`), so sorting them as text puts .M100000
    before .M99999; a referral and its follow-up then arrive in the wrong order.
    Names in another form sort after, as text.
    """
    found = _DELIVERED.match(key)
    if found is None:
        return (sys.maxsize, 0, key)
    return (int(found.group(1)), int(found.group(2)), key)


def open_maildir(path: Path) -> mailbox.Maildir:
    """Open a Maildir, creating it (private to this user) when missing."""
    for sub in ("tmp", "new", "cur"):
        private_dir(path / sub)
    return mailbox.Maildir(str(path), create=False)


class MaildirInbox:
    """Reads every message in a Maildir; the store's locations say which are new."""

    def __init__(self, path: Path, batch_size: int = 100) -> None:
        self.box = open_maildir(path)
        self.batch_size = batch_size

    def _fetched(self, key: str) -> Fetched:
        raw = self.box.get_bytes(key)
        mtime = self.box.get_message(key).get_date()
        return Fetched(
            folder=FOLDER,
            uidvalidity=0,
            uid=key,
            raw=raw,
            size=len(raw),
            internal_date=datetime.fromtimestamp(mtime, UTC),
        )

    def batches(
        self, last: tuple[int, int] | None, known: Known, since: date | None
    ) -> Iterator[Batch]:
        new = (k for k in self.box.iterkeys() if not known.knows_location(FOLDER, 0, k))
        keys = sorted(new, key=arrival_order)
        for start in range(0, len(keys), self.batch_size):
            chunk = tuple(self._fetched(k) for k in keys[start : start + self.batch_size])
            yield Batch(folder=FOLDER, uidvalidity=0, last_uid=0, messages=chunk)

    def finish(self, locations: list[tuple[int, str]]) -> None:
        """Maildir mail is left as it is: the store remembers what was handled."""

    def wait_for_change(self, timeout: float, last_uid: int) -> bool:
        """A Maildir has no push: sleep, and let the caller look again."""
        time.sleep(timeout)
        return False

    def close(self) -> None:
        self.box.close()
