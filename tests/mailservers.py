"""Real mail servers on loopback for tests: a private Dovecot (IMAP) and an aiosmtpd sink (SMTP).

Both run only on 127.0.0.1 with free ports, keep all their state in their own
temporary directory under /tmp, and are context managers. They work as root
(CI) and as an ordinary user.

Dovecot facts behind the choices here (Debian 12, Dovecot 2.3.19):

* the directory must be traversable by the ``dovecot`` and ``dovenull``
  users, so it is made with ``tempfile.mkdtemp(dir="/tmp")`` and chmod 0755
  (pytest's ``tmp_path`` is 0700 when run as root);
* unix socket paths are at most 107 bytes, so ``base_dir`` is kept short;
* a listening port is not readiness: the ``* OK`` greeting is;
* logged-in ``imap`` processes survive the master's SIGTERM, so the server
  runs in its own session and is always finished with ``killpg(SIGKILL)``;
* a passwd-file is stat()ed at most once per second (``passwd_file_sync`` in
  ``src/auth/db-passwd-file.c`` returns the cached copy when
  ``last_sync_time == ioloop_time``), so a user appended to one shared file
  in the same second as another login is "unknown user". Hence one
  passwd-file per user (``args = .../users/%u``): a path with variables is
  its own cache entry, loaded fresh on the user's first lookup, so
  ``add_user`` takes effect at once with no reload (there is no auth cache
  by default). Changing an existing user's password may take a second.
  ``tests/test_mailservers.py`` checks this.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import grp
import logging
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

HOST = "127.0.0.1"
MAIL_UID = 5000
"""uid/gid of mail processes when run as root (mail processes may not run as uid 0)."""

INSTALL_HINT = "dovecot not installed: apt-get install dovecot-imapd"

# aiosmtpd 1.4.6 logs "Session.login_data is deprecated" on every AUTH (a log
# call, not a warning); it is noise in test output.
logging.getLogger("mail.log").setLevel(logging.ERROR)

_OPENSSL_REQ = (
    *("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost"),
    *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
    *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
)
"""A self-signed EC P-256 cert (fast to make), CA:TRUE, valid for both loopback names."""

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")
_NAME_OK = re.compile(r"^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*$")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def find_dovecot() -> str | None:
    """Return the path of the ``dovecot`` binary, or None when it is not installed."""
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def make_cert(directory: Path) -> tuple[Path, Path]:
    """Create a self-signed EC cert for 127.0.0.1 and localhost; return (cert, key).

    The cert is CA:TRUE, so it serves as its own CA file for clients.
    """
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "server.crt", directory / "server.key"
    command = [*_OPENSSL_REQ, "-keyout", str(key), "-out", str(cert)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl failed ({done.returncode}): {done.stderr.strip()}")
    return cert, key


def _check_name(kind: str, value: str) -> None:
    if not _NAME_OK.match(value):
        raise ValueError(f"{kind} {value!r} must match {_NAME_OK.pattern} (passwd-file safe)")


def _wait_for_greeting(port: int, deadline: float, alive: Callable[[], bool]) -> None:
    """Block until an IMAP ``* OK`` greeting is read on ``port``."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("process exited before greeting")
        try:
            with socket.create_connection((HOST, port), timeout=1.0) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return
        except OSError as exc:
            last = exc
        time.sleep(0.01)
    raise TimeoutError(f"no IMAP greeting on {HOST}:{port}: {last!r}")


@dataclass(frozen=True)
class _Identity:
    """Who Dovecot's processes run as: root uses the Debian system users, others themselves."""

    internal_user: str
    internal_group: str
    login_user: str
    mail_uid: int
    mail_gid: int
    chroot: bool

    @classmethod
    def current(cls) -> _Identity:
        if os.geteuid() == 0:
            return cls("dovecot", "dovecot", "dovenull", MAIL_UID, MAIL_UID, chroot=True)
        uid, gid = os.geteuid(), os.getegid()
        me, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
        # Without root there is no chown or chroot: run everything as ourselves.
        return cls(me, group, me, uid, gid, chroot=False)


class Dovecot:
    """A private Dovecot IMAP server on 127.0.0.1 with its own directory, config and users.

    It listens on a plaintext port (``port``) and an implicit-TLS port
    (``tls_port``) whose self-signed certificate is ``ca_file``. Mail is kept in
    ``maildir:~/Maildir:LAYOUT=fs`` with ``/`` as the separator and the
    SPECIAL-USE folders Sent, Trash, Drafts and Junk auto-subscribed.
    """

    def __init__(
        self,
        *,
        user: str = "alice",
        password: str = "secret",
        binary: str | None = None,
        startup_timeout: float = 10.0,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        """`oauth2_introspection_url` (loopback) turns on XOAUTH2 and OAUTHBEARER logins,
        whose tokens Dovecot checks by POSTing them there (RFC 7662 introspection)."""
        found = binary or find_dovecot()
        if found is None:
            raise FileNotFoundError(INSTALL_HINT)
        self.binary = found
        self.user = user
        self.password = password
        self.startup_timeout = startup_timeout
        self.oauth2_introspection_url = oauth2_introspection_url
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-", dir="/tmp"))
        self.root.chmod(0o755)
        self._short_base: Path | None = None
        self.port = 0
        self.tls_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._identity = _Identity.current()
        self._passwords: dict[str, str] = {}
        self._prepare()
        self.add_user(user, password)

    # -- paths -----------------------------------------------------------------

    @property
    def host(self) -> str:
        """The address the server listens on (always loopback)."""
        return HOST

    @property
    def config_path(self) -> Path:
        """The instance's dovecot.conf (pass it as ``-c`` to doveadm)."""
        return self.root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        """Dovecot's own log file."""
        return self.root / "dovecot.log"

    @property
    def ca_file(self) -> Path:
        """The self-signed server certificate, usable as a CA file by clients."""
        return self.root / "tls" / "server.crt"

    @property
    def users_dir(self) -> Path:
        """One passwd-file per user (``USER:{PLAIN}PASSWORD``), named after the user."""
        return self.root / "users"

    @property
    def base_dir(self) -> Path:
        """Where Dovecot puts its sockets; short because sun_path is at most 107 bytes."""
        return self._short_base or self.root / "run"

    @property
    def running(self) -> bool:
        """True while the master process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _prepare(self) -> None:
        for sub in ("run", "state", "mail", "users"):
            (self.root / sub).mkdir(mode=0o755)
        if len(str(self.root / "run")) > 60:
            self._short_base = Path(tempfile.mkdtemp(prefix="dc-", dir="/tmp"))
            self._short_base.chmod(0o755)
        if os.geteuid() == 0:
            os.chown(self.root / "mail", self._identity.mail_uid, self._identity.mail_gid)
        make_cert(self.root / "tls")

    def _write_config(self) -> None:
        ident, r = self._identity, self.root
        no_chroot = "" if ident.chroot else "  chroot =\n"
        specials = "".join(
            f"  mailbox {name} {{\n    special_use = \\{name}\n    auto = subscribe\n  }}\n"
            for name in ("Sent", "Trash", "Drafts", "Junk")
        )
        self.config_path.write_text(
            f"""# Private test instance; generated by tests/mailservers.py
protocols = imap
listen = {HOST}
base_dir = {self.base_dir}
state_dir = {r}/state
log_path = {self.log_path}
ssl = yes
ssl_cert = <{r}/tls/server.crt
ssl_key = <{r}/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login{" xoauth2 oauthbearer" if self.oauth2_introspection_url else ""}
# Tests fail logins on purpose. The 2 s failure delay and anvil's per-IP auth
# penalty (delaying every later login from 127.0.0.1 by up to 15 s) would
# slow every test after such a failure. login_trusted_networks did not lift
# the penalty here (2.3.19); closing anvil's penalty socket does (the documented
# way to disable it). A failed login still takes about 0.5 s.
auth_failure_delay = 0
service anvil {{
{no_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
default_internal_user = {ident.internal_user}
default_internal_group = {ident.internal_group}
default_login_user = {ident.login_user}
mail_location = maildir:~/Maildir:LAYOUT=fs
namespace inbox {{
  inbox = yes
  separator = /
{specials}}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users_dir}/%u
}}
{self._oauth2_passdb()}userdb {{
  driver = static
  args = uid={ident.mail_uid} gid={ident.mail_gid} home={r}/mail/%u
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.tls_port}
    ssl = yes
  }}
}}
"""
        )

    def _oauth2_passdb(self) -> str:
        if not self.oauth2_introspection_url:
            return ""
        conf = self.root / "oauth2.conf.ext"
        conf.write_text(
            "introspection_mode = post\n"
            f"introspection_url = {self.oauth2_introspection_url}\n"
            "username_attribute = username\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        conf.chmod(0o644)
        mechanisms = "xoauth2 oauthbearer"
        return f"passdb {{\n  driver = oauth2\n  mechanisms = {mechanisms}\n  args = {conf}\n}}\n"

    # -- users -----------------------------------------------------------------

    def add_user(self, name: str, password: str) -> None:
        """Add a new user; effective at once, also while the server runs."""
        _check_name("user name", name)
        _check_name("password", password)
        path = self.users_dir / name
        if path.exists():
            raise ValueError(f"user {name!r} exists already")
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(f"{name}:{{PLAIN}}{password}\n")
        tmp.chmod(0o644)
        tmp.rename(path)
        self._passwords[name] = password

    def password_of(self, user: str) -> str:
        """The password given to ``add_user`` for ``user``."""
        return self._passwords[user]

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> Self:
        """Start the server (new free ports the first time) and wait for its greeting."""
        if self.running:
            return self
        first = self.port == 0
        for attempt in range(3):
            if first:
                self.port, self.tls_port = free_port(), free_port()
            self._write_config()
            try:
                self._launch()
                return self
            except RuntimeError:
                in_use = "Address already in use" in self.log_tail()
                if not (first and in_use and attempt < 2):
                    raise
        raise AssertionError("unreachable")

    def _launch(self) -> None:
        stderr = (self.root / "stderr.log").open("ab")
        try:
            self._proc = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,
            )
        finally:
            stderr.close()
        proc = self._proc
        try:
            _wait_for_greeting(
                self.port, time.monotonic() + self.startup_timeout, lambda: proc.poll() is None
            )
        except (RuntimeError, TimeoutError) as exc:
            self._kill_group(proc)
            self._proc = None
            raise RuntimeError(f"dovecot did not start: {exc}\n{self.log_tail()}") from exc

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then SIGKILL the whole process group, always."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        self._kill_group(proc)

    def kill(self) -> None:
        """Crash the server: SIGKILL its whole process group (clients get EOF)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            self._kill_group(proc)

    def restart(self, *, crash: bool = False) -> Self:
        """Stop (or kill, when ``crash``) and start again on the same ports and data."""
        self.kill() if crash else self.stop()
        return self.start()

    def close(self) -> None:
        """Kill the server (its data is being thrown away) and remove its directories."""
        try:
            self.kill()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            if self._short_base is not None:
                shutil.rmtree(self._short_base, ignore_errors=True)

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the process group of ``proc`` and wait until its members are gone."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _group_alive(proc.pid):
            time.sleep(0.01)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of Dovecot's log and stderr, for error messages."""
        out = []
        for path in (self.root / "stderr.log", self.log_path):
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(out)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- client helpers --------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def client(
        self,
        user: str | None = None,
        password: str | None = None,
        *,
        tls: bool = False,
        timeout: float = 10.0,
    ) -> IMAPClient:
        """A logged-in IMAPClient (implicit TLS on ``tls_port`` when ``tls``); caller logs out.

        ``user`` defaults to the default user, ``password`` to the one it was added with.
        """
        user = user or self.user
        password = password or self.password_of(user)
        port = self.tls_port if tls else self.port
        ctx = self.ssl_context() if tls else None
        imap = IMAPClient(HOST, port=port, ssl=tls, ssl_context=ctx, timeout=timeout)
        try:
            imap.login(user, password)
        except BaseException:
            with contextlib.suppress(Exception):
                imap.shutdown()
            raise
        return imap

    def append(
        self,
        raw: bytes,
        folder: str = "INBOX",
        *,
        user: str | None = None,
        password: str | None = None,
        flags: Sequence[str | bytes] = (),
        msg_time: datetime | None = None,
    ) -> int:
        """APPEND ``raw`` to ``folder`` (created if missing) and return its UID."""
        imap = self.client(user, password)
        try:
            if folder != "INBOX" and not imap.folder_exists(folder):
                imap.create_folder(folder)
            answer = imap.append(folder, raw, flags=tuple(flags), msg_time=msg_time)
        finally:
            imap.logout()
        match = _APPENDUID.search(answer)
        if match is None:
            raise RuntimeError(f"no APPENDUID in {answer!r}")
        return int(match.group(2))

    def uidvalidity(
        self, folder: str = "INBOX", *, user: str | None = None, password: str | None = None
    ) -> int:
        """The UIDVALIDITY of ``folder``."""
        imap = self.client(user, password)
        try:
            status = imap.folder_status(folder, [b"UIDVALIDITY"])
        finally:
            imap.logout()
        return int(status[b"UIDVALIDITY"])


def _group_alive(pgid: int) -> bool:
    """True while a non-zombie process of group ``pgid`` exists."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@dataclass(frozen=True)
class ReceivedMail:
    """One envelope as the SMTP sink received it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    def message(self) -> email.message.EmailMessage:
        """The content parsed with the modern email policy."""
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


SmtpMode = Literal["plain", "starttls", "tls"]


class _SinkHandler:
    """aiosmtpd handler that records envelopes and can refuse the next few."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.received: list[ReceivedMail] = []
        self.refusals: list[str] = []
        self.oauth2: tuple[str, str] | None = None  # (user, token) XOAUTH2 accepts

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """XOAUTH2 as Gmail and Microsoft 365 take it: base64 of user=U^Aauth=Bearer T^A^A.

        A refused token is answered as Gmail does: a 334 challenge carrying the
        error as JSON, which the client answers with an empty line, then 535.
        """
        try:
            given = base64.b64decode(args[1], validate=True).decode()
        except (IndexError, ValueError):
            return AuthResult(success=False, handled=False)
        if self.oauth2 is not None:
            user, token = self.oauth2
            if given == f"user={user}\x01auth=Bearer {token}\x01\x01":
                return AuthResult(success=True)
        error = b'{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}'
        await server.challenge_auth(error)
        return AuthResult(success=False, handled=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.cond:
            if self.refusals:
                return self.refusals.pop(0)
            content = envelope.content
            if isinstance(content, str):  # only with decode_data=True, which we never set
                content = content.encode("utf-8", "surrogateescape")
            self.received.append(
                ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), content or b"")
            )
            self.cond.notify_all()
        return "250 2.0.0 OK: queued"


class _QuietAuthController(Controller):
    """A Controller whose SMTP does not warn about AUTH without TLS (implicit TLS is on)."""

    def factory(self) -> SMTP:
        # Runs in the server thread while start() blocks the caller, so the
        # process-wide filter change is brief and uncontended.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return SMTP(self.handler, **self.SMTP_kwargs)


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it accepts.

    ``mode`` is ``"plain"`` (no TLS, no AUTH), ``"starttls"`` (STARTTLS and AUTH
    both required) or ``"tls"`` (implicit TLS, AUTH required). TLS uses
    ``cert_file``/``key_file`` or a fresh self-signed cert (``ca_file``).
    The port stays the same across ``stop()``/``start()``.
    """

    def __init__(
        self,
        mode: SmtpMode = "plain",
        *,
        user: str = "sender",
        password: str = "secret",
        cert_file: Path | None = None,
        key_file: Path | None = None,
        port: int | None = None,
        oauth2_token: str | None = None,
    ) -> None:
        """With `oauth2_token`, AUTH XOAUTH2 as `user` with that token is accepted too."""
        self.mode: SmtpMode = mode
        self.user = user
        self.password = password
        self.port = port or free_port()
        self._handler = _SinkHandler()
        self._handler.oauth2 = (user, oauth2_token) if oauth2_token else None
        self._controller: Controller | None = None
        self._tmp: Path | None = None
        if mode != "plain" and cert_file is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="smtp-", dir="/tmp"))
            cert_file, key_file = make_cert(self._tmp)
        self.ca_file = cert_file
        self._key_file = key_file

    @property
    def host(self) -> str:
        """The address the server listens on (always loopback)."""
        return HOST

    @property
    def running(self) -> bool:
        """True while the server accepts connections."""
        return self._controller is not None

    @property
    def messages(self) -> list[ReceivedMail]:
        """A copy of the messages received so far, oldest first."""
        with self._handler.lock:
            return list(self._handler.received)

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this server's certificate."""
        if self.ca_file is None:
            raise ValueError("plain sink has no certificate")
        return ssl.create_default_context(cafile=str(self.ca_file))

    def _authenticate(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: object,
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            self.user.encode(),
            self.password.encode(),
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    def _make_controller(self) -> Controller:
        if self.mode == "plain":
            return Controller(self._handler, hostname=HOST, port=self.port)
        assert self.ca_file is not None and self._key_file is not None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.ca_file), str(self._key_file))
        common: dict[str, Any] = {  # the SMTP options both modes share
            "server_hostname": "localhost",
            "authenticator": self._authenticate,
            "auth_required": True,
        }
        if self.mode == "starttls":
            return Controller(
                self._handler, HOST, self.port, tls_context=ctx, require_starttls=True, **common
            )
        # aiosmtpd does not see implicit TLS, so it only offers AUTH with
        # auth_require_tls=False, for which it warns; the warning is expected here.
        return _QuietAuthController(
            self._handler, HOST, self.port, ssl_context=ctx, auth_require_tls=False, **common
        )

    def start(self) -> Self:
        """Start listening (again) on ``port``."""
        if self._controller is None:
            controller = self._make_controller()
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening; received messages are kept."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def close(self) -> None:
        """Stop and remove the generated certificate."""
        try:
            self.stop()
        finally:
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)

    def clear(self) -> None:
        """Forget received messages and pending refusals."""
        with self._handler.lock:
            self._handler.received.clear()
            self._handler.refusals.clear()

    def refuse_next(self, n: int = 1, reply: str = "451 4.3.0 Temporary failure (test)") -> None:
        """Answer the next ``n`` DATA commands with ``reply`` (a 4xx or 5xx line)."""
        if not re.match(r"^[45]\d\d ", reply):
            raise ValueError(f"reply must be a 4xx/5xx SMTP line: {reply!r}")
        with self._handler.lock:
            self._handler.refusals.extend([reply] * n)

    def wait_for(self, n: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        """Wait until at least ``n`` messages arrived; return them all or raise TimeoutError."""
        with self._handler.cond:
            if not self._handler.cond.wait_for(lambda: len(self._handler.received) >= n, timeout):
                got = len(self._handler.received)
                raise TimeoutError(f"SMTP sink got {got} of {n} messages in {timeout} s")
            return list(self._handler.received)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
