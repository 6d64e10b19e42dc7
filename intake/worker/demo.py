"""`intake demo`: the whole route on sample emails, with no mail server."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from intake.config import Config
from intake.files import private_umask
from intake.mailbox.maildir import open_maildir
from intake.worker.cycle import run_cycle
from intake.worker.digest_job import print_digest
from intake.worker.services import build_services

SAMPLES = Path(__file__).resolve().parents[1] / "demo_mail"


def _seed_inbox(cfg: Config) -> int:
    """Copy the sample emails into the embedded Maildir inbox (once each)."""
    box = open_maildir(cfg.mailbox.path)
    present = {box.get_bytes(k) for k in box.iterkeys()}
    added = 0
    for sample in sorted(SAMPLES.glob("*.eml")):
        raw = sample.read_bytes()
        if raw not in present:
            with private_umask():
                box.add(raw)
            added += 1
    box.close()
    return added


def _text_part(raw: bytes) -> str:
    msg = message_from_bytes(raw, policy=policy.default)
    head = "\n".join(f"{k}: {v}" for k, v in msg.items() if k in ("From", "To", "Subject"))
    body = msg.get_body(("plain",))
    return head + "\n\n" + (body.get_content() if body else "")


def run_demo(cfg: Config) -> int:
    if cfg.mailbox.kind != "maildir" or cfg.smtp.kind != "maildir":
        print("intake demo runs on the embedded default (maildir inbox and outbox) only")
        return 2
    added = _seed_inbox(cfg)
    svc = build_services(cfg, create_key=True)
    report = run_cycle(svc)
    print(f"== Inbox: {added} sample emails added; one cycle run ==")
    for line in report.outcomes:
        print(f"  {line}")
    for ref in svc.store.referrals():
        print(f"\n== Record {ref.reference} ({ref.status}) ==")
        print(json.dumps(ref.parsed.record.corpus_json(), indent=2, ensure_ascii=False))
        for row in svc.store.replies_for_referral(ref.id):
            print(f"\n== Reply {row.template} ({row.state}) ==")
            print(_text_part(svc.store.outbox_raw(row.id)))
    print("\n== Follow-ups ==")
    for fu in svc.store.followups():
        print(f"  #{fu.id} {fu.reference} {fu.action}, due {fu.due:%a %d %b}")
    print("\n== Digest ==")
    print(print_digest(svc))
    print(f"(outgoing mail is in {cfg.smtp.path}, the store in {cfg.store.path})")
    return 0
