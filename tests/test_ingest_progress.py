"""Progress on a terminal: counts and rate; nothing when stderr is not a terminal."""

from __future__ import annotations

import io

from intake.worker.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_counts_and_rate_on_a_terminal() -> None:
    """On a terminal the last line gives the count done and a rate."""
    screen = Terminal()
    progress = Progress("fetched", screen)
    progress.advance(250)
    progress.close()
    assert screen.getvalue().startswith("\rfetched: 250 messages, ")
    assert screen.getvalue().endswith("/s \n")


def test_progress_is_silent_when_not_a_terminal() -> None:
    """In a service log (not a terminal) progress writes nothing."""
    log = io.StringIO()
    progress = Progress("fetched", log)
    progress.advance(250)
    progress.close()
    assert "" == log.getvalue()
