"""Snapshots of the digest (text and HTML) for a known store.

To accept a deliberate change of the digest, regenerate the snapshots with
`UPDATE_SNAPSHOTS=1 PYTHONPATH=. python -m pytest tests/test_digest_snapshot.py`
and review the diff of tests/snapshots/ before committing it.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.digest.build import render_digest
from intake.models import Client, Kind, Need, Record, Setting
from intake.worker.digest_job import gather
from tests.flow import Flow, record

SNAPSHOTS = Path(__file__).parent / "snapshots"


def known_store(flow: Flow) -> None:
    """A complete referral, one awaiting consent, a safeguarding hold and an age conflict."""
    flow.deliver(
        record(reason="words are hard", consent=True, setting=Setting.school),
        message_id="<r1@school.example>",
    )
    flow.deliver(
        record(
            client=Client(name="Ben Smith", age=82),
            needs=(Need.dementia,),
            reason="unsettled in the evenings",
            missing=("consent",),
        ),
        message_id="<r2@home.example>",
        sender="carer@home.example",
    )
    flow.deliver(
        record(client=Client(name="Cara", age=15), safeguarding=("self-harm",)),
        message_id="<r3@school.example>",
        sender="head@school.example",
    )
    flow.run()
    ask = flow.sent_with("missing_information")[0]
    flow.clock.advance(hours=3)
    flow.deliver(
        Record(kind=Kind.referral, client=Client(age=83)),
        message_id="<u2@home.example>",
        sender="carer@home.example",
        in_reply_to=ask,
    )
    flow.run()


def check(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual


@pytest.fixture
def rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    flow = Flow(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=UTC), monkeypatch)
    known_store(flow)
    flow.clock.current = datetime(2026, 11, 25, 7, 55, tzinfo=UTC)
    flow.run()
    flow.clock.current = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    data = gather(flow.svc, flow.clock.now().date())
    return render_digest(flow.svc.env, data, "0123456789abcdef")


def test_digest_text_matches_snapshot(rendered: tuple[str, str, str]) -> None:
    """The plain-text digest of the known store is exactly the reviewed one."""
    check("digest.txt", rendered[0] + "\n" + rendered[1])


def test_digest_html_matches_snapshot(rendered: tuple[str, str, str]) -> None:
    """The HTML digest of the known store is exactly the reviewed one."""
    check("digest.html", rendered[2])


def test_quiet_day_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing to show, the digest says it is a quiet day."""
    flow = Flow(tmp_path, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), monkeypatch)
    subject, text, _ = render_digest(flow.svc.env, gather(flow.svc, flow.clock.now().date()), "t")
    assert "a quiet day" in subject
    assert "A quiet day: nothing new and nothing due." in text


def test_plain_text_digest_has_no_double_blank_line(rendered: tuple[str, str, str]) -> None:
    """Sections are separated by exactly one blank line."""
    assert False is ("\n\n\n" in rendered[1])


def test_subject_names_every_count_that_is_not_zero(rendered: tuple[str, str, str]) -> None:
    """Safeguarding first, then what is to do, new and to check; the token last."""
    expected = (
        "Intake digest Wed 25 Nov: URGENT 1 safeguarding, 2 to do, 3 new, 1 to check"
        " [digest 0123456789abcdef]"
    )
    assert expected == rendered[0]


def test_new_enquiry_says_how_it_was_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An enquiry is listed as one, with the reply it got, not as 'enquiry, enquiry'."""
    flow = Flow(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=UTC), monkeypatch)
    flow.deliver(Record(kind=Kind.enquiry), message_id="<e1@home.example>")
    flow.run()
    flow.clock.current = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    data = gather(flow.svc, flow.clock.now().date())
    assert ("IP-0001: an enquiry; answered with the enquiry reply",) == data.needs_look
