"""Robots are recognised by standard headers and structure before any wording."""

from __future__ import annotations

from intake.models import Kind
from intake.understanding import parse_email


def _kind(headers: str, body: str = "Hello Jacqueline, my son is 7 and autistic.") -> Kind:
    raw = f"From: Sender <s@example.com>\nTo: hello@example.org\n{headers}\n\n{body}\n"
    return parse_email(raw.encode()).record.kind


def test_auto_submitted_marks_auto_reply() -> None:
    """Any Auto-Submitted value but 'no' is an auto-reply."""
    assert Kind.auto_reply == _kind("Subject: Re: referral\nAuto-Submitted: auto-replied")


def test_auto_submitted_no_is_a_person() -> None:
    """Auto-Submitted: no does not make a robot."""
    assert Kind.referral == _kind("Subject: referral\nAuto-Submitted: no")


def test_delivery_status_report_is_bounce_even_with_auto_submitted() -> None:
    """multipart/report with message/delivery-status is a bounce, whatever Auto-Submitted says."""
    headers = (
        "Subject: Undelivered Mail\nAuto-Submitted: auto-replied\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"'
    )
    body = (
        "--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; x@example.com\n"
        "Action: failed\nStatus: 5.1.1\n--b--"
    )
    assert Kind.bounce == _kind(headers, body)


def test_mailer_daemon_sender_is_bounce() -> None:
    """Mail from MAILER-DAEMON is a bounce."""
    raw = b"From: MAILER-DAEMON@mx.example.com\nSubject: failure notice\n\nSorry.\n"
    assert Kind.bounce == parse_email(raw).record.kind


def test_list_headers_mark_bulk_even_about_dementia() -> None:
    """A newsletter with List-Id is bulk even when it talks about dementia and music therapy."""
    assert Kind.bulk == _kind(
        "Subject: News\nList-Id: <news.example.org>", "Music therapy for dementia: our news."
    )


def test_out_of_office_subject_without_headers_is_auto_reply() -> None:
    """'Automatic reply:' with out-of-office wording is an auto-reply."""
    assert Kind.auto_reply == _kind(
        "Subject: Automatic reply: referral", "I am currently out of the office until Monday."
    )


def test_deferred_referral_is_an_enquiry() -> None:
    """'Before we refer anyone' makes an enquiry, not a referral."""
    assert Kind.enquiry == _kind(
        "Subject: question", "Before we refer anyone, what do you charge for a school group?"
    )
