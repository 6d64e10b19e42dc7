"""Reply content: greetings by role, wording by format and delivery, the start-up check."""

from pathlib import Path

import pytest

from intake.config import Practice
from intake.errors import ConfigError
from intake.models import Client, Delivery, Referrer, Role, SessionFormat, Setting
from intake.replying.compose import (
    REPLY_TEMPLATES,
    check_templates,
    environment,
    greeting_name,
    render,
    reply_context,
)
from tests.builders import parsed

PRACTICE = Practice(email="hello@innerpulse.example", hcpc_registration="AS12345")


def _text(name: str, **record: object) -> str:
    ctx = reply_context(parsed(**record), "IP-0007", PRACTICE)
    text, _ = render(environment(), f"replies/{name}", ctx)
    return text


def test_gp_with_title_is_greeted_by_title_and_surname() -> None:
    """A GP who signs "Dr Sarah Okafor" is addressed "Dear Dr Okafor"."""
    text = _text("acknowledgement", referrer=Referrer(name="Dr Sarah Okafor", role=Role.gp))
    assert "Dear Dr Okafor," == text.splitlines()[0]


def test_parent_is_greeted_by_first_name() -> None:
    """A parent is addressed by first name, even when they give a title."""
    text = _text("acknowledgement", referrer=Referrer(name="Mrs Priya Shah", role=Role.parent))
    assert "Dear Priya," == text.splitlines()[0]


def test_unknown_name_gets_a_neutral_greeting() -> None:
    """No usable name: "Hello,"."""
    text = _text("enquiry", referrer=Referrer(name=None, role=None))
    assert "Hello," == text.splitlines()[0]


def test_greeting_name_rules() -> None:
    """Title and surname for clinicians who give a title; first name otherwise."""
    assert "Dr Okafor" == greeting_name("dr. sarah okafor", "health_professional")
    assert "Sarah" == greeting_name("Sarah Okafor", "gp")
    assert "Mr Reid" == greeting_name("Mr Reid", "parent")
    assert "Bcc" == greeting_name("=?utf-8?q?=0D=0ABcc:_x@y?=", "gp")  # one clean word


def test_care_home_group_reply_talks_about_residents_and_group_length() -> None:
    """A care-home group request reads differently from an individual child."""
    group = _text(
        "acknowledgement",
        referrer=Referrer(name="Tom Hale", role=Role.care_home_staff),
        client=Client(),
        session_format=SessionFormat.group,
        setting=Setting.care_home,
        delivery=Delivery.in_person,
    )
    child = _text(
        "acknowledgement",
        referrer=Referrer(name="Priya Shah", role=Role.parent),
        client=Client(name="Amy Shah", age=6),
        delivery=Delivery.online,
    )
    assert "residents" in group and "40-50 minutes" in group and "30-40 minutes" not in group
    assert "what Amy enjoys" in child and "30-40 minutes" in child and "residents" not in child
    assert "video call" in child and "video call" not in group
    assert "at the care home" in group


def test_acknowledgement_gives_reference_next_steps_and_facts() -> None:
    """Reference, when she will be in touch, assessment over 3 sessions, HCPC number."""
    text = _text("acknowledgement")
    assert "IP-0007" in text
    assert "within 2 working days" in text
    assert "assessment over 3 sessions" in text
    assert "AS12345" in text


def test_missing_information_lists_each_item_and_invites_a_reply() -> None:
    """Each missing field in plain words, and "reply to this email"."""
    text = _text("missing_information", missing=("client_age", "consent"))
    assert "- their age or date of birth" in text
    assert "agree to the referral" in text
    assert "reply to this email" in text


def test_thanks_update_says_the_referral_is_complete() -> None:
    """The thanks for an update names the reference and the next step."""
    text = _text("thanks_update")
    assert "added to the referral IP-0007, and I now have everything I need" in text
    assert "arrange the assessment" in text


def test_every_template_renders_for_every_role_format_and_delivery() -> None:
    """The start-up check renders each template over every branch without error."""
    assert len(REPLY_TEMPLATES) * (len(Role) + 1) * 3 * 3 + 1 == check_templates(
        environment(), PRACTICE
    )


def test_broken_template_fails_the_start_up_check(tmp_path: Path) -> None:
    """An unknown variable is a ConfigError naming the template, not a blank in an email."""
    root = Path(__file__).resolve().parents[1] / "templates"
    for sub in ("replies", "alerts"):
        (tmp_path / sub).mkdir()
        for f in (root / sub).iterdir():
            (tmp_path / sub / f.name).write_text(f.read_text())
    (tmp_path / "replies" / "enquiry.txt.j2").write_text("Dear {{ referer_first_name }}\n")
    with pytest.raises(ConfigError, match="replies/enquiry"):
        check_templates(environment(tmp_path), PRACTICE)


def test_client_given_only_by_title_and_surname_is_not_named() -> None:
    """ "Mr Boateng" or initials "BE" give no first name, so no surname reaches the reply."""
    for name in ("Mr Boateng", "BE", "K. Boateng"):
        ctx = reply_context(parsed(client=Client(name=name)), "IP-1", PRACTICE)
        assert None is ctx["client_first_name"], name
