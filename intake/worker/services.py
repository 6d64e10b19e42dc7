"""Wires the configured adapters together (the imperative shell's one factory)."""

from __future__ import annotations

from intake.clock import Clock, SystemClock
from intake.config import Config
from intake.mailbox.fetched import Inbox
from intake.mailbox.imap import ImapInbox
from intake.mailbox.maildir import MaildirInbox
from intake.replying.compose import TEMPLATE_DIR, environment
from intake.replying.folders import open_folders
from intake.replying.senders import MaildirSender, Sender, SmtpSender
from intake.store import open_store

# What a cycle reaches for (updates and merging, which read with intake.understanding;
# digest replies; follow-up rules) loads with the service, not during its first cycle,
# so the first mail after a start waits for no imports.
from intake.worker import digest_replies, rules, updates  # noqa: F401
from intake.worker.cycle import Services


def build_services(
    cfg: Config, *, clock: Clock | None = None, create_key: bool = False
) -> Services:
    clock = clock or SystemClock()
    store = open_store(cfg, create_key=create_key)

    def open_inbox() -> Inbox:
        if cfg.mailbox.kind == "imap":
            return ImapInbox(cfg.mailbox, clock.now())
        return MaildirInbox(cfg.mailbox.path, cfg.mailbox.batch_size)

    def open_sender() -> Sender:
        if cfg.smtp.kind == "smtp":
            return SmtpSender(cfg.smtp)
        return MaildirSender(cfg.smtp.path)

    return Services(
        cfg=cfg,
        store=store,
        env=environment(TEMPLATE_DIR),
        clock=clock,
        open_inbox=open_inbox,
        open_sender=open_sender,
        open_folders=lambda: open_folders(cfg.mailbox),
    )
