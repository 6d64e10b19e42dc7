"""What a mailbox adapter hands to the worker: raw messages in batches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class Fetched(BaseModel):
    """One message as found on the server; raw is None when it was too large to fetch."""

    model_config = ConfigDict(frozen=True)

    folder: str
    uidvalidity: int
    uid: str
    raw: bytes | None
    size: int
    internal_date: datetime | None = None
    headers: bytes = b""
    message_id: str | None = None
    old: bool = False  # before the first-run window: record it, leave it alone
    promote: bool = False  # asked for by --since: handle it even if it was left alone before


class Batch(BaseModel):
    """Messages to store together with the checkpoint they advance to."""

    model_config = ConfigDict(frozen=True)

    folder: str
    uidvalidity: int
    last_uid: int
    messages: tuple[Fetched, ...]


class Known(Protocol):
    """What an adapter may ask the store while fetching."""

    def knows_location(self, folder: str, uidvalidity: int, uid: str) -> bool: ...

    def left_alone(self, folder: str, uidvalidity: int, uid: str) -> bool: ...


class Inbox(Protocol):
    """A source of new mail. Every method may raise TransientError."""

    def batches(
        self, last: tuple[int, int] | None, known: Known, since: date | None
    ) -> Iterator[Batch]: ...

    def finish(self, locations: list[tuple[int, str]]) -> None: ...

    def wait_for_change(self, timeout: float, last_uid: int) -> bool: ...

    def close(self) -> None: ...
