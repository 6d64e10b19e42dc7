"""Commands about the inbox side: `intake check`."""

from __future__ import annotations

import argparse

from intake.commands.common import EXIT_FAILED, EXIT_OK, load


def cmd_check(args: argparse.Namespace) -> int:
    """Connect to the configured servers step by step; exit non-zero at the first failure."""
    from intake.connection_check import run_checks

    cfg, failed, steps = load(args), False, 0
    for step in run_checks(cfg):
        steps += 1
        mark = "ok  " if step.ok else "FAIL"
        print(f"{mark} {step.service} {step.name}: {step.detail}")
        if step.hint:
            print(f"     hint: {step.hint}")
        failed |= not step.ok
    if not steps:
        print("nothing to check: mailbox and smtp are local folders (kind = maildir)")
    return EXIT_FAILED if failed else EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="connect to the IMAP and SMTP servers and say what is wrong")
    p.set_defaults(handler=cmd_check)
