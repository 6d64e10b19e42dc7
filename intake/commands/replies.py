"""Reply commands: `intake preview` shows a reply exactly as a referrer would get it."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from intake.commands.common import EXIT_FAILED, EXIT_OK, load
from intake.config import Practice
from intake.errors import MessageError
from intake.models import (
    Client,
    Delivery,
    Envelope,
    Kind,
    ParsedEmail,
    Record,
    Referrer,
    Role,
    SessionFormat,
)
from intake.replying.compose import (
    REPLY_TEMPLATES,
    build_reply,
    domain_of,
    environment,
    message_id,
    render,
    reply_context,
)
from intake.replying.mime import Outgoing

PREVIEW_REFERENCE = "IP-0000"


def sample_email(args: argparse.Namespace) -> ParsedEmail:
    """A made-up referral, shaped by --role, --format and --delivery."""
    group = args.format == "group"
    return ParsedEmail(
        envelope=Envelope(
            message_id="<preview@referrer.example>",
            subject="Music therapy referral",
            from_name="Sarah Okafor",
            from_addr="referrer@referrer.example",
        ),
        record=Record(
            kind=Kind.enquiry if args.template == "enquiry" else Kind.referral,
            referrer=Referrer(name=args.name, role=Role(args.role)),
            client=Client() if group else Client(name="Amy Example", age=8),
            session_format=SessionFormat(args.format),
            delivery=Delivery(args.delivery) if args.delivery else None,
            missing=("client_age", "consent") if args.template == "missing_information" else (),
        ),
    )


def source_email(args: argparse.Namespace) -> ParsedEmail:
    """The email the reply answers: --email FILE parsed, else the sample."""
    if not args.email:
        return sample_email(args)
    from intake.understanding import parse_email

    return parse_email(Path(args.email).read_bytes())


def compose(template: str, parsed: ParsedEmail, practice: Practice) -> Outgoing:
    text, html = render(
        environment(),
        f"replies/{template}",
        reply_context(parsed, PREVIEW_REFERENCE, practice),
    )
    return build_reply(
        parsed.envelope,
        practice,
        reference=PREVIEW_REFERENCE,
        text=text,
        html=html,
        msg_id=message_id(domain_of(practice.email), "preview", template),
        now=datetime.now(UTC),
    )


def show(outgoing: Outgoing) -> str:
    """Headers and the text part, as a mail client would show them."""
    mail = message_from_bytes(outgoing.raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    head = "\n".join(f"{k}: {v}" for k, v in mail.items() if k.lower() != "content-type")
    body = mail.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    html = mail.get_body(("html",))
    note = f"\n[HTML alternative: {len(html.get_content())} characters; --eml FILE to see it]"  # type: ignore[union-attr]
    return f"{head}\n\n{text}{note if html is not None else ''}"


def cmd_preview(args: argparse.Namespace) -> int:
    """Render a reply template as the referrer would get it: terminal or .eml file."""
    cfg = load(args)
    try:
        mail = compose(args.template, source_email(args), cfg.practice)
    except OSError as exc:
        print(f"intake preview: cannot read {args.email}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    except (MessageError, ValueError) as exc:
        print(f"intake preview: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.eml:
        Path(args.eml).write_bytes(mail.raw)
        print(f"written to {args.eml} (open it in a mail client)")
    else:
        print(show(mail))
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("preview", help="show a reply as a referrer would get it")
    p.add_argument("template", choices=REPLY_TEMPLATES, help="which reply")
    p.add_argument("--eml", metavar="FILE", help="write the whole message to an .eml file")
    p.add_argument("--email", metavar="FILE", help="answer this .eml instead of a sample")
    p.add_argument(
        "--role", choices=[r.value for r in Role], default="parent", help="sample referrer's role"
    )
    p.add_argument("--name", default="Dr Sarah Okafor", help="sample referrer's name")
    p.add_argument(
        "--format",
        choices=[f.value for f in SessionFormat],
        default="individual",
        help="individual or group",
    )
    p.add_argument("--delivery", choices=[d.value for d in Delivery], help="in_person or online")
    p.set_defaults(handler=cmd_preview)
