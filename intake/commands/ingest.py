"""Commands about the inbox side: `intake check`."""

from __future__ import annotations

import argparse

from intake.commands.common import EXIT_FAILED, EXIT_OK, load
from intake.config import Config
from intake.errors import ConfigError


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
        print("servers: nothing to connect to (mailbox and smtp are local folders)")
    failed |= not check_reply_templates(cfg)
    return EXIT_FAILED if failed else EXIT_OK


def check_reply_templates(cfg: Config) -> bool:
    """Render every reply template once, so a broken one fails here, not in an inbox."""
    from intake.replying.compose import TEMPLATE_DIR, check_templates, environment

    try:
        renders = check_templates(environment(TEMPLATE_DIR), cfg.practice)
    except ConfigError as exc:
        print(f"FAIL templates render: {exc}")
        return False
    print(f"ok   templates render: {renders} renders of every reply and alert template")
    return True


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="connect to the IMAP and SMTP servers and say what is wrong")
    p.set_defaults(handler=cmd_check)
