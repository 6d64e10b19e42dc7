"""Understanding a backlog on every core: parse_email in worker processes.

parse_email is pure (bytes in, a ParsedEmail out), so a backlog can be read
in parallel while this process records decisions and sends replies. Results
come back in message order, because a later message in a thread depends on
the record of an earlier one. A few new messages (the usual case) are read
in-process, where starting workers would cost more than it saves.

A worker also contains what the in-process time limit cannot: a message
that hangs a C extension or kills the interpreter stops its worker, not the
service. The message is given up as unreadable (at once when the worker
died, after the time limit and a grace when it hangs), a fresh worker takes
its place and is handed the messages that were waiting for the old one.
Each worker has pipes of its own (not multiprocessing.Pool, whose shared
queue lock a dying worker can leave held, hanging the pool's shutdown).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, TypeVar

from intake.errors import MessageError
from intake.models import ParsedEmail
from intake.worker.timebox import time_limit

if TYPE_CHECKING:  # a reading worker imports this module: only what reading needs loads
    from intake.config import Extraction

log = logging.getLogger("intake.worker")
T = TypeVar("T")

PARALLEL_FROM = 24  # fewer pending messages than this are read in-process
GROUP = 16  # messages of a backlog recorded per transaction
WINDOW_PER_WORKER = 24  # messages handed to each worker ahead of the one awaited
AHEAD_BYTES = 16_000_000  # and at most this much mail in flight, however large the messages
# Workers run at a lower priority: the service process, which records what they read
# and talks to the servers, is what a backlog waits on, and the machine stays responsive.
NICENESS = 10
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Unreadable:
    """A message parse_email could not read: why (safe to store), and whether it was a bug."""

    reason: str
    bug: str | None = None  # the exception type of an internal error
    at: str = ""  # where it was raised (file:line), never its words

    @classmethod
    def of(cls, exc: Exception) -> Unreadable:
        """A MessageError is the message's fault; anything else is a bug, kept by place."""
        from intake.store.redact import message_reason, where  # the store package is heavy

        if isinstance(exc, MessageError):
            return cls(message_reason(exc))
        return cls(message_reason(exc), bug=type(exc).__name__, at=where(exc))


Understood = ParsedEmail | Unreadable


def understand(raw: bytes, *, required: tuple[str, ...], seconds: float) -> Understood:
    """parse_email within the time limit; failures as values, so they cross processes."""
    from intake.understanding import parse_email

    try:
        with time_limit(seconds):
            return parse_email(raw, required=required)
    except Exception as exc:
        return Unreadable.of(exc)


def _worker_start() -> None:
    """In each worker: die with the service, leave Ctrl-C to it, log nothing, and give way.

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
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


def worker_count(configured: int) -> int:
    """0 means one per CPU core this process may use."""
    if configured:
        return configured
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


Pending = tuple[int, bytes | None, int | None]  # id, raw, the worker reading it


def _serve(requests: Connection, results: Connection, job: Callable[[bytes], Understood]) -> None:
    """A worker's loop: a thread takes requests off the pipe as they come, so the service
    never blocks sending one; the main thread (where the time limit works) reads them."""
    _worker_start()
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def take() -> None:
        try:
            while True:
                inbox.put(requests.recv_bytes())
        except (EOFError, OSError):  # the service closed the pipe, or died
            inbox.put(None)

    threading.Thread(target=take, daemon=True).start()
    while (raw := inbox.get()) is not None:
        results.send(job(raw))
    results.close()
    os._exit(0)  # nothing to flush or finalise: the service is not kept waiting for it


class _Worker:
    """One reading process with pipes of its own: no lock is shared between workers, so a
    worker that dies or hangs holds nothing the others or the service wait for."""

    def __init__(self, job: Callable[[bytes], Understood]) -> None:
        # spawn, not fork: the service has threads (scheduler, IDLE) a fork would copy mid-step
        context = multiprocessing.get_context("spawn")
        requests, self.requests = context.Pipe(duplex=False)
        self.results, results = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(requests, results, job), daemon=True)
        self.process.start()
        requests.close()
        results.close()

    def result(self, patience: float) -> Understood:
        """The next result, in the order sent; EOFError when the worker died,
        TimeoutError when it gave none within `patience` seconds."""
        if not self.results.poll(patience):
            raise TimeoutError
        understood: Understood = self.results.recv()
        return understood

    def send(self, raw: bytes) -> None:
        """Hand over a message; to a worker that has died, nothing (its result() says so)."""
        with contextlib.suppress(OSError):
            self.requests.send_bytes(raw)

    def ask_to_stop(self) -> None:
        self.requests.close()  # an idle worker ends by itself

    def stop(self) -> None:
        self.ask_to_stop()
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.results.close()


class UnderstandingPool:
    """Worker processes that run `job` (normally `understand`); use as a context manager."""

    def __init__(self, workers: int, job: Callable[[bytes], Understood], patience: float) -> None:
        self.job = job  # module-level (or a partial of one), so spawned workers can import it
        self.patience = patience
        self._workers = [_Worker(job) for _ in range(workers)]

    @classmethod
    def for_extraction(
        cls, workers: int, required: tuple[str, ...], seconds: float
    ) -> UnderstandingPool:
        """Workers running parse_email with the configured fields and time limit."""
        job = partial(understand, required=required, seconds=seconds)
        return cls(workers, job, seconds + 10 if seconds > 0 else 600.0)

    def __enter__(self) -> UnderstandingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        workers, self._workers = self._workers, []
        for worker in workers:  # all at once, then each waited for
            worker.ask_to_stop()
        for worker in workers:
            worker.stop()

    def _await(self, index: int, pending: deque[Pending]) -> Understood:
        """The result of the oldest message sent to worker `index` (the one awaited:
        results come back per worker in the order sent, and are taken in that order)."""
        try:
            return self._workers[index].result(self.patience)
        except (EOFError, OSError, TimeoutError):
            log.warning("a reading worker stopped; starting it afresh")
            self._replace(index, pending)
            return Unreadable(f"the reading process stopped (limit {self.patience:g} seconds)")
        except Exception as exc:  # the result could not cross back (e.g. unpickling)
            return Unreadable.of(exc)

    def _replace(self, index: int, pending: deque[Pending]) -> None:
        """A fresh worker in place of one that died or hung, given its messages still due."""
        self._workers[index].process.kill()
        self._workers[index].stop()
        self._workers[index] = _Worker(self.job)
        for _, raw, assigned in pending:
            if assigned == index and raw is not None:
                self._workers[index].send(raw)

    def read(
        self, messages: Iterable[tuple[int, bytes | None]]
    ) -> Iterator[tuple[int, bytes | None, Understood | None]]:
        """(id, raw, understood) in the order given; None for a message without a body.

        Reads ahead WINDOW_PER_WORKER messages per worker and at most
        AHEAD_BYTES of mail, so memory stays bounded however long the backlog
        and however large its messages.
        """
        source = iter(messages)
        pending: deque[Pending] = deque()
        turn = itertools.cycle(range(len(self._workers)))
        in_flight = 0  # bytes of the pending messages

        def top_up() -> None:
            nonlocal in_flight
            while len(pending) < len(self._workers) * WINDOW_PER_WORKER and (
                not pending or in_flight < AHEAD_BYTES
            ):
                item = next(source, None)
                if item is None:
                    return
                msg_id, raw = item
                index = None
                if raw is not None:
                    index = next(turn)
                    self._workers[index].send(raw)
                    in_flight += len(raw)
                pending.append((msg_id, raw, index))

        top_up()
        while pending:
            msg_id, raw, index = pending.popleft()
            in_flight -= len(raw) if raw is not None else 0
            understood = None if index is None else self._await(index, pending)
            top_up()
            yield msg_id, raw, understood


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items (itertools.batched arrived in Python 3.12)."""
    source = iter(items)
    while chunk := list(itertools.islice(source, size)):
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
