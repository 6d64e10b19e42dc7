"""A whole service in a temporary folder: config, store, Maildir inbox, for worker tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from intake.clock import FixedClock
from intake.config import Config, parse_config
from intake.mailbox.maildir import open_maildir
from intake.worker.cycle import Services
from intake.worker.services import build_services
from tests import configs
from tests.conftest import Mailbox

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def write_config(root: Path, extra: str = "") -> Path:
    """The embedded default (Maildir in and out), the digest going to the THERAPIST address
    that the worker tests look for, plus `extra` TOML."""
    return configs.write_config(root, extra=extra, digest={"to": "jacqueline@innerpulse.example"})


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


def imap_toml(mailbox: Mailbox, password_env: str = "TEST_IMAP_PASSWORD") -> str:
    """[mailbox] for a test Dovecot user (plain loopback)."""
    return (
        f'[mailbox]\nkind = "imap"\nhost = "{mailbox.host}"\nport = {mailbox.port}\n'
        f'security = "none"\nusername = "{mailbox.user}"\npassword_env = "{password_env}"\n'
        "first_run_days = 3650\n"
    )


def smtp_toml(port: int, save_to_sent: bool = True) -> str:
    """[smtp] for a plain loopback sink."""
    return (
        f'[smtp]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f"save_to_sent = {'true' if save_to_sent else 'false'}\n"
    )


def folder_messages(mailbox: Mailbox, folder: str) -> list[tuple[bytes, tuple[bytes, ...]]]:
    """(raw, flags) of every message in a folder of the test user."""
    client = mailbox.client()
    try:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        if not uids:
            return []
        data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
        return [(d[b"BODY[]"], tuple(d[b"FLAGS"])) for d in data.values()]
    finally:
        client.logout()


def deliver_to_inbox_path(path: Path, *files: Path) -> None:
    """Put .eml files in a Maildir inbox at `path`."""
    box = open_maildir(path)
    for file in files:
        box.add(file.read_bytes())
    box.close()
