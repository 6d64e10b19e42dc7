"""Privacy commands: purge, export, erase, rotate-key, audit.

Each one that reads or changes personal data leaves an audit entry (who,
what, when, which reference) through intake.store.audit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from intake.commands.common import EXIT_FAILED, EXIT_OK, load
from intake.config import Config
from intake.files import private_dir
from intake.store import open_store
from intake.store.audit import cli_actor, entries, record
from intake.store.db import Store

NEW_KEY_ENV = "INTAKE_NEW_KEY"


def _now() -> datetime:
    return datetime.now(UTC)


def _compact(store: Store) -> None:
    """Fold the WAL into the file and rebuild it, so freed pages hold nothing."""
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("VACUUM")


def cmd_purge(args: argparse.Namespace) -> int:
    """Apply the retention periods now (the worker does this once a day)."""
    from intake.store.retention import run_purge

    cfg = load(args)
    store = open_store(cfg)
    report = run_purge(store, cfg.retention, _now(), cli_actor())
    _compact(store)
    print(
        f"raw messages deleted: {report.raw}; messages forgotten: {report.messages}; "
        f"referrals forgotten: {len(report.references)}"
        + (f" ({', '.join(report.references)})" if report.references else "")
    )
    return EXIT_OK


def _write_private(path: Path, text: str) -> None:
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def cmd_export(args: argparse.Namespace) -> int:
    """Write everything held about a person as readable JSON."""
    from intake.store.rights import export_person

    store = open_store(load(args))
    now = _now()
    data = export_person(store, args.person, now)
    for ref in data["referrals"]:
        record(store, cli_actor(), "export", ref["reference"], now=now)
    if not data["referrals"]:
        record(store, cli_actor(), "export", now=now)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        _write_private(Path(args.out), text)
    except FileExistsError:
        print(f"intake export: {args.out} exists; choose another file", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"intake export: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"{len(data['referrals'])} referrals and {len(data['messages'])} messages"
        f" written to {args.out} (readable only by you)"
    )
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    """Remove everything held about a person, raw messages included."""
    from intake.store.rights import erase_person, find_person

    store = open_store(load(args))
    held = find_person(store, args.person)
    if not held.referrals and not held.message_ids:
        record(store, cli_actor(), "erase.none", now=_now())
        print("nothing is held about that person")
        return EXIT_OK
    if not args.yes:
        print(
            f"this erases {len(held.referrals)} referrals ({', '.join(held.references) or '-'})"
            f" and {len(held.message_ids)} messages; run again with --yes to do it"
        )
        return EXIT_FAILED
    erase_person(store, args.person, _now(), cli_actor())
    _compact(store)
    print(
        f"erased {len(held.referrals)} referrals and {len(held.message_ids)} messages;"
        " delete the emails from the mailbox too"
    )
    return EXIT_OK


def _rotate_env(cfg: Config, store: Store) -> int:
    from intake.store.crypto import Cipher, decode_key
    from intake.store.rekey import rotate

    value = os.environ.get(NEW_KEY_ENV, "")
    if not value:
        print(
            f"the key comes from ${cfg.store.key_env}: make a new one with"
            f" `intake keygen --print`, put it in ${NEW_KEY_ENV} and run rotate-key again",
            file=sys.stderr,
        )
        return EXIT_FAILED
    report = rotate(store, Cipher(decode_key(value, f"${NEW_KEY_ENV}")))
    record(store, cli_actor(), "rotate-key")
    print(
        f"{report.resealed} values re-encrypted. Now set ${cfg.store.key_env} to the value of"
        f" ${NEW_KEY_ENV} wherever the service runs, then unset ${NEW_KEY_ENV}."
    )
    return EXIT_OK


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Re-encrypt everything under a new key (and recompute keyed hashes)."""
    from intake.store.crypto import new_key
    from intake.store.rekey import rotate_key_file

    cfg = load(args)
    store = open_store(cfg)
    if cfg.store.key_env and os.environ.get(cfg.store.key_env):
        return _rotate_env(cfg, store)
    report = rotate_key_file(store, cfg.store.key_file, new_key())
    record(store, cli_actor(), "rotate-key")
    print(f"{report.resealed} values re-encrypted; new key in {cfg.store.key_file}")
    print("replace any copy of the old key you keep elsewhere with the new one")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    """Show the most recent audit entries."""
    store = open_store(load(args))
    record(store, cli_actor(), "audit.read")
    for entry in entries(store, args.last):
        print(
            f"{entry['at']}  {entry['actor']:<20} {entry['action']:<18} {entry['reference'] or ''}"
        )
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("purge", help="apply the retention periods now")
    p.set_defaults(handler=cmd_purge)

    p = sub.add_parser("export", help="write everything held about a person (JSON)")
    p.add_argument("--person", required=True, metavar="EMAIL|REF", help="an address or IP-nnnn")
    p.add_argument("--out", default="-", help="file to create, private to you (default: stdout)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("erase", help="remove everything held about a person")
    p.add_argument("--person", required=True, metavar="EMAIL|REF", help="an address or IP-nnnn")
    p.add_argument("--yes", action="store_true", help="really erase (otherwise show what would go)")
    p.set_defaults(handler=cmd_erase)

    p = sub.add_parser("rotate-key", help="re-encrypt the store under a new key")
    p.set_defaults(handler=cmd_rotate_key)

    p = sub.add_parser("audit", help="show the audit log")
    p.add_argument("--last", type=int, default=50, help="how many entries (default 50)")
    p.set_defaults(handler=cmd_audit)
