"""A hard time limit on understanding one message.

Python cannot stop a running function from outside, so the limit raises an
exception inside it: in the main thread from an interval timer (SIGALRM),
in any other thread (the polling scheduler's worker) by a timer thread
that asks the interpreter to raise it asynchronously in the worker. Either
way the exception is a LimitExceeded: the message is quarantined with that
reason and the batch goes on. Both act between Python bytecodes, so a single
long C call (one regex match) finishes first; the parser's bounded patterns
and size limits keep those short.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from intake.errors import LimitExceeded


class TimeLimitExceeded(LimitExceeded):
    """Raised inside a block that ran past its time limit."""

    def __init__(self, message: str = "took longer than its time limit to read") -> None:
        super().__init__(message)


def _in_main_thread() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def _by_signal(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded(f"took longer than {seconds:g} seconds to read")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None
    )


@contextmanager
def _by_async_exception(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    lock = threading.Lock()
    inside = True

    def fire() -> None:
        with lock:
            if inside:
                _raise_in(target, TimeLimitExceeded)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            inside = False
            timer.cancel()
            _raise_in(target, None)  # clear one that was set but not yet raised


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise LimitExceeded in the block if it runs longer than `seconds` (0: no limit)."""
    if seconds <= 0:
        yield
        return
    guard = _by_signal if _in_main_thread() else _by_async_exception
    with guard(seconds):
        yield
