"""The therapist's commands: referrals, their status, and follow-ups.

`intake referrals [list|show REF|set-status REF STATUS|resolve REF FIELD --keep recorded|new]`
and
`intake followups [list|done ID|snooze ID --until DATE]`. Output fits a
terminal; `--json` gives the same for a script. Changes are made as the
therapist, recorded in the status history and the audit log.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TypeAlias

from intake.commands.common import EXIT_FAILED, EXIT_OK, load
from intake.deciding.merge import conflict_field
from intake.deciding.status import STATUSES, THERAPIST, why_not
from intake.digest.build import referral_line
from intake.digest.commands import parse_until
from intake.store.audit import cli_actor
from intake.store.db import FollowUpRow, ReferralRow
from intake.store.therapist import (
    NotResolved,
    conflicts,
    followup,
    resolve_conflict,
    settle_replies,
    settled_line,
)
from intake.worker.cycle import Services

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _services(args: argparse.Namespace) -> Services:
    from intake.worker.services import build_services

    return build_services(load(args))


def _named_referral(svc: Services, reference: str) -> ReferralRow | None:
    """The referral a command names, or None after saying there is none."""
    row = svc.store.referral(reference)
    if row is None:
        print(f"intake referrals: no referral {reference}", file=sys.stderr)
    return row


def _today(svc: Services) -> Any:
    return svc.clock.now().astimezone(svc.cfg.schedule.zone).date()


def _summary(row: ReferralRow) -> dict[str, Any]:
    line = referral_line(row.reference, row.status, row.parsed, "")
    return {
        "reference": row.reference,
        "status": row.status,
        "kind": row.kind,
        "client": line.client,
        "needs": line.needs,
        "setting": line.setting,
        "referrer": line.referrer,
        "missing": list(row.parsed.record.missing),
        "safeguarding": row.safeguarding,
        "created_at": row.created_at,
    }


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# ------------------------------------------------------------------ referrals


def cmd_referrals_list(args: argparse.Namespace) -> int:
    """One line a referral: reference, status, client, missing."""
    svc = _services(args)
    rows = svc.store.referrals(statuses=tuple(args.status or ()))
    if args.json:
        _print_json([_summary(r) for r in rows])
        return EXIT_OK
    for r in rows:
        s = _summary(r)
        flag = " SAFEGUARDING" if r.safeguarding else ""
        missing = f"  missing: {', '.join(s['missing'])}" if s["missing"] else ""
        print(f"{r.reference}  {r.status:<18} {s['client'][:24]:<24}{missing}{flag}")
    if not rows:
        print("no referrals")
    return EXIT_OK


def cmd_referrals_show(args: argparse.Namespace) -> int:
    """The record, its replies, history and unresolved conflicts."""
    svc = _services(args)
    if (row := _named_referral(svc, args.reference)) is None:
        return EXIT_FAILED
    svc.store.audit(THERAPIST, "show", svc.clock.now(), row.reference)
    data = {
        **_summary(row),
        "record": row.parsed.record.model_dump(mode="json", exclude={"evidence"}),
        "replies": [
            {"template": o.template, "state": o.state, "at": o.created_at}
            for o in svc.store.replies_for_referral(row.id)
        ],
        "history": svc.store.history(row.id),
        "conflicts": [c.conflict.model_dump() for c in conflicts(svc.store, referral_id=row.id)],
        "next": list(why_not_options(row.status)),
    }
    if args.json:
        _print_json(data)
        return EXIT_OK
    print(f"{row.reference}  {row.status}  ({row.kind}, received {row.created_at})")
    for key in ("client", "needs", "setting", "referrer"):
        print(f"  {key}: {data[key]}")
    rec = row.parsed.record
    print(f"  missing: {', '.join(rec.missing) or 'nothing'}")
    for name in ("reason", "availability", "access_notes"):
        if getattr(rec, name):
            print(f"  {name.replace('_', ' ')}: {getattr(rec, name)}")
    for c in data["conflicts"]:
        print(f"  CONFLICT {c['field']}: recorded {c['recorded']!r}, received {c['received']!r}")
        settle = f"intake referrals resolve {row.reference} {c['field']} --keep recorded|new"
        print(f"    to settle it: {settle}")
    for o in data["replies"]:
        print(f"  reply {o['template']} ({o['state']}) {o['at']}")
    for h in data["history"]:
        note = f"  {h['note']}" if h["note"] else ""
        print(f"  {h['at']} {h['actor']}: {h['old_status'] or '-'} -> {h['new_status']}{note}")
    print(f"  can move to: {', '.join(data['next']) or 'nothing'}")
    return EXIT_OK


def why_not_options(status: str) -> tuple[str, ...]:
    return tuple(s for s in STATUSES if why_not(status, s, THERAPIST) is None)


def cmd_referrals_set_status(args: argparse.Namespace) -> int:
    """Move a referral on; only allowed moves, made as the therapist."""
    svc = _services(args)
    if (row := _named_referral(svc, args.reference)) is None:
        return EXIT_FAILED
    refused = why_not(row.status, args.status, THERAPIST)
    if refused:
        print(f"intake referrals: {row.reference}: {refused}", file=sys.stderr)
        return EXIT_FAILED
    now = svc.clock.now()
    with svc.store.transaction():
        svc.store.update_referral(
            row.id, now=now, actor=THERAPIST, status=args.status, note=args.note
        )
        svc.store.audit(THERAPIST, f"status {args.status}", now, row.reference)
    print(f"{row.reference}: {row.status} -> {args.status}")
    return EXIT_OK


def cmd_referrals_resolve(args: argparse.Namespace) -> int:
    """Settle a conflict: keep the recorded value or the one a later message gave."""
    svc = _services(args)
    if (row := _named_referral(svc, args.reference)) is None:
        return EXIT_FAILED
    field = conflict_field(args.field)
    if field is None:
        print(f"intake referrals: {args.field!r} is not a field of a referral", file=sys.stderr)
        return EXIT_FAILED
    try:
        count = resolve_conflict(
            svc.store, row, field, args.keep, actor=cli_actor(), now=svc.clock.now()
        )
    except NotResolved as exc:
        print(f"intake referrals: {exc}", file=sys.stderr)
        return EXIT_FAILED
    plural = "s" if count != 1 else ""
    print(f"{row.reference}: {field}: kept the {args.keep} value ({count} conflict{plural})")
    return EXIT_OK


def cmd_referrals_replies(args: argparse.Namespace) -> int:
    """Settle replies that may not have gone: she checked her Sent folder."""
    svc = _services(args)
    if (row := _named_referral(svc, args.reference)) is None:
        return EXIT_FAILED
    count = settle_replies(svc.store, row, args.how, actor=cli_actor(), now=svc.clock.now())
    line = settled_line(row.reference, args.how, count)
    print(line if count else f"intake referrals: {line}")
    return EXIT_OK if count else EXIT_FAILED


# ------------------------------------------------------------------ follow-ups


def _followup_dict(f: FollowUpRow) -> dict[str, Any]:
    return f.model_dump(mode="json")


def cmd_followups_list(args: argparse.Namespace) -> int:
    """Open follow-ups, urgent first then by due date (snoozed ones with --all)."""
    svc = _services(args)
    states = ("open", "snoozed") if args.all else ("open",)
    rows = svc.store.followups(states=states)
    if args.json:
        _print_json([_followup_dict(f) for f in rows])
        return EXIT_OK
    today = _today(svc)
    for f in rows:
        when = "OVERDUE" if f.due < today else ("today" if f.due == today else f"{f.due:%a %d %b}")
        if f.state == "snoozed" and f.snoozed_until:
            when = f"snoozed to {f.snoozed_until:%d %b}"
        mark = "!" if f.urgent else " "
        print(f"{mark}#{f.id:<4} {f.reference or '-':<8} {when:<18} {f.action}")
    if not rows:
        print("nothing to follow up")
    return EXIT_OK


def _open_followup(svc: Services, fu_id: int) -> FollowUpRow | None:
    row = followup(svc.store, fu_id)
    if row is None or row.state == "done":
        print(f"intake followups: no open follow-up #{fu_id}", file=sys.stderr)
        return None
    return row


def cmd_followups_done(args: argparse.Namespace) -> int:
    svc = _services(args)
    row = _open_followup(svc, args.id)
    if row is None:
        return EXIT_FAILED
    svc.store.set_followup(row.id, "done", svc.clock.now())
    svc.store.audit(THERAPIST, f"follow-up {row.id} done", svc.clock.now(), row.reference)
    print(f"#{row.id} done: {row.reference or '-'} {row.action}")
    return EXIT_OK


def cmd_followups_snooze(args: argparse.Namespace) -> int:
    svc = _services(args)
    until = parse_until(args.until, _today(svc))
    if until is None:
        print(
            f"intake followups: --until {args.until!r}: give a future date (YYYY-MM-DD) or 3d / 2w",
            file=sys.stderr,
        )
        return EXIT_FAILED
    row = _open_followup(svc, args.id)
    if row is None:
        return EXIT_FAILED
    svc.store.set_followup(row.id, "snoozed", svc.clock.now(), until=until)
    print(f"#{row.id} snoozed until {until:%a %d %b %Y}")
    return EXIT_OK


# ------------------------------------------------------------------ registration


def _register_referrals(sub: SubParsers) -> None:
    p = sub.add_parser("referrals", help="list, show and move referrals on")
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--status", action="append", choices=(*STATUSES, "enquiry"), help="filter")
    p.set_defaults(handler=cmd_referrals_list)

    q = acts.add_parser("list", help="one line a referral (default)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--status", action="append", choices=(*STATUSES, "enquiry"), help="filter")
    q.set_defaults(handler=cmd_referrals_list)

    q = acts.add_parser("show", help="one referral in full, with its history")
    q.add_argument("reference", help="e.g. IP-0042")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(handler=cmd_referrals_show)

    q = acts.add_parser("set-status", help="move a referral to another status")
    q.add_argument("reference", help="e.g. IP-0042")
    q.add_argument("status", choices=STATUSES)
    q.add_argument("--note", help="a short note for the history")
    q.set_defaults(handler=cmd_referrals_set_status)

    q = acts.add_parser("resolve", help="settle a conflict between recorded and new values")
    q.add_argument("reference", help="e.g. IP-0042")
    q.add_argument("field", help="e.g. client_age (as `show` lists it)")
    q.add_argument("--keep", required=True, choices=("recorded", "new"), help="which value")
    q.set_defaults(handler=cmd_referrals_resolve)

    q = acts.add_parser(
        "settle-replies", help="a reply that may not have gone: it was sent, or send it again"
    )
    q.add_argument("reference", help="e.g. IP-0042")
    q.add_argument("how", choices=("sent", "resend"), help="what her Sent folder showed")
    q.set_defaults(handler=cmd_referrals_replies)


def _register_followups(sub: SubParsers) -> None:
    p = sub.add_parser("followups", help="list follow-ups, mark them done or snooze them")
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--all", action="store_true", help="include snoozed follow-ups")
    p.set_defaults(handler=cmd_followups_list)

    q = acts.add_parser("list", help="open follow-ups (default)")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.add_argument("--all", action="store_true", help="include snoozed follow-ups")
    q.set_defaults(handler=cmd_followups_list)

    q = acts.add_parser("done", help="mark a follow-up done")
    q.add_argument("id", type=int)
    q.set_defaults(handler=cmd_followups_done)

    q = acts.add_parser("snooze", help="hide a follow-up until a date")
    q.add_argument("id", type=int)
    q.add_argument("--until", required=True, help="YYYY-MM-DD, or 3d / 2w from today")
    q.set_defaults(handler=cmd_followups_snooze)


def register(sub: SubParsers) -> None:
    _register_referrals(sub)
    _register_followups(sub)
