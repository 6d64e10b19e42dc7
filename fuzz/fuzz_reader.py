"""Fuzz target for the message reader: `python fuzz/fuzz_reader.py [atheris options] [CORPUS_DIR]`.

Feeds arbitrary bytes (seeded from the shared corpus and real-world mail when
given as corpus directories) to `parse_email`. Anything but a normal return
or a MessageError is a crash; so is a message taking over 2 seconds.

Needs atheris (`pip install atheris`), which the test suite does not.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    import atheris
except ImportError:
    sys.exit("fuzz_reader needs atheris: pip install atheris (Python 3.11 or earlier wheels)")

with atheris.instrument_imports():
    from intake.errors import MessageError
    from intake.understanding import parse_email

SECONDS_PER_MESSAGE = 2.0


def test_one_input(data: bytes) -> None:
    started = time.monotonic()
    with contextlib.suppress(MessageError):
        parse_email(data)
    elapsed = time.monotonic() - started
    if elapsed > SECONDS_PER_MESSAGE:
        raise AssertionError(f"one message took {elapsed:.1f} s")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
