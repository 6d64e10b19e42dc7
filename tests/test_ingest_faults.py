"""Faults that need no real server: a server that stops answering cannot hang the worker."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake.config import load_config
from intake.errors import TransientError
from intake.worker.cycle import run_cycle
from intake.worker.services import build_services


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server on loopback that sends an IMAP greeting and then never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.sendall(b"* OK fake server ready\r\n")
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for conn in held:
            conn.close()


def test_a_server_that_stops_answering_fails_the_cycle_within_the_timeout(
    tmp_path: Path, silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hung IMAP call ends at timeout_seconds as a transient failure, so the next run comes."""
    monkeypatch.setenv("INTAKE_TEST_SILENT_PASSWORD", "secret")
    config = tmp_path / "config.toml"
    config.write_text(
        '[mailbox]\nkind = "imap"\nhost = "127.0.0.1"\nsecurity = "none"\nusername = "u"\n'
        f'port = {silent_server}\npassword_env = "INTAKE_TEST_SILENT_PASSWORD"\n'
        "timeout_seconds = 0.5\n"
    )
    svc = build_services(load_config(config), create_key=True)
    started = time.monotonic()
    with pytest.raises(TransientError, match="mailbox"):
        run_cycle(svc)
    svc.store.close()
    assert time.monotonic() - started < 5
