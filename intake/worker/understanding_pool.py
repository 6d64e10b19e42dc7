"""Understanding a backlog on every core: parse_email in worker processes.

parse_email is pure (bytes in, a ParsedEmail out), so a backlog can be read
in parallel while this process records decisions and sends replies. Results
come back in message order, because a later message in a thread depends on
the record of an earlier one. A few new messages (the usual case) are read
in-process, where starting workers would cost more than it saves.

A worker also contains what the in-process time limit cannot: a message
that hangs a C extension or kills the interpreter stops its worker, not the
service. After a generous wait the message is given up as unreadable, the
pool is started afresh and the messages after it are read again.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from typing import TypeVar

from intake.config import Extraction
from intake.errors import MessageError
from intake.models import ParsedEmail
from intake.store.redact import message_reason, where
from intake.worker.timebox import time_limit

log = logging.getLogger("intake.worker")
T = TypeVar("T")

PARALLEL_FROM = 24  # fewer pending messages than this are read in-process
GROUP = 16  # messages of a backlog recorded per transaction
WINDOW_PER_WORKER = 8  # messages handed to each worker ahead of the one awaited
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Unreadable:
    """A message parse_email could not read: why (safe to store), and whether it was a bug."""

    reason: str
    bug: str | None = None  # the exception type of an internal error
    at: str = ""  # where it was raised (file:line), never its words


Understood = ParsedEmail | Unreadable


def understand(raw: bytes, *, required: tuple[str, ...], seconds: float) -> Understood:
    """parse_email within the time limit; failures as values, so they cross processes."""
    from intake.understanding import parse_email

    try:
        with time_limit(seconds):
            return parse_email(raw, required=required)
    except MessageError as exc:
        return Unreadable(message_reason(exc))
    except Exception as exc:  # a bug: keep where, never the message's text
        return Unreadable(message_reason(exc), bug=type(exc).__name__, at=where(exc))


def _worker_start() -> None:
    """In each worker: die with the service, leave Ctrl-C to it, and log nothing.

    A worker reports through what `understand` returns; a library's own log
    line (pypdf on a broken PDF, say) would reach stderr unformatted here and
    could quote the document.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.disable(logging.CRITICAL)
    try:  # Linux: a worker must not outlive a service killed with SIGKILL
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the service died before prctl took effect
        os._exit(0)


def worker_count(configured: int) -> int:
    """0 means one per CPU core this process may use."""
    if configured:
        return configured
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


Pending = tuple[int, bytes | None, "AsyncResult[Understood] | None"]


class UnderstandingPool:
    """Worker processes that run `job` (normally `understand`); use as a context manager."""

    def __init__(self, workers: int, job: Callable[[bytes], Understood], patience: float) -> None:
        self.workers = workers
        self.job = job  # module-level (or a partial of one), so spawned workers can import it
        self.patience = patience
        self._pool = self._start()

    @classmethod
    def for_extraction(
        cls, workers: int, required: tuple[str, ...], seconds: float
    ) -> UnderstandingPool:
        """Workers running parse_email with the configured fields and time limit."""
        job = partial(understand, required=required, seconds=seconds)
        # Generous: the result awaited may have waited behind one other message.
        return cls(workers, job, 2 * seconds + 10 if seconds > 0 else 600.0)

    def _start(self) -> Pool:
        # spawn, not fork: the service has threads (scheduler, IDLE) a fork would copy mid-step
        return multiprocessing.get_context("spawn").Pool(self.workers, initializer=_worker_start)

    def __enter__(self) -> UnderstandingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def _submit(self, raw: bytes | None) -> AsyncResult[Understood] | None:
        if raw is None:
            return None
        return self._pool.apply_async(self.job, (raw,))

    def _restart(self, queue: deque[Pending]) -> None:
        """A worker hung or died: a fresh pool, and everything in flight handed to it."""
        self.close()
        self._pool = self._start()
        for n, (msg_id, raw, _) in enumerate(queue):
            queue[n] = (msg_id, raw, self._submit(raw))

    def _await(self, result: AsyncResult[Understood], queue: deque[Pending]) -> Understood:
        try:
            return result.get(timeout=self.patience)
        except multiprocessing.TimeoutError:
            log.warning("a reading worker stopped answering; starting the workers afresh")
            self._restart(queue)
            return Unreadable(f"the reading process stopped after {self.patience:g} seconds")
        except Exception as exc:  # the result could not cross back (e.g. pickling)
            return Unreadable(message_reason(exc), bug=type(exc).__name__, at=where(exc))

    def read(
        self, messages: Iterable[tuple[int, bytes | None]]
    ) -> Iterator[tuple[int, bytes | None, Understood | None]]:
        """(id, raw, understood) in the order given; None for a message without a body.

        Reads ahead a few messages per worker, so memory stays bounded however
        long the backlog.
        """
        source = iter(messages)
        queue: deque[Pending] = deque()

        def top_up() -> None:
            while len(queue) < self.workers * WINDOW_PER_WORKER:
                item = next(source, None)
                if item is None:
                    return
                queue.append((item[0], item[1], self._submit(item[1])))

        top_up()
        while queue:
            msg_id, raw, result = queue.popleft()
            understood = None if result is None else self._await(result, queue)
            top_up()
            yield msg_id, raw, understood


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items (itertools.batched arrived in Python 3.12)."""
    source = iter(items)
    while chunk := list(islice(source, size)):
        yield chunk


Reader = Callable[
    [Iterable[tuple[int, bytes | None]]], Iterator[tuple[int, bytes | None, Understood | None]]
]


def _read_here(
    messages: Iterable[tuple[int, bytes | None]],
) -> Iterator[tuple[int, bytes | None, Understood | None]]:
    return ((msg_id, raw, None) for msg_id, raw in messages)


class Readers:
    """How pending messages are read: here, or by worker processes once a backlog shows.

    A backlog is read by workers and recorded GROUP at a time, one commit per
    group; a few messages are read here, one transaction each, so no
    transaction waits on reading (which may take seconds). The workers start
    as soon as a backlog shows while fetching, so they are ready by the time
    the fetch ends.
    """

    def __init__(self, cfg: Extraction) -> None:
        self.cfg = cfg
        self.workers = worker_count(self.cfg.workers)
        self._pool: UnderstandingPool | None = None

    def expect(self, pending: int) -> None:
        """Start the workers if `pending` messages are a backlog worth them."""
        if self._pool is None and self.workers >= 2 and pending >= PARALLEL_FROM:
            cfg = self.cfg
            self._pool = UnderstandingPool.for_extraction(
                self.workers, cfg.required, cfg.seconds_per_message
            )

    def reader(self) -> tuple[Reader, int]:
        """How to read, and how many messages to record per transaction."""
        return (self._pool.read, GROUP) if self._pool else (_read_here, 1)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
