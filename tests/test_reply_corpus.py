"""Replies over the shared corpora: every template for every case, and none to robots.

These run the real parser (intake.understanding), so their results follow it.
"""

from __future__ import annotations

import csv
import json
import os
import re
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from intake.config import Practice
from intake.deciding.policy import History, decide
from intake.errors import MessageError
from intake.replying.compose import (
    FACTS_TEMPLATES,
    REPLY_TEMPLATES,
    environment,
    render,
    reply_context,
)
from intake.understanding import parse_email

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INTAKE_SHARED_DIR", REPO.parent / "shared"))
CASES = SHARED / "corpus" / "cases"
REALMAIL = SHARED / "realmail"
PRACTICE = Practice(email="hello@innerpulse.example", hcpc_registration="AS12345")
HISTORY = History(our_address=PRACTICE.email)
TODAY = date(2026, 11, 25)
ROBOT_KINDS = ("auto_reply", "bounce", "bulk")
ROBOT_TAGS = ("bounce/DSN", "auto-submitted-header", "ARF-complaint", "MDN-read-receipt")
HEALTH_WORDS = re.compile(
    r"(?i)autis|\basd\b|\basc\b|dementia|alzheimer|pmld|cerebral|palsy|palliative|end of life"
    r"|end-of-life|adopt|stroke|brain injury|parkinson|multiple sclerosis|learning disab"
    r"|mental health|depress|anxiety|bereave|neonatal|premature|self[- ]harm|suicid|diagnos"
    r"|epilep|down'?s syndrome|adhd|trauma|grief"
)


def corpus_cases() -> list[Path]:
    return sorted(CASES.glob("*.eml")) if CASES.is_dir() else []


def labelled(kinds: tuple[str, ...]) -> list[Path]:
    return [
        p
        for p in corpus_cases()
        if json.loads(p.with_suffix(".json").read_text()).get("kind") in kinds
    ]


def realmail_robots() -> list[Path]:
    index = REALMAIL / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    tagged = [r["file"] for r in rows if set(r["heuristic_tags"].split(",")) & set(ROBOT_TAGS)]
    return [REALMAIL / name for name in tagged]


def surname(case: Path) -> str | None:
    name = (json.loads(case.with_suffix(".json").read_text()).get("client") or {}).get("name")
    words = (name or "").split()
    return words[-1] if len(words) > 1 else None


def sentences(raw: bytes) -> list[str]:
    """Sentences of 40+ characters from the original's text, to check none is echoed."""
    msg = message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("plain",))
    text = str(body.get_content()) if body is not None else ""  # type: ignore[attr-defined]
    parts = re.split(r"(?<=[.!?])\s+|\n", text)
    return [" ".join(p.split()) for p in parts if len(" ".join(p.split())) >= 40]


@pytest.mark.skipif(not corpus_cases(), reason=f"corpus not found at {CASES}")
@pytest.mark.parametrize("case", corpus_cases(), ids=lambda p: p.stem)
def test_every_template_renders_for_corpus_case_without_health_details(case: Path) -> None:
    """Each reply renders; no health words, no client surname, no echoed text; facts present."""
    raw = case.read_bytes()
    try:
        parsed = parse_email(raw)
    except MessageError:
        pytest.skip("the parser refuses this case")
    context = reply_context(parsed, "IP-0042", PRACTICE)
    family = surname(case)
    echoes = sentences(raw)
    for name in REPLY_TEMPLATES:
        text, html = render(environment(), f"replies/{name}", context)
        both = text + html
        assert [] == HEALTH_WORDS.findall(both), name
        if family:  # the greeting is the referrer's own name, which may share it
            rest = both.replace(context["greeting_name"] or "\x00", "")
            assert family.lower() not in rest.lower(), name
        assert [] == [s for s in echoes if s in text], name
        assert "IP-0042" in text and "AS12345" in html
        if name in FACTS_TEMPLATES:
            assert "assessment over 3 sessions" in text and "AS12345" in text


@pytest.mark.skipif(not corpus_cases(), reason=f"corpus not found at {CASES}")
@pytest.mark.parametrize("case", labelled(ROBOT_KINDS), ids=lambda p: p.stem)
def test_no_reply_to_corpus_robot(case: Path) -> None:
    """Auto-replies, bounces and bulk mail in the corpus get no automatic reply."""
    assert None is decide(parse_email(case.read_bytes()), HISTORY, TODAY).reply


@pytest.mark.skipif(not realmail_robots(), reason=f"realmail not found at {REALMAIL}")
@pytest.mark.parametrize("path", realmail_robots(), ids=lambda p: str(p.relative_to(REALMAIL)))
def test_no_reply_to_realmail_bounce_or_auto_reply(path: Path) -> None:
    """Real bounces, DSNs, auto-submitted mail, complaints and read receipts get no reply."""
    try:
        parsed = parse_email(path.read_bytes())
    except MessageError:
        return  # quarantined: never answered
    assert None is decide(parsed, HISTORY, TODAY).reply
