"""`intake check` and TLS against real servers: each step named, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.cli import main
from intake.config import load_config
from intake.errors import ConfigError
from intake.worker.cycle import run_cycle
from intake.worker.services import build_services
from tests.conftest import Mailbox
from tests.ingest_support import PASSWORD_ENV, referral, states, write_config
from tests.mailservers import SmtpSink


@pytest.fixture(autouse=True)
def _password(mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, mailbox.password)


def check(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--config", str(config), "check"])
    return code, capsys.readouterr().out.splitlines()


def test_check_walks_every_step_on_working_servers(
    tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    """With working servers every step is ok and the exit status is 0."""
    code, lines = check(write_config(tmp_path, mailbox, smtp_sink), capsys)
    steps = [" ".join(line.split()[:3]).rstrip(":") for line in lines]
    expected = ["ok imap DNS", "ok imap TCP", "ok imap TLS", "ok imap login", "ok imap folder"]
    expected += ["ok smtp DNS", "ok smtp TCP", "ok smtp TLS", "ok smtp login"]
    expected += ["ok templates render"]
    assert (0, expected) == (code, steps)


def test_check_names_a_refused_login_and_never_prints_the_password(
    tmp_path: Path,
    mailbox: Mailbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wrong password fails at the login step, with a hint, and the secret is not shown."""
    monkeypatch.setenv(PASSWORD_ENV, "wrong-secret-value")
    code, lines = check(write_config(tmp_path, mailbox), capsys)
    assert (1, "FAIL imap login: the server refused the login") == (code, lines[3])
    assert lines[4].strip().startswith("hint:")
    assert "wrong-secret-value" not in "\n".join(lines)


def test_check_hints_that_gmail_needs_an_app_password_or_oauth() -> None:
    """The login hint for Gmail names app passwords and OAuth; Microsoft 365 names OAuth."""
    from intake.connection_check import provider_hint

    assert "app password" in provider_hint("imap.gmail.com")
    assert "oauth2_token_command" in provider_hint("outlook.office365.com")


def test_check_names_an_untrusted_certificate_and_suggests_ca_file(
    tmp_path: Path, mailbox: Mailbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """TLS to a self-signed server without ca_file fails at the TLS step, pointing at ca_file."""
    config = write_config(tmp_path, mailbox, security="tls", port=mailbox.tls_port)
    code, lines = check(config, capsys)
    assert (1, "FAIL imap TLS: certificate not trusted") == (code, lines[2].split(" (")[0])
    assert "ca_file" in lines[3]


def test_check_names_a_closed_port(
    tmp_path: Path, mailbox: Mailbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing listening on the port fails at the TCP step."""
    from tests.mailservers import free_port

    code, lines = check(write_config(tmp_path, mailbox, port=free_port()), capsys)
    assert (1, "FAIL imap TCP") == (code, " ".join(lines[1].split()[:3]).rstrip(":"))


def test_tls_with_the_servers_ca_file_is_trusted(
    tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """Implicit TLS to a self-signed server works when ca_file names its CA."""
    mailbox.append(referral(1))
    config = write_config(
        tmp_path, mailbox, smtp_sink, security="tls", port=mailbox.tls_port, ca_file=mailbox.ca_file
    )
    svc = build_services(load_config(config), create_key=True)
    run_cycle(svc)
    assert {"processed": 1} == states(svc.cfg.store.path)
    svc.store.close()


def test_tls_without_the_ca_file_is_refused(
    tmp_path: Path, mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    """Without ca_file the self-signed certificate is refused: nothing is read."""
    config = write_config(tmp_path, mailbox, smtp_sink, security="tls", port=mailbox.tls_port)
    svc = build_services(load_config(config), create_key=True)
    with pytest.raises(ConfigError, match="certificate not trusted"):
        run_cycle(svc)
    svc.store.close()
