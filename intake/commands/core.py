"""Core commands: demo, run, parse, digest, status, keygen."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from intake.commands.common import EXIT_FAILED, EXIT_OK, load
from intake.errors import MessageError, TransientError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def cmd_parse(args: argparse.Namespace) -> int:
    """Print what a message says, as the corpus JSON or with its evidence."""
    from intake.understanding import parse_email

    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"intake parse: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    try:
        parsed = parse_email(raw)
    except MessageError as exc:
        print(f"intake parse: {args.file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.explain:
        from intake.understanding.explain import explain

        print(explain(parsed))
    else:
        print(json.dumps(parsed.record.corpus_json(), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run the worker: forever, or one cycle with --once."""
    from intake.store.redact import redact
    from intake.worker.cycle import run_cycle
    from intake.worker.delivery import startup_check
    from intake.worker.scheduler import digest_and_outbox, run_forever
    from intake.worker.services import build_services

    svc = build_services(load(args))
    startup_check(svc)
    if not args.once:
        run_forever(svc)
        return EXIT_OK
    try:
        report = run_cycle(svc, since=args.since)
    except TransientError as exc:
        svc.store.event("error", svc.clock.now(), redact(str(exc))[:200])
        digest_and_outbox(svc)  # a mailbox that cannot be reached never holds back her digest
        raise
    digest_and_outbox(svc)
    print(
        f"{report.fetched} new, {report.processed} processed, "
        f"{report.quarantined} quarantined, {report.replies_sent} replies sent"
    )
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    """Print today's digest, or send it (once a day)."""
    from intake.worker.cycle import deliver_outbox
    from intake.worker.digest_job import print_digest, queue_digest
    from intake.worker.services import build_services

    svc = build_services(load(args))
    if not args.send:
        print(print_digest(svc))
        return EXIT_OK
    if not queue_digest(svc, force=True):
        print("today's digest was already sent")
        return EXIT_OK
    sender = svc.open_sender()
    try:
        deliver_outbox(svc, sender)
    finally:
        sender.close()
    print(f"digest sent to {svc.cfg.digest.to}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Show the worker's state: last poll, checkpoint, messages by state, outbox."""
    from intake.worker.services import build_services

    svc = build_services(load(args))
    store = svc.store
    last = store.last_event("poll_ok")
    error = store.last_event("error")
    cp = store.checkpoint(svc.cfg.mailbox.folder)
    print(f"last successful poll: {last['at'] if last else 'never'}")
    print(
        f"checkpoint: {f'uidvalidity {cp.uidvalidity}, last uid {cp.last_uid}' if cp else 'none'}"
    )
    for state, count in sorted(store.message_counts().items()):
        print(f"messages {state}: {count}")
    for row in store.quarantined():
        print(f"  quarantined msg {row.id}: {row.error}")
    waiting = store.outbox_in_state("pending", "uncertain", "failed", "drafted")
    print(f"replies waiting: {len(waiting)}")
    print(f"last error: {error['at'] + ' ' + error['detail'] if error else 'none'}")
    return EXIT_OK


def cmd_keygen(args: argparse.Namespace) -> int:
    """Create the encryption key file, or print a key for $INTAKE_KEY."""
    from intake.store.crypto import encode_key, new_key, write_key_file

    if args.print:
        print(encode_key(new_key()))
        return EXIT_OK
    cfg = load(args)
    try:
        write_key_file(cfg.store.key_file, new_key())
    except FileExistsError:
        print(f"{cfg.store.key_file} exists; refusing to overwrite a key", file=sys.stderr)
        return EXIT_FAILED
    print(f"key written to {cfg.store.key_file} (keep a copy somewhere safe)")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Put sample emails in the embedded inbox, run one cycle and show what happened."""
    from intake.worker.demo import run_demo

    return run_demo(load(args))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="run the service once on sample emails, no mail server needed")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("run", help="start the worker (poll, reply, digest)")
    p.add_argument("--once", action="store_true", help="run one cycle and exit")
    p.add_argument(
        "--since", type=_date, help="with --once: handle mail from this date (YYYY-MM-DD)"
    )
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("parse", help="show what one email says (no configuration needed)")
    p.add_argument("file", help="an .eml file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the record as JSON (default)")
    mode.add_argument("--explain", action="store_true", help="show each field with its evidence")
    p.set_defaults(handler=cmd_parse)

    p = sub.add_parser("digest", help="print or send today's digest")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--print", action="store_true", help="render it to the terminal (default)")
    how.add_argument("--send", action="store_true", help="mail it to [digest] to")
    p.set_defaults(handler=cmd_digest)

    p = sub.add_parser("status", help="show the worker's state")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("keygen", help="create the encryption key")
    p.add_argument("--print", action="store_true", help="print a new key instead of writing it")
    p.set_defaults(handler=cmd_keygen)
