"""Stand-in jobs for the understanding pool's workers (module level, so spawn can import them)."""

from __future__ import annotations

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
