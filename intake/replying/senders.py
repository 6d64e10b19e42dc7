"""Sending: the adapters that hand a finished message to SMTP or a local Maildir.

`send` either completes (the server accepted it) or raises TransientError
(try again later) or MessageError (this recipient will never work).
"""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from intake.config import Smtp
from intake.errors import ConfigError, MessageError, TransientError
from intake.files import private_umask
from intake.mailbox.imap import tls_context
from intake.mailbox.maildir import open_maildir
from intake.secrets import oauth2_token, password

_BARE_LF = re.compile(rb"(?<!\r)\n")


def crlf(raw: bytes) -> bytes:
    """SMTP and IMAP need CRLF line ends; smtplib does not convert bytes itself."""
    return _BARE_LF.sub(b"\r\n", raw)


# Called once the server has agreed to sender and recipients, just before the
# message itself goes out: the outbox records 'sending' there (see cycle.py).
BeforeData = Callable[[], None]


class Sender(Protocol):
    def send(
        self, raw: bytes, sender: str, recipients: list[str], before_data: BeforeData | None = None
    ) -> None: ...

    def close(self) -> None: ...


def open_smtp(cfg: Smtp) -> smtplib.SMTP:
    """Connect with implicit TLS, STARTTLS or (loopback only) plain, verifying certificates."""
    ctx = tls_context(cfg.ca_file)
    if cfg.security == "tls":
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_seconds, context=ctx)
    conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_seconds)
    if cfg.security == "starttls":
        try:
            conn.starttls(context=ctx)
        except BaseException:
            conn.close()
            raise
    return conn


class MaildirSender:
    """Writes outgoing mail into a Maildir (the embedded default: nothing leaves the machine)."""

    def __init__(self, path: Path) -> None:
        self.box = open_maildir(path)

    def send(
        self, raw: bytes, sender: str, recipients: list[str], before_data: BeforeData | None = None
    ) -> None:
        if before_data is not None:
            before_data()
        with private_umask():
            self.box.add(raw)

    def close(self) -> None:
        self.box.close()


class SmtpSender:
    """One SMTP connection, opened on first use, with TLS verification always on."""

    def __init__(self, cfg: Smtp) -> None:
        self.cfg = cfg
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        try:
            conn = open_smtp(cfg)
            self._login(conn)
        except ssl.SSLCertVerificationError as exc:
            raise ConfigError(f"smtp: TLS certificate not trusted ({exc.verify_message})") from None
        except smtplib.SMTPAuthenticationError:
            raise ConfigError("smtp: the server refused the login") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"smtp: cannot connect ({type(exc).__name__})") from None
        return conn

    def _login(self, conn: smtplib.SMTP) -> None:
        if not self.cfg.username:
            return
        token = oauth2_token(self.cfg, "smtp")
        if token is not None:
            auth = f"user={self.cfg.username}\x01auth=Bearer {token.get_secret_value()}\x01\x01"
            conn.ehlo()
            code, _ = conn.docmd("AUTH", "XOAUTH2 " + base64.b64encode(auth.encode()).decode())
            if code == 334:  # a refused token: the error comes as a challenge, answered empty
                code, _ = conn.docmd("")
            if code != 235:
                raise smtplib.SMTPAuthenticationError(code, b"XOAUTH2 refused")
            return
        conn.login(self.cfg.username, password(self.cfg, "smtp").get_secret_value())

    def send(
        self, raw: bytes, sender: str, recipients: list[str], before_data: BeforeData | None = None
    ) -> None:
        """MAIL, RCPT, then `before_data()`, then DATA: only DATA can leave the outcome unknown."""
        raw = crlf(raw)
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._envelope(self._conn, sender, recipients)
            if before_data is not None:
                self._call(before_data)
            code, reply = self._conn.data(raw)
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            codes = [code for code, _ in exc.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                raise TransientError(f"smtp: recipients deferred ({codes[0]})") from None
            raise MessageError("smtp: every recipient was refused") from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            if 500 <= exc.smtp_code < 600:
                raise MessageError(f"smtp: refused with {exc.smtp_code}") from None
            raise TransientError(f"smtp: temporary failure {exc.smtp_code}") from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TransientError(f"smtp: {type(exc).__name__}") from None

    @staticmethod
    def _envelope(conn: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
        """MAIL FROM and RCPT TO; raises unless every recipient is accepted."""
        conn.ehlo_or_helo_if_needed()
        code, reply = conn.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for rcpt in recipients:
            code, reply = conn.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)

    def _call(self, before_data: BeforeData) -> None:
        """Run the caller's hook; if it fails, abandon this transaction cleanly."""
        try:
            before_data()
        except BaseException:
            self._reset()
            raise

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rset()
            except (OSError, smtplib.SMTPException):
                self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                self._conn.close()
            self._conn = None
