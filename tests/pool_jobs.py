"""Stand-in jobs for the understanding pool's workers (module level, so spawn can import them)."""

from __future__ import annotations

import logging
import os
import time

from intake.worker.understanding_pool import Understood, Unreadable


def echo(raw: bytes) -> Understood:
    """Crashes its worker on b"crash", hangs on b"hang", else echoes the bytes as a reason."""
    if raw == b"crash":
        os._exit(3)
    if raw == b"hang":
        time.sleep(3600)
    return Unreadable(f"echo {raw.decode()}")


def noisy(raw: bytes) -> Understood:
    """Logs the message's words at warning level, as a library might on a broken file."""
    logging.getLogger("pypdf").warning("could not read: %s", raw.decode())
    return Unreadable("noisy")


def niceness(raw: bytes) -> Understood:
    """Reports the worker's scheduling niceness as its reason."""
    return Unreadable(f"nice {os.nice(0)}")
