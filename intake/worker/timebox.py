"""A hard time limit on understanding one message.

Python cannot stop a running function from outside, so the limit is an
interval timer (SIGALRM) whose handler raises LimitExceeded inside the
parser: the message is quarantined with that reason and the batch goes on.
Signals reach only the main thread; elsewhere (the polling scheduler's
worker thread) the parser's own bounded patterns and size limits are what
keep one message short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from intake.errors import LimitExceeded


def can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise LimitExceeded in the block if it runs longer than `seconds` (main thread only)."""
    if seconds <= 0 or not can_interrupt():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise LimitExceeded(f"took longer than {seconds:g} seconds to read")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
