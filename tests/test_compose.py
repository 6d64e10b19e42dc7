"""Composing replies: headers, threading, multipart, and no leaks."""

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from intake.config import Practice
from intake.models import Client, Envelope
from intake.replying.compose import (
    build_reply,
    environment,
    message_id,
    render,
    reply_context,
)
from tests.builders import parsed

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
PRACTICE = Practice(email="hello@innerpulse.example")


def _reply(envelope: Envelope) -> bytes:
    mail = build_reply(
        envelope,
        PRACTICE,
        reference="IP-0007",
        text="hello",
        html="<p>hello</p>",
        msg_id="<ip.x@innerpulse.example>",
        now=NOW,
    )
    return mail.raw


def test_reply_is_threaded_and_marked_automatic() -> None:
    """In-Reply-To, References, Auto-Submitted and the reference in the subject."""
    env = parsed().envelope.model_copy(update={"references": ("<a@x>",)})
    msg = message_from_bytes(_reply(env), policy=policy.default)
    assert "<m1@school.example>" == msg["In-Reply-To"]
    assert "<a@x> <m1@school.example>" == msg["References"]
    assert "auto-replied" == msg["Auto-Submitted"]
    assert "All" == msg["X-Auto-Response-Suppress"]
    assert "Re: Referral for Amy [IP-0007]" == msg["Subject"]
    assert "sam.carter@school.example" == msg["To"]


def test_reply_goes_to_reply_to_when_present() -> None:
    """Reply-To wins over From."""
    env = parsed().envelope.model_copy(update={"reply_to": "Office@School.example"})
    msg = message_from_bytes(_reply(env), policy=policy.default)
    assert "office@school.example" == msg["To"]


def test_header_injection_in_subject_adds_no_header() -> None:
    """CR/LF in the original subject cannot smuggle a header into the reply."""
    env = parsed(subject="Hi\r\nBcc: victim@evil.example\r\nX-Evil: 1").envelope
    msg = message_from_bytes(_reply(env), policy=policy.default)
    assert msg["Bcc"] is None
    assert msg["X-Evil"] is None


def test_reply_is_text_with_html_alternative() -> None:
    """A text part always, with an HTML alternative."""
    msg = message_from_bytes(_reply(parsed().envelope), policy=policy.default)
    assert "multipart/alternative" == msg.get_content_type()
    assert ["text/plain", "text/html"] == [p.get_content_type() for p in msg.iter_parts()]


def test_templates_carry_practice_facts_and_no_health_details() -> None:
    """Session lengths and the 3-session assessment; no surname, no needs."""
    record = parsed(client=Client(name="Amy Jones", age=9))
    for name in ("acknowledgement", "missing_information", "enquiry"):
        text, html = render(
            environment(), f"replies/{name}", reply_context(record, "IP-1", PRACTICE)
        )
        assert "3 sessions" in text
        assert "30-40 minutes" in text
        assert "Jones" not in text + html
        assert "autis" not in (text + html).lower()


def test_html_part_escapes_values() -> None:
    """HTML is autoescaped: a name cannot inject markup."""
    record = parsed(client=Client(name="<script>x</script> Jones"))
    ctx = reply_context(record, "IP-1", PRACTICE)
    ctx["greeting_name"] = "<b>Sam</b>"
    _, html = render(environment(), "replies/acknowledgement", ctx)
    assert "<b>Sam</b>" not in html
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html


def test_message_id_is_deterministic() -> None:
    """The same reply always gets the same Message-ID, so a retry is recognisable."""
    assert message_id("x.org", "reply", "7") == message_id("x.org", "reply", "7")
    assert message_id("x.org", "reply", "7") != message_id("x.org", "reply", "8")


def test_encoded_word_in_subject_cannot_inject_a_header() -> None:
    """A CR/LF hidden in an RFC 2047 encoded word is removed, not decoded into a header."""
    evil = "=?utf-8?b?SGkNCkJjYzogdmljdGltQGV2aWwuZXhhbXBsZQ==?="  # "Hi\r\nBcc: victim@..."
    msg = message_from_bytes(_reply(parsed(subject=evil).envelope), policy=policy.default)
    assert msg["Bcc"] is None
    assert "Re: Hi Bcc: victim@evil.example [IP-0007]" == msg["Subject"]


def test_very_long_subject_is_bounded() -> None:
    """A 5,000-character subject becomes one bounded header."""
    msg = message_from_bytes(_reply(parsed(subject="x" * 5000).envelope), policy=policy.default)
    assert len(msg["Subject"]) < 220


def test_bad_message_ids_are_left_out_of_threading_headers() -> None:
    """References/In-Reply-To carry only well-formed <id> tokens from the original."""
    env = parsed(message_id="<ok@x>\r\nX-Evil: 1").envelope.model_copy(
        update={"references": ("<a@x>", "junk", "<b@x>\nBcc: v@e")}
    )
    raw = _reply(env)
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["X-Evil"] is None and msg["Bcc"] is None
    assert "<a@x>" == msg["References"]
    assert msg["In-Reply-To"] is None


def test_reply_to_an_invalid_address_is_refused() -> None:
    """An address with a comma or CR/LF is not an address: no reply is built."""
    for bad in ("a@b.example, c@d.example", "a@b.example\r\nBcc: c@d.example", "no-domain"):
        env = parsed().envelope.model_copy(update={"reply_to": bad})
        with pytest.raises(ValueError, match="no valid address"):
            _reply(env)
