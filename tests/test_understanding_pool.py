"""A backlog is read by worker processes: in order, the same as in-process, and robustly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake.understanding import parse_email
from intake.worker import understanding_pool
from intake.worker.understanding_pool import NICENESS, UnderstandingPool, Unreadable, understand
from tests import pool_jobs
from tests.corpus_support import corpus_cases

ROOT = Path(__file__).resolve().parents[1]


def reasons(results: list[tuple[int, bytes | None, object]]) -> list[str | None]:
    return [r.reason if isinstance(r, Unreadable) else None for _, _, r in results]


def test_results_come_back_in_message_order_with_their_bytes() -> None:
    """Whichever worker finishes first, results are yielded in the order given."""
    messages = [(n, str(n).encode()) for n in range(60)]
    with UnderstandingPool(2, pool_jobs.echo, patience=30) as pool:
        results = list(pool.read(messages))
    assert [(n, raw) for n, raw, _ in results] == messages
    assert reasons(results) == [f"echo {n}" for n in range(60)]


def test_a_message_without_a_body_is_passed_through_unread() -> None:
    with UnderstandingPool(2, pool_jobs.echo, patience=30) as pool:
        results = list(pool.read([(1, b"a"), (2, None), (3, b"c")]))
    assert results[1] == (2, None, None)
    assert reasons(results) == ["echo a", None, "echo c"]


def test_a_worker_that_crashes_costs_one_message_and_the_rest_are_read() -> None:
    """A message that kills its worker is given up as unreadable; the pool starts afresh."""
    messages = [(1, b"a"), (2, b"crash"), (3, b"c"), (4, b"d")]
    with UnderstandingPool(2, pool_jobs.echo, patience=3) as pool:
        results = list(pool.read(messages))
    assert [n for n, _, _ in results] == [1, 2, 3, 4]
    got = reasons(results)
    assert got[0] == "echo a" and got[2:] == ["echo c", "echo d"]
    assert got[1] is not None and "reading process stopped" in got[1]


def test_a_worker_that_hangs_is_stopped_and_the_rest_are_read() -> None:
    messages = [(1, b"hang"), *[(n, str(n).encode()) for n in range(2, 30)]]
    with UnderstandingPool(2, pool_jobs.echo, patience=2) as pool:
        results = list(pool.read(messages))
    got = reasons(results)
    assert got[0] is not None and "reading process stopped" in got[0]
    assert got[1:] == [f"echo {n}" for n in range(2, 30)]


def test_workers_understand_the_corpus_exactly_as_this_process_does() -> None:
    paths = corpus_cases()[:40]
    messages = [(n, p.read_bytes()) for n, p in enumerate(paths)]
    required = ("client_name", "client_age")
    pool = UnderstandingPool.for_extraction(2, required, seconds=10)
    with pool:
        results = list(pool.read(messages))
    for (_, raw), (_, _, understood) in zip(messages, results, strict=True):
        here = understand(raw, required=required, seconds=10)
        assert understood == here
        if not isinstance(here, Unreadable):
            assert here == parse_email(raw, required=required)


def test_workers_do_not_outlive_a_service_killed_with_sigkill() -> None:
    """Busy workers die with the service (PR_SET_PDEATHSIG), leaving no orphans."""
    script = (
        "import multiprocessing, threading, time\n"
        "from intake.worker.understanding_pool import UnderstandingPool\n"
        "from tests import pool_jobs\n"
        "if __name__ == '__main__':\n"
        "    pool = UnderstandingPool(2, pool_jobs.echo, patience=600)\n"
        "    busy = pool.read([(1, b'hang'), (2, b'hang')])\n"
        "    threading.Thread(target=list, args=(busy,), daemon=True).start()\n"
        "    time.sleep(1)\n"
        "    print(' '.join(str(p.pid) for p in multiprocessing.active_children()), flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, cwd=ROOT
    ) as service:
        assert service.stdout is not None
        workers = [int(pid) for pid in service.stdout.readline().split()]
        assert len(workers) == 2
        service.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped by init, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_a_worker_logs_nothing_of_the_messages_it_reads() -> None:
    """A library's warning in a worker (which would quote the document) is not written."""
    script = (
        "from intake.worker.understanding_pool import UnderstandingPool\n"
        "from tests import pool_jobs\n"
        "if __name__ == '__main__':\n"
        "    with UnderstandingPool(2, pool_jobs.noisy, patience=30) as pool:\n"
        "        print(len(list(pool.read([(1, b'Amy Example, 9')]))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env=env, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip() == b"1"
    assert b"Amy Example" not in done.stderr


def test_workers_give_way_to_the_service_process() -> None:
    """Readers run NICENESS below the service, which the backlog waits on."""
    with UnderstandingPool(1, pool_jobs.niceness, patience=30) as pool:
        [result] = list(pool.read([(1, b"x")]))
    expected = min(19, os.nice(0) + NICENESS)
    assert reasons([result]) == [f"nice {expected}"]


def test_read_ahead_is_bounded_by_bytes_and_still_reads_every_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With AHEAD_BYTES smaller than one message, messages go one at a time, all read."""
    monkeypatch.setattr(understanding_pool, "AHEAD_BYTES", 10)
    messages = [(n, f"{n:050d}".encode()) for n in range(12)] + [(12, None)]
    with UnderstandingPool(2, pool_jobs.echo, patience=30) as pool:
        results = list(pool.read(messages))
    assert [(n, raw) for n, raw, _ in results] == messages
    assert reasons(results) == [f"echo {n:050d}" for n in range(12)] + [None]
