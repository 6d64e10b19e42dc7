"""What may be stored in clear or logged: generic reasons, masked addresses and numbers."""

from __future__ import annotations

from intake.errors import LimitExceeded, MessageError, UnreadableMessage
from intake.store.redact import message_reason, redact, where


def test_redact_masks_addresses_and_phone_numbers() -> None:
    """Addresses and phone-like numbers become placeholders; control characters go."""
    text = "550 <amy.b@school.example> rejected; call 01632 960412\r\nor +44 1632 960412"
    assert "550 <<address>> rejected; call <number> or <number>" == redact(text)


def test_message_reason_keeps_generic_limit_wording() -> None:
    """A limit's own generic wording is kept with its category."""
    exc = LimitExceeded("message has 1200 headers (limit 1000)")
    assert "limit exceeded: message has 1200 headers (limit 1000)" == message_reason(exc)


def test_message_reason_drops_words_that_may_come_from_an_email() -> None:
    """A message quoting names or subjects is reduced to its category."""
    assert "unreadable" == message_reason(UnreadableMessage("bad charset in 'Referral for Amy'"))
    assert "cannot be handled" == message_reason(MessageError("From: Priya Raman"))


def test_message_reason_of_a_bug_names_only_its_type() -> None:
    """An unexpected exception is described by its type, never its message."""
    assert "internal error: ValueError" == message_reason(ValueError("Oliver Bennett"))


def test_where_gives_file_and_line_without_the_message() -> None:
    """`where` names the place an exception was raised, not its words."""
    try:
        raise ValueError("Oliver Bennett")
    except ValueError as exc:
        place = where(exc)
    assert place.startswith("test_redact.py:") and "Oliver" not in place
