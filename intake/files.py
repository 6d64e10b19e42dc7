"""Files and folders private to the service's user (0600 and 0700).

The umask is process-wide, so it is narrowed only for the span of a command
or a single write, and restored afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_UMASK = 0o077


@contextmanager
def private_umask() -> Iterator[None]:
    """New files 0600 and folders 0700 while inside the block."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def private_dir(path: Path) -> Path:
    """Create a folder and any missing parents as 0700; leave existing ones alone."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    return path
