"""A whole service in a temporary folder: config, store, Maildir inbox, for worker tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from intake.clock import FixedClock
from intake.config import Config, parse_config
from intake.mailbox.maildir import open_maildir
from intake.worker.cycle import Services
from intake.worker.services import build_services

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def write_config(root: Path, extra: str = "") -> Path:
    """A config.toml for the embedded default (Maildir in and out) plus `extra` TOML."""
    path = root / "config.toml"
    path.write_text(
        '[practice]\nemail = "hello@innerpulse.example"\n'
        '[digest]\nto = "jacqueline@innerpulse.example"\n' + extra,
        encoding="utf-8",
    )
    return path


def world(root: Path, extra: str = "", clock: FixedClock | None = None) -> Services:
    """Services over a fresh store in `root`, with a clock that moves only when told."""
    cfg: Config = parse_config(write_config(root, extra).read_text(), root / "config.toml")
    return build_services(cfg, clock=clock or FixedClock(START), create_key=True)


def deliver_to_inbox(svc: Services, *raws: bytes) -> None:
    """Put messages in the embedded Maildir inbox."""
    box = open_maildir(svc.cfg.mailbox.path)
    for raw in raws:
        box.add(raw)
    box.close()
