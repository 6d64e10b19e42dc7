"""Text from an email is data to a template, never a template itself."""

from __future__ import annotations

from intake.config import Practice
from intake.models import Client
from intake.replying.compose import environment, render, reply_context
from tests.builders import parsed

PRACTICE = Practice(email="hello@innerpulse.example")


def test_template_syntax_in_an_email_is_not_evaluated() -> None:
    """A client 'name' holding {{7*7}} is printed as typed, in text and HTML, never computed."""
    mail = parsed(client=Client(name="Amy{{7*7}}{%raw%} Jones", age=9), subject="{{ config }}")
    text, html = render(
        environment(), "replies/acknowledgement", reply_context(mail, "IP-0007", PRACTICE)
    )
    assert "{{7*7}}{%raw%}" in text
    assert "49" not in text and "49" not in html
