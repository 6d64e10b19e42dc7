"""Each reply type as the referrer receives it over SMTP: headers, threading, parts, no leaks."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from intake.clock import FixedClock
from intake.deciding.policy import is_our_message_id
from intake.worker.cycle import run_cycle
from tests.mailservers import SmtpSink
from tests.worlds import START, deliver_to_inbox, smtp_toml, world

THERAPIST = "jacqueline@innerpulse.example"
OURS = "hello@innerpulse.example"


def referral(
    *,
    subject: str = "Referral for Amy",
    sender: str = "Mrs Priya Shah <priya.shah@home.example>",
    body: str = "",
    message_id: str = "<r1@home.example>",
    headers: str = "",
) -> bytes:
    body = body or (
        "Hello,\n\nI would like to refer my daughter Amy Shah, aged 6, for individual music"
        " therapy at home. She is autistic and finds words hard. I am her mum and I agree to"
        " the referral.\n\nPriya Shah\n07700 900123\n"
    )
    return (
        f"From: {sender}\nTo: {OURS}\nSubject: {subject}\nMessage-ID: {message_id}\n"
        f"Date: Tue, 24 Nov 2026 09:00:00 +0000\n{headers}MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}"
    ).encode()


def run(tmp_path: Path, sink: SmtpSink, *raws: bytes) -> list[EmailMessage]:
    svc = world(tmp_path, smtp_toml(sink.port), FixedClock(START))
    deliver_to_inbox(svc, *raws)
    run_cycle(svc)
    return [
        message_from_bytes(m.content, policy=policy.default)  # type: ignore[misc]
        for m in sink.messages
        if THERAPIST not in m.rcpt_tos
    ]


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(msg: EmailMessage) -> str:
    part = msg.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def assert_threaded_automatic_reply(msg: EmailMessage, original_id: str, to: str) -> None:
    assert [to] == [a.addr_spec for a in msg["To"].addresses]
    assert OURS == msg["From"].addresses[0].addr_spec
    assert original_id == msg["In-Reply-To"]
    assert original_id in msg["References"].split()
    assert is_our_message_id(msg["Message-ID"], OURS)
    assert msg["Date"] is not None
    assert "auto-replied" == msg["Auto-Submitted"]
    assert "All" == msg["X-Auto-Response-Suppress"]
    assert "multipart/alternative" == msg.get_content_type()
    assert ["text/plain", "text/html"] == [p.get_content_type() for p in msg.iter_parts()]


@pytest.mark.servers
def test_acknowledgement_as_received(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    """A complete referral: threaded, marked automatic, text + HTML, reference in the subject."""
    (msg,) = run(tmp_path, smtp_sink, referral())
    assert_threaded_automatic_reply(msg, "<r1@home.example>", "priya.shah@home.example")
    assert "Re: Referral for Amy [IP-0001]" == msg["Subject"]
    text = text_of(msg)
    assert text.startswith("Dear Priya,")
    assert "IP-0001" in text and "IP-0001" in html_of(msg)
    assert "Shah" not in text.replace("Priya Shah", "")
    assert "autis" not in (text + html_of(msg)).lower()


@pytest.mark.servers
def test_missing_information_as_received(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    """An incomplete referral: the reply lists what is missing and keeps the thread."""
    body = "Hello, I would like to refer my son Leo Cole for music therapy at home. Dan\n"
    (msg,) = run(
        tmp_path,
        smtp_sink,
        referral(body=body, sender="Dan Cole <dan.cole@home.example>", subject="Music therapy"),
    )
    assert_threaded_automatic_reply(msg, "<r1@home.example>", "dan.cole@home.example")
    assert "Re: Music therapy [IP-0001]" == msg["Subject"]
    assert "could you reply to this email with" in text_of(msg)


@pytest.mark.servers
def test_reply_goes_to_reply_to_and_keeps_references(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    """Reply-To wins over From; References carries the original chain plus its Message-ID."""
    raw = referral(
        headers="Reply-To: office@home.example\nReferences: <root@home.example>\n"
        "In-Reply-To: <root@home.example>\n"
    )
    (msg,) = run(tmp_path, smtp_sink, raw)
    assert "office@home.example" == msg["To"]
    assert "<root@home.example> <r1@home.example>" == msg["References"]


@pytest.mark.servers
def test_header_injection_attempts_add_no_header(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    """Encoded CR/LF in Subject and From name, a huge name: the reply has only our headers."""
    evil_subject = "=?utf-8?b?UmVmZXJyYWwNCkJjYzogdmljdGltQGV2aWwuZXhhbXBsZQ0KWC1Fdmls?="
    evil_name = "=?utf-8?q?Priya=0D=0ABcc=3A_victim=40evil.example=0D=0A?= " + "Shah" * 800
    (msg,) = run(
        tmp_path,
        smtp_sink,
        referral(subject=evil_subject, sender=f"{evil_name} <priya.shah@home.example>"),
    )
    names = sorted({k.lower() for k in msg})
    assert [
        "auto-submitted",
        "content-type",
        "date",
        "from",
        "in-reply-to",
        "message-id",
        "mime-version",
        "references",
        "subject",
        "to",
        "x-auto-response-suppress",
    ] == names
    assert "\n" not in msg["Subject"] and len(msg["Subject"]) < 220
    assert ["priya.shah@home.example"] == [m.rcpt_tos[0] for m in smtp_sink.messages]


@pytest.mark.servers
def test_safeguarding_sends_no_reply_and_one_urgent_alert(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    """A risk of harm: nothing to the referrer, one urgent alert to the digest address."""
    body = (
        "Hello, I am referring my son Sam Lee, aged 15, for music therapy at home. He has"
        " been self-harming and I am worried. I agree to the referral.\nKate Lee\n"
    )
    replies = run(tmp_path, smtp_sink, referral(body=body, sender="Kate Lee <kate@home.example>"))
    alerts = [
        message_from_bytes(m.content, policy=policy.default)
        for m in smtp_sink.messages
        if THERAPIST in m.rcpt_tos
    ]
    assert [] == replies
    assert 1 == len(alerts)
    assert alerts[0]["Subject"].startswith("URGENT:")
    assert "high" == alerts[0]["Importance"]
    assert "IP-0001" in alerts[0]["Subject"]
