"""Shared fixtures: a session-wide real Dovecot, a fresh IMAP user per test, an SMTP sink.

Tests that use ``dovecot``, ``fresh_dovecot``, ``mailbox`` or ``smtp_sink`` are marked ``servers``
automatically (deselect them with ``-m "not servers"``). Without Dovecot they
are skipped, except under ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.mailservers import INSTALL_HINT, Dovecot, SmtpSink, find_dovecot

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_FIXTURES = frozenset({"dovecot", "fresh_dovecot", "mailbox", "smtp_sink"})
_user_numbers = itertools.count(1)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs a real server with ``servers``."""
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


def require_dovecot() -> None:
    """Skip the test without Dovecot, or fail it under CI=true."""
    if find_dovecot() is None:
        if _in_ci():
            pytest.fail(f"{INSTALL_HINT} (CI=true: .ci/run must install it)", pytrace=False)
        pytest.skip(INSTALL_HINT)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One private Dovecot for the whole session; isolate tests with ``mailbox``."""
    require_dovecot()
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        # Stops by process group even when tests failed or start() raised.
        server.close()


@pytest.fixture
def fresh_dovecot() -> Iterator[Dovecot]:
    """A Dovecot of the test's own (about 40 ms), for tests that stop, kill or restart it."""
    require_dovecot()
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()


@dataclass(frozen=True)
class Mailbox:
    """A fresh Dovecot user of one test, with how to reach it."""

    host: str
    port: int
    tls_port: int
    ca_file: Path
    user: str
    password: str
    server: Dovecot = field(repr=False)

    def append(
        self,
        raw: bytes,
        folder: str = "INBOX",
        *,
        flags: Sequence[str | bytes] = (),
        msg_time: datetime | None = None,
    ) -> int:
        """APPEND ``raw`` to this user's ``folder`` and return its UID."""
        return self.server.append(
            raw, folder, user=self.user, password=self.password, flags=flags, msg_time=msg_time
        )

    def client(self, *, tls: bool = False) -> IMAPClient:
        """A logged-in IMAPClient for this user; the caller logs out."""
        return self.server.client(self.user, self.password, tls=tls)

    def uidvalidity(self, folder: str = "INBOX") -> int:
        """The UIDVALIDITY of this user's ``folder``."""
        return self.server.uidvalidity(folder, user=self.user, password=self.password)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    """A new user with an empty mailbox on the session's Dovecot."""
    user = f"user{next(_user_numbers)}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    dovecot.add_user(user, password)
    return Mailbox(
        host=dovecot.host,
        port=dovecot.port,
        tls_port=dovecot.tls_port,
        ca_file=dovecot.ca_file,
        user=user,
        password=password,
        server=dovecot,
    )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A plain SMTP server on loopback that keeps every message it receives."""
    sink = SmtpSink()
    try:
        sink.start()
        yield sink
    finally:
        sink.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared/ folder beside the repository (env INTAKE_SHARED_DIR overrides)."""
    override = os.environ.get("INTAKE_SHARED_DIR")
    path = Path(override) if override else REPO_ROOT.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared dir {path} not found (set INTAKE_SHARED_DIR)")
    return path
