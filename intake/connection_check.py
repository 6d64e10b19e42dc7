"""`intake check`: reach the configured IMAP and SMTP servers step by step, and say what is wrong.

Steps run in order (DNS, TCP, TLS, login, folder) and stop at the first
failure, with a hint for the common cases. Secrets are used, never shown:
messages carry exception class names and server status, not values.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from intake.config import Config, Mailbox, Smtp
from intake.errors import SecretError
from intake.mailbox.imap import tls_context
from intake.replying.senders import SmtpSender, open_smtp
from intake.secrets import oauth2_token, password

Steps = Generator[tuple[str, Callable[[], str]], None, None]
"""A server's checks in order: (name, callable returning a detail or raising StepFailed)."""


@dataclass
class _Reached:
    """What the steps of one server found so far, for the next step."""

    address: tuple[str, int] = ("", 0)
    imap: IMAPClient | None = None
    smtp: smtplib.SMTP | None = None


@dataclass(frozen=True)
class Step:
    """The outcome of one step: what was checked, and the hint when it failed."""

    service: str
    name: str
    ok: bool
    detail: str
    hint: str = ""


class StepFailed(Exception):
    """Raised by a step that failed; carries a line for the person and a hint."""

    def __init__(self, detail: str, hint: str = "") -> None:
        super().__init__(detail)
        self.detail, self.hint = detail, hint


def provider_hint(host: str, oauth2: bool = False) -> str:
    """What the big providers need for a login to work; with OAuth2, what to check of it."""
    host = host.lower()
    if oauth2:
        return (
            "check the token oauth2_token_command prints: an expired or revoked token, or"
            " one without the mail scope (IMAP and SMTP), is refused"
        )
    if host.endswith(("gmail.com", "googlemail.com")):
        return (
            "Gmail refuses the account password: use an app password (needs 2-Step"
            " Verification) or OAuth2 via oauth2_token_command"
        )
    if "office365" in host or "outlook" in host:
        return "Microsoft 365 has turned basic authentication off: set oauth2_token_command"
    return "check username and the password in password_env or password_command"


def _dns(host: str, port: int) -> tuple[str, int]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise StepFailed(f"cannot resolve {host} ({exc.strerror})", "check host") from None
    address = infos[0][4]
    return str(address[0]), int(address[1])


def _tcp(address: tuple[str, int], timeout: float) -> None:
    try:
        socket.create_connection(address, timeout=timeout).close()
    except TimeoutError:
        raise StepFailed(
            f"no answer from {address[0]} port {address[1]} in {timeout:g} s",
            "a firewall may block the port; check host and port",
        ) from None
    except OSError as exc:
        raise StepFailed(
            f"cannot connect to {address[0]} port {address[1]} ({exc.strerror})",
            "check the port: IMAP is 993 (tls) or 143 (starttls); SMTP 465 (tls) or 587",
        ) from None


def _tls_failed(exc: ssl.SSLError) -> StepFailed:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return StepFailed(
            f"certificate not trusted ({exc.verify_message})",
            "if the server uses a private CA, set ca_file to its certificate",
        )
    return StepFailed(
        f"TLS handshake failed ({exc.reason})",
        "check security: tls for 993/465, starttls for 143/587",
    )


def _implicit_tls(host: str, address: tuple[str, int], ca_file: object, timeout: float) -> str:
    ctx = tls_context(ca_file)
    try:
        with (
            socket.create_connection(address, timeout=timeout) as raw,
            ctx.wrap_socket(raw, server_hostname=host) as tls,
        ):
            return f"{tls.version()}, certificate verified"
    except ssl.SSLError as exc:
        raise _tls_failed(exc) from None
    except OSError as exc:
        raise StepFailed(f"connection lost during TLS ({type(exc).__name__})") from None


def _secret(section: Mailbox | Smtp, what: str) -> tuple[str, bool]:
    """(secret, is_oauth2), or StepFailed naming the setting (never the value)."""
    try:
        token = oauth2_token(section, what)
        if token is not None:
            return token.get_secret_value(), True
        return password(section, what).get_secret_value(), False
    except SecretError as exc:
        raise StepFailed(
            str(exc), "the password comes from password_env or password_command"
        ) from None


def _reach_steps(host: str, port: int, timeout: float, state: _Reached) -> Steps:
    """DNS then TCP: the first two steps for either server."""

    def dns() -> str:
        state.address = _dns(host, port)
        return f"{host} is {state.address[0]}"

    def tcp() -> str:
        _tcp(state.address, timeout)
        return f"port {port} open"

    yield "DNS", dns
    yield "TCP", tcp


def imap_steps(cfg: Mailbox) -> Steps:
    """The IMAP checks in order; each callable returns a detail or raises StepFailed."""
    state = _Reached()

    def tls() -> str:
        if cfg.security == "tls":
            detail = _implicit_tls(cfg.host, state.address, cfg.ca_file, cfg.timeout_seconds)
        client = _imap_client(cfg)
        state.imap = client
        if cfg.security == "starttls":
            try:
                client.starttls(tls_context(cfg.ca_file))
            except ssl.SSLError as exc:
                raise _tls_failed(exc) from None
            return "STARTTLS, certificate verified"
        return detail if cfg.security == "tls" else "none (loopback only)"

    def login() -> str:
        client = state.imap
        assert client is not None  # the TLS step connected
        secret, oauth = _secret(cfg, "mailbox")
        try:
            if oauth:
                client.oauth2_login(cfg.username, secret)
            else:
                client.login(cfg.username, secret)
        except LoginError:
            hint = provider_hint(cfg.host, oauth)
            raise StepFailed("the server refused the login", hint) from None
        return f"logged in as {cfg.username}" + (" with OAuth2" if oauth else "")

    def folder() -> str:
        client = state.imap
        assert client is not None  # the TLS step connected
        if not client.folder_exists(cfg.folder):
            raise StepFailed(f"folder {cfg.folder!r} not found", "check folder (names are exact)")
        idle = client.has_capability("IDLE")
        return f"{cfg.folder} readable; IDLE {'available' if idle else 'missing: will poll'}"

    try:
        yield from _reach_steps(cfg.host, cfg.port, cfg.timeout_seconds, state)
        yield "TLS", tls
        yield "login", login
        yield "folder", folder
    finally:
        client = state.imap
        if client is not None:
            try:
                client.logout()
            except (IMAPClientError, OSError):
                with contextlib.suppress(IMAPClientError, OSError):
                    client.shutdown()


def _imap_client(cfg: Mailbox) -> IMAPClient:
    try:
        return IMAPClient(
            cfg.host,
            port=cfg.port,
            ssl=cfg.security == "tls",
            ssl_context=tls_context(cfg.ca_file),
            timeout=cfg.timeout_seconds,
        )
    except ssl.SSLError as exc:
        raise _tls_failed(exc) from None
    except (OSError, IMAPClientError) as exc:
        raise StepFailed(f"IMAP greeting failed ({type(exc).__name__})") from None


def smtp_steps(cfg: Smtp) -> Steps:
    """The SMTP checks in order: DNS, TCP, TLS and login (nothing is sent)."""
    state = _Reached()

    def tls() -> str:
        try:
            conn = open_smtp(cfg)
        except ssl.SSLError as exc:
            raise _tls_failed(exc) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise StepFailed(f"SMTP dialogue failed ({type(exc).__name__})") from None
        state.smtp = conn
        return "none (loopback only)" if cfg.security == "none" else f"{cfg.security}, verified"

    def login() -> str:
        conn = state.smtp
        assert conn is not None  # the TLS step connected
        if not cfg.username:
            return "no login configured"
        _, oauth = _secret(cfg, "smtp")
        try:
            SmtpSender(cfg)._login(conn)  # the sender's own login, OAuth2 included
        except smtplib.SMTPAuthenticationError:
            hint = provider_hint(cfg.host, oauth)
            raise StepFailed("the server refused the login", hint) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise StepFailed(f"SMTP login failed ({type(exc).__name__})") from None
        return f"logged in as {cfg.username}" + (" with OAuth2" if oauth else "")

    try:
        yield from _reach_steps(cfg.host, cfg.port, cfg.timeout_seconds, state)
        yield "TLS", tls
        yield "login", login
    finally:
        conn = state.smtp
        if conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                conn.quit()
            conn.close()


def run_checks(cfg: Config) -> Iterator[Step]:
    """Every step of both servers, stopping a server's steps at its first failure."""
    plans: list[tuple[str, Steps]] = []
    if cfg.mailbox.kind == "imap":
        plans.append(("imap", imap_steps(cfg.mailbox)))
    if cfg.smtp.kind == "smtp":
        plans.append(("smtp", smtp_steps(cfg.smtp)))
    for service, steps in plans:
        for name, step in steps:
            try:
                yield Step(service, name, True, step())
            except StepFailed as exc:
                yield Step(service, name, False, exc.detail, exc.hint)
                steps.close()
                break
