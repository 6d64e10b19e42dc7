"""The command line: `intake demo|run|parse|digest|status|keygen`.

Exit codes: 0 success, 1 the work failed (a server, a message), 2 the
configuration or the command line is wrong.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from intake.commands.common import EXIT_CONFIG, EXIT_FAILED
from intake.errors import ConfigError, IntakeError, TransientError
from intake.files import private_umask

Handler = Callable[[argparse.Namespace], int]

# Each module adds its subcommands with register(sub).
COMMAND_MODULES = [
    "intake.commands.core",
    "intake.commands.ingest",
    "intake.commands.replies",
    "intake.commands.therapist",
    "intake.commands.privacy",
]


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake", description="Answers and organises referral emails for a music therapist."
    )
    parser.add_argument("--config", help="config file (default: $INTAKE_CONFIG or ./config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("imapclient", "apscheduler", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _logging(args.verbose)
    handler: Handler = args.handler
    try:
        with private_umask():  # files and folders the service creates are its user's alone
            return handler(args)
    except ConfigError as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except TransientError as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except IntakeError as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
