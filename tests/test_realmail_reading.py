"""Every real-world hostile message gives a result or a clear MessageError, quickly."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest

from intake.errors import MessageError
from intake.understanding import parse_email

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INTAKE_SHARED_DIR", REPO.parent / "shared"))
REALMAIL = SHARED / "realmail"
NOT_MESSAGES = {"LICENSES"}


def _messages() -> list[Path]:
    if not REALMAIL.is_dir():
        return []
    found: list[Path] = []
    for source in sorted(p for p in REALMAIL.iterdir() if p.is_dir()):
        if source.name in NOT_MESSAGES or source.name.startswith("."):
            continue
        found += sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
    return found


MESSAGES = _messages()


@pytest.mark.skipif(not MESSAGES, reason=f"realmail corpus not found at {REALMAIL}")
@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: str(p.relative_to(REALMAIL)))
def test_realmail_message_parses_or_is_refused_cleanly_within_two_seconds(path: Path) -> None:
    """A real message yields a ParsedEmail or a MessageError, never another exception, in < 2 s."""
    raw = path.read_bytes()
    started = time.monotonic()
    with contextlib.suppress(MessageError):
        parse_email(raw)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"{elapsed:.2f}s"
