"""XOAUTH2 (Gmail, Microsoft 365) against the real Dovecot and SMTP sink.

Dovecot checks each token by RFC 7662 introspection: it POSTs the token to a
URL, here a small HTTP server on loopback that knows one good token.
"""

from __future__ import annotations

import json
import shlex
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from intake.cli import main
from intake.config import load_config
from intake.worker.cycle import run_cycle
from intake.worker.services import build_services
from tests import configs
from tests.conftest import require_dovecot
from tests.ingest_support import referral, states
from tests.mailservers import Dovecot, SmtpSink

TOKEN = "ya29.good-test-token"
USER = "alice"


class Introspection:
    """An RFC 7662 token introspection endpoint on loopback: TOKEN is active for USER."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                token = parse_qs(self.rfile.read(length).decode()).get("token", [""])[0]
                outer.seen.append(token)
                active = {"active": "true", "username": USER} if token == TOKEN else {}
                body = json.dumps(active or {"active": "false"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/introspect"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def oauth_dovecot() -> Iterator[tuple[Dovecot, Introspection]]:
    require_dovecot()
    endpoint = Introspection()
    server = Dovecot(user=USER, oauth2_introspection_url=endpoint.url)
    try:
        server.start()
        yield server, endpoint
    finally:
        server.close()
        endpoint.close()


@pytest.fixture
def oauth_sink() -> Iterator[SmtpSink]:
    with SmtpSink("starttls", user=USER, oauth2_token=TOKEN) as sink:
        yield sink


def token_command(token: str) -> str:
    """An oauth2_token_command printing `token`, as a keyring or a token helper would."""
    return shlex.join([sys.executable, "-c", f"print({token!r})"])


def write_config(root: Path, server: Dovecot, sink: SmtpSink, token: str) -> Path:
    """IMAP and SMTP both log in as USER with `token`; SMTP over STARTTLS, as providers want."""
    login = {"username": USER, "oauth2_token_command": token_command(token)}
    return configs.write_config(
        root,
        server,
        sink,
        mailbox={**login, "first_run_days": 3650},
        smtp={"security": "starttls", "ca_file": str(sink.ca_file), **login, "save_to_sent": False},
    )


def test_xoauth2_logins_read_the_inbox_and_send_the_reply(
    tmp_path: Path, oauth_dovecot: tuple[Dovecot, Introspection], oauth_sink: SmtpSink
) -> None:
    """IMAP and SMTP both log in with the command's token; the referral is answered."""
    server, endpoint = oauth_dovecot
    server.append(referral(1), user=USER)
    cfg = load_config(write_config(tmp_path, server, oauth_sink, TOKEN))
    report = run_cycle(build_services(cfg, create_key=True))
    assert (1, 1) == (report.processed, report.replies_sent)
    assert [m.rcpt_tos for m in oauth_sink.messages] == [("gp1@surgery.example",)]
    assert {"processed": 1} == states(cfg.store.path)
    assert TOKEN in endpoint.seen


def test_check_logs_in_with_oauth2_and_names_a_refused_token_without_showing_it(
    tmp_path: Path,
    oauth_dovecot: tuple[Dovecot, Introspection],
    oauth_sink: SmtpSink,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Both logins say OAuth2; an expired token fails both with an OAuth hint, unshown."""
    server, _ = oauth_dovecot
    good = write_config(tmp_path, server, oauth_sink, TOKEN)
    assert 0 == main(["--config", str(good), "check"])
    out = capsys.readouterr().out
    assert f"logged in as {USER} with OAuth2" in out
    assert TOKEN not in out
    expired = "ya29.expired-token-value"
    bad = write_config(tmp_path, server, oauth_sink, expired)
    assert 1 == main(["--config", str(bad), "check"])
    lines = capsys.readouterr().out.splitlines()
    assert "FAIL imap login: the server refused the login" in lines
    assert "FAIL smtp login: the server refused the login" in lines
    assert sum("hint: check the token oauth2_token_command prints" in x for x in lines) == 2
    assert expired not in "\n".join(lines)
