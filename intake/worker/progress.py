"""Progress of a long run on a terminal: counts and rate on one rewritten line.

Only when stderr is a terminal; the service log keeps its one line per batch.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts done so far and their rate, redrawn at most a few times a second."""

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self.last_drawn = self.started - 1.0  # the first advance draws
        self.done = 0
        self.drawn = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self.last_drawn >= 0.2:
            self.last_drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-6)
        self.stream.write(f"\r{self.what}: {self.done} messages, {rate:.0f}/s ")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
