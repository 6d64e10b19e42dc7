"""A Maildir-backed service with a fixed clock and a stand-in reader, for flow tests.

The reader is being rewritten separately, so these tests decide what each
message "says" themselves: `Flow.deliver` puts raw bytes in the inbox and
registers the ParsedEmail the worker will get for them.
"""

from __future__ import annotations

import mailbox
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

import intake.understanding
from intake.clock import FixedClock
from intake.config import parse_config
from intake.models import Client, Envelope, Kind, Need, ParsedEmail, Record, Referrer, Role
from intake.reading.headers import message_ids
from intake.worker import cycle
from intake.worker.cycle import Services
from intake.worker.services import build_services

THERAPIST = "jacqueline@innerpulse.example"
OURS = "hello@innerpulse.example"
REFERRER = "sam@school.example"


def raw_email(
    *,
    sender: str = REFERRER,
    subject: str = "Referral for Amy",
    message_id: str,
    in_reply_to: str | None = None,
    body: str = "Hello",
    extra: str = "",
) -> bytes:
    head = f"From: {sender}\nTo: {OURS}\nSubject: {subject}\nMessage-ID: {message_id}\n"
    if in_reply_to:
        head += f"In-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\n"
    return (head + extra + "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n").encode()


def record(**fields: Any) -> Record:
    base: dict[str, Any] = {
        "kind": Kind.referral,
        "referrer": Referrer(name="Sam Carter", email=REFERRER, role=Role.teacher),
        "client": Client(name="Amy", age=9),
        "needs": (Need.autism,),
    }
    base.update(fields)
    return Record(**base)


class Flow:
    """The service, its clock, and the messages the stand-in reader knows."""

    def __init__(self, root: Path, start: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
        text = f'[practice]\nemail = "{OURS}"\n[digest]\nto = "{THERAPIST}"\n'
        (root / "config.toml").write_text(text)
        cfg = parse_config(text, root / "config.toml")
        self.clock = FixedClock(start)
        self.svc: Services = build_services(cfg, clock=self.clock, create_key=True)
        self.inbox = mailbox.Maildir(str(cfg.mailbox.path), create=True)
        self.known: dict[str, Record] = {}
        # the cycle reads through understanding_pool.understand, which looks it up here
        monkeypatch.setattr(intake.understanding, "parse_email", self.parse)

    def parse(self, raw: bytes, *, required: tuple[str, ...] = ()) -> ParsedEmail:
        msg = message_from_bytes(raw, policy=policy.default)
        mid = str(msg["Message-ID"])
        reply_to = msg["Reply-To"].addresses[0].addr_spec.lower() if msg["Reply-To"] else None
        env = Envelope(  # the header facts the real reader gives
            message_id=mid,
            in_reply_to=(message_ids(msg["In-Reply-To"]) or (None,))[0],
            references=message_ids(msg["References"]),
            subject=str(msg["Subject"]),
            from_addr=msg["From"].addresses[0].addr_spec.lower(),
            reply_to=reply_to,
        )
        return ParsedEmail(envelope=env, record=self.known[mid])

    def deliver(self, rec: Record, **fields: Any) -> None:
        self.known[fields["message_id"]] = rec
        self.inbox.add(raw_email(**fields))

    def run(self) -> cycle.CycleReport:
        return cycle.run_cycle(self.svc)

    def sent(self) -> list[Any]:
        box = mailbox.Maildir(str(self.svc.cfg.smtp.path), create=False)
        return [message_from_bytes(box.get_bytes(k), policy=policy.default) for k in box.iterkeys()]

    def sent_with(self, template: str) -> list[str]:
        return [
            r.rfc_message_id
            for r in self.svc.store.outbox_in_state("sent")
            if r.template == template
        ]
