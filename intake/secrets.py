"""Secrets from the environment or a command, never from a file we read.

Values are wrapped in SecretStr so they never appear in a repr, a log line
or a traceback's locals.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from pydantic import SecretStr

from intake.config import Secrets
from intake.errors import SecretError


def _run(command: str, what: str) -> str:
    try:
        done = subprocess.run(
            shlex.split(command),
            capture_output=True,
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SecretError(f"{what}: the command could not run ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise SecretError(f"{what}: the command exited with status {done.returncode}")
    value = done.stdout.decode("utf-8", "replace").strip()
    if not value:
        raise SecretError(f"{what}: the command printed nothing")
    return value


def password(section: Secrets, what: str) -> SecretStr:
    """The password named by password_env or produced by password_command."""
    if section.password_command:
        return SecretStr(_run(section.password_command, f"{what}.password_command"))
    if section.password_env:
        value = os.environ.get(section.password_env, "")
        if not value:
            raise SecretError(f"{what}.password_env: ${section.password_env} is not set")
        return SecretStr(value)
    raise SecretError(f"{what}: set password_env, password_command or oauth2_token_command")


def oauth2_token(section: Secrets, what: str) -> SecretStr | None:
    """An OAuth2 access token for XOAUTH2, when oauth2_token_command is set."""
    if not section.oauth2_token_command:
        return None
    return SecretStr(_run(section.oauth2_token_command, f"{what}.oauth2_token_command"))
