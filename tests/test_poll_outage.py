"""An unreachable mailbox does not hold back the digest, and the digest says so."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.errors import TransientError
from intake.mailbox.fetched import Inbox
from intake.worker.scheduler import Backoff, poll_once
from tests.flow import Flow, record

WEDNESDAY_8AM = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def unreachable() -> Inbox:
    raise TransientError("imap.example: connection refused")


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flow:
    """One referral read on Tuesday at 09:00."""
    f = Flow(tmp_path, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), monkeypatch)
    f.deliver(record(reason="words are hard", consent=True), message_id="<r1@school.example>")
    f.run()
    return f


def sent_digests(flow: Flow) -> list[str]:
    return [
        str(m.get_body(("plain",)).get_content())
        for m in flow.sent()
        if "[digest " in str(m["Subject"])
    ]


def test_digest_is_sent_when_the_mailbox_is_down(flow: Flow) -> None:
    """At 08:00 the mailbox cannot be reached: a retry is asked for and the digest still goes."""
    flow.svc.open_inbox = unreachable
    flow.clock.current = WEDNESDAY_8AM
    delay = poll_once(flow.svc, Backoff())
    assert (True, 1) == (delay is not None, len(sent_digests(flow)))


def test_health_line_says_the_last_good_poll_is_long_past(flow: Flow) -> None:
    """Twenty-three hours without a successful poll are named in the digest's health line."""
    flow.svc.open_inbox = unreachable
    flow.clock.current = WEDNESDAY_8AM
    poll_once(flow.svc, Backoff())
    expected = "last poll 24 Nov 09:00 (WARNING: no successful poll for 23 hours: check the"
    assert True is (expected in " ".join(sent_digests(flow)[0].split()))


def test_a_good_poll_leaves_the_health_line_plain(flow: Flow) -> None:
    """With the mailbox up, the poll succeeds, the digest goes, and no warning is shown."""
    flow.clock.current = WEDNESDAY_8AM
    delay = poll_once(flow.svc, Backoff())
    assert (None, False) == (delay, "WARNING" in sent_digests(flow)[0])
