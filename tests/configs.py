"""config.toml for tests and benchmarks, rendered in one place so every value is escaped alike.

Sections and keys are those of intake/config.py. A caller names the servers it
reads from and sends to, and only the settings in which it differs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the benchmark's reading workers import this; they need no servers
    from tests.mailservers import SmtpSink

TomlValue = str | int | float | bool | Path
Settings = Mapping[str, TomlValue]

PRACTICE_EMAIL = "hello@innerpulse.example"

# TOML basic strings may hold any character but these, which must be escaped.
_MUST_ESCAPE = re.compile(r'["\\\x00-\x08\x0a-\x1f\x7f]')


class ImapServer(Protocol):
    """A Dovecot, or one test user on it: where [mailbox] reads, and as whom."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def user(self) -> str: ...


def write_config(
    root: Path,
    imap: ImapServer | None = None,
    smtp: SmtpSink | None = None,
    /,
    *,
    extra: str = "",
    **sections: Settings,
) -> Path:
    """Write root/config.toml: plain loopback IMAP and SMTP to the given servers, the rest
    Maildir; `sections` override or add settings key by key, `extra` is TOML appended as is.

    The servers are positional-only, so `mailbox=` and `smtp=` are free to name sections."""
    settings: dict[str, dict[str, TomlValue]] = {"practice": {"email": PRACTICE_EMAIL}}
    if imap is not None:
        settings["mailbox"] = {**_plain_loopback("imap", imap), "username": imap.user}
    if smtp is not None:
        settings["smtp"] = _plain_loopback("smtp", smtp)
    for name, overrides in sections.items():
        settings[name] = {**settings.get(name, {}), **overrides}
    path = root / "config.toml"
    path.write_text("".join(_toml_section(n, s) for n, s in settings.items()) + extra, "utf-8")
    return path


def _plain_loopback(kind: str, server: ImapServer | SmtpSink) -> dict[str, TomlValue]:
    """Unencrypted, which intake/config.py allows only on loopback, where the test servers are."""
    return {"kind": kind, "host": server.host, "port": server.port, "security": "none"}


def _toml_section(name: str, settings: Settings) -> str:
    """One [name] table, a key a line."""
    return f"[{name}]\n" + "".join(f"{key} = {_toml_value(v)}\n" for key, v in settings.items())


def _toml_value(value: TomlValue) -> str:
    """A TOML literal: bool before int, since bool is an int to Python."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + _MUST_ESCAPE.sub(_escape, str(value)) + '"'


def _escape(match: re.Match[str]) -> str:
    """A quote or backslash behind a backslash; a control character as \\uXXXX."""
    char = match.group()
    return "\\" + char if char in '"\\' else f"\\u{ord(char):04x}"
