"""The digest at 08:00 Europe/London: across the clock changes, once a day, caught up."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.worker.digest_job import digest_due, queue_digest
from tests.flow import Flow


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flow:
    return Flow(tmp_path, datetime(2026, 3, 28, 7, 0, tzinfo=UTC), monkeypatch)


def at(flow: Flow, *when: int) -> Flow:
    flow.clock.current = datetime(*when, tzinfo=UTC)  # type: ignore[misc]
    return flow


@pytest.mark.parametrize(
    ("before", "on_time"),
    [
        ((2026, 3, 28, 7, 59), (2026, 3, 28, 8, 0)),  # Saturday, still GMT
        ((2026, 3, 29, 6, 59), (2026, 3, 29, 7, 0)),  # clocks went forward: 08:00 BST
        ((2026, 10, 25, 7, 59), (2026, 10, 25, 8, 0)),  # clocks went back: 08:00 GMT
        ((2026, 10, 24, 6, 59), (2026, 10, 24, 7, 0)),  # the day before, still BST
    ],
)
def test_digest_is_due_at_eight_local_time_on_clock_change_days(
    flow: Flow, before: tuple[int, ...], on_time: tuple[int, ...]
) -> None:
    """One minute before 08:00 local it is not due; at 08:00 local it is."""
    assert (False, True) == (digest_due(at(flow, *before).svc), digest_due(at(flow, *on_time).svc))


def test_digest_is_never_sent_twice_for_a_day(flow: Flow) -> None:
    """Asked again the same day, even forced, nothing more is queued."""
    at(flow, 2026, 3, 29, 7, 0)
    assert (True, False, False) == (
        queue_digest(flow.svc),
        queue_digest(flow.svc),
        queue_digest(flow.svc, force=True),
    )


def test_digest_is_caught_up_once_after_downtime(flow: Flow) -> None:
    """Down at 08:00, back at 14:30: the day's digest goes then, and only once."""
    at(flow, 2026, 10, 25, 14, 30)
    assert True is queue_digest(flow.svc)
    at(flow, 2026, 10, 25, 15, 0)
    assert False is queue_digest(flow.svc)


def test_next_day_waits_for_digest_at(flow: Flow) -> None:
    """After a late catch-up, the next digest is still not sent before 08:00."""
    queue_digest(at(flow, 2026, 10, 25, 23, 30).svc)
    assert (False, True) == (
        queue_digest(at(flow, 2026, 10, 26, 7, 59).svc),
        queue_digest(at(flow, 2026, 10, 26, 8, 0).svc),
    )


def test_digest_goes_only_to_the_therapist(flow: Flow) -> None:
    """The digest is addressed to [digest] to and nobody else."""
    queue_digest(at(flow, 2026, 3, 29, 7, 0).svc)
    flow.run()
    assert [["jacqueline@innerpulse.example"]] == [
        [a.addr_spec for a in m["To"].addresses] for m in flow.sent()
    ]
