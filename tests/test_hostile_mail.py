"""Hostile and broken mail: mutated corpus and real-world messages never break a batch."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.clock import FixedClock
from intake.config import parse_config
from intake.errors import MessageError
from intake.understanding import parse_email
from intake.worker.cycle import Services, process_message
from intake.worker.services import build_services
from tests.corpus_support import corpus_cases, realmail_files
from tests.mutations import MUTATIONS

SECONDS_PER_MESSAGE = 2.0
SEEDS_PER_SOURCE = 40


def _seeds() -> list[Path]:
    """A spread of corpus and real-world messages (every nth, so all sources appear)."""
    cases, real = corpus_cases(), realmail_files()
    pick = lambda files: files[:: max(1, len(files) // SEEDS_PER_SOURCE)]  # noqa: E731
    return pick(cases) + pick(real)


@functools.cache
def seed_bytes() -> tuple[bytes, ...]:
    """The seeds' bytes, read once (kept out of Hypothesis' reports, which they would swamp)."""
    return tuple(p.read_bytes() for p in _seeds())


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Services:
    root = tmp_path_factory.mktemp("hostile")
    text = '[practice]\nemail = "hello@innerpulse.example"\n[reply]\nmode = "off"\n'
    (root / "config.toml").write_text(text)
    cfg = parse_config(text, root / "config.toml")
    clock = FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    return build_services(cfg, clock=clock, create_key=True)


Mutation = Callable[[bytes, int, int], bytes]
mutations = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 2**20), st.integers(0, 2**20)),
    min_size=1,
    max_size=3,
)


def _mutate(raw: bytes, steps: list[tuple[Mutation, int, int]]) -> bytes:
    for mutation, a, b in steps:
        raw = mutation(raw, a, b)
    return raw


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(index=st.integers(0, 10_000), steps=mutations)
def test_parse_email_raises_only_message_errors_quickly(
    index: int, steps: list[tuple[Mutation, int, int]]
) -> None:
    """parse_email on a mutated message returns or raises a MessageError, within 2 s."""
    seeds = seed_bytes()
    raw = _mutate(seeds[index % len(seeds)], steps)
    started = time.monotonic()
    with contextlib.suppress(MessageError):
        parse_email(raw)
    assert time.monotonic() - started < SECONDS_PER_MESSAGE


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(index=st.integers(0, 10_000), steps=mutations)
def test_worker_handles_or_quarantines_every_mutated_message(
    svc: Services, index: int, steps: list[tuple[Mutation, int, int]]
) -> None:
    """The worker's process step ends a mutated message handled or quarantined, within 2 s."""
    seeds = seed_bytes()
    raw = _mutate(seeds[index % len(seeds)], steps) + b"\r\n" + str(time.monotonic_ns()).encode()
    msg_id, _ = svc.store.add_message(
        raw,
        size=len(raw),
        folder="fuzz",
        uidvalidity=0,
        uid=str(time.monotonic_ns()),
        message_id=None,
        internal_date=None,
        now=svc.clock.now(),
    )
    started = time.monotonic()
    process_message(svc, msg_id)
    assert time.monotonic() - started < SECONDS_PER_MESSAGE
    assert svc.store.message(msg_id).state in {"processed", "ignored", "quarantined"}


def test_every_unmutated_seed_is_handled_or_quarantined(svc: Services) -> None:
    """Each corpus and real-world seed, as it is, ends handled or quarantined."""
    states = set()
    for n, raw in enumerate(seed_bytes()):
        msg_id, _ = svc.store.add_message(
            raw + b"\r\nseed",
            size=len(raw),
            folder="seeds",
            uidvalidity=0,
            uid=str(n),
            message_id=None,
            internal_date=None,
            now=svc.clock.now(),
        )
        process_message(svc, msg_id)
        states.add(svc.store.message(msg_id).state)
    assert states <= {"processed", "ignored", "quarantined"}
