"""Configuration: one validated, frozen object loaded once from config.toml.

The file is `--config PATH`, else `$INTAKE_CONFIG`, else `./config.toml`.
Relative paths inside it are relative to the file. Secrets never live in the
file: it names an environment variable or a command that yields them.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from intake.errors import ConfigError

Security = Literal["tls", "starttls", "none"]


_PLAINTEXT_REFUSED = "security = 'none' is refused for {host!r}: only loopback may go unencrypted"


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1: the only hosts `security = "none"` may use."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _email_address(value: str) -> str:
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueError(f"not an email address: {value!r}")
    return value.lower()


EmailAddress = Annotated[str, AfterValidator(_email_address)]


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Practice(Section):
    """Facts about the practice that replies and the digest quote."""

    name: str = "Inner Pulse Music Therapy"
    therapist: str = "Jacqueline"
    therapist_full_name: str = "Jacqueline"
    email: EmailAddress = "hello@innerpulse.example"
    phone: str = ""
    website: str = ""
    hcpc_registration: str = ""
    dbs_and_safeguarding: str = "enhanced DBS check and up-to-date safeguarding training"
    individual_minutes: str = "30-40"
    group_minutes: str = "40-50"
    assessment_sessions: int = 3
    delivery: str = "in person or online"
    settings_served: tuple[str, ...] = (
        "care homes",
        "schools",
        "hospices",
        "hospitals",
        "neuro-rehabilitation centres",
        "at home",
        "online",
    )
    contact_within_working_days: int = 2
    area: str = ""


class Secrets(Section):
    """Where a password comes from: an environment variable or a command's output."""

    password_env: str = ""
    password_command: str = ""
    oauth2_token_command: str = ""


class Mailbox(Secrets):
    kind: Literal["imap", "maildir"] = "maildir"
    path: Path = Path("var/inbox")
    host: str = ""
    port: int = Field(993, ge=1, le=65535)
    security: Security = "tls"
    username: str = ""
    folder: str = "INBOX"
    ca_file: Path | None = None
    timeout_seconds: float = Field(60.0, gt=0)
    batch_size: int = Field(100, ge=1, le=5000)
    max_message_mb: float = Field(25.0, gt=0)
    first_run_days: int = Field(2, ge=0)
    after_processing: Literal["none", "flag", "move"] = "flag"
    processed_flag: str = "$Intake"
    processed_folder: str = "Intake/Processed"
    use_idle: bool = True
    drafts_folder: str = ""
    sent_folder: str = ""

    @model_validator(mode="after")
    def _imap_needs_host(self) -> Mailbox:
        if self.kind == "imap":
            if not self.host:
                raise ValueError("kind = 'imap' needs host")
            if self.security == "none" and not is_loopback(self.host):
                raise ValueError(_PLAINTEXT_REFUSED.format(host=self.host))
        return self


class Smtp(Secrets):
    kind: Literal["smtp", "maildir"] = "maildir"
    path: Path = Path("var/outbox")
    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    security: Security = "starttls"
    username: str = ""
    ca_file: Path | None = None
    timeout_seconds: float = Field(60.0, gt=0)
    save_to_sent: bool = True

    @model_validator(mode="after")
    def _smtp_needs_host(self) -> Smtp:
        if self.kind == "smtp":
            if not self.host:
                raise ValueError("kind = 'smtp' needs host")
            if self.security == "none" and not is_loopback(self.host):
                raise ValueError(_PLAINTEXT_REFUSED.format(host=self.host))
        return self


class Store(Section):
    path: Path = Path("var/intake.db")
    key_file: Path = Path("var/intake.key")
    key_env: str = "INTAKE_KEY"


class Schedule(Section):
    poll_minutes: float = Field(5, gt=0)
    digest_at: time = time(8, 0)
    timezone: Annotated[str, AfterValidator(_known_zone)] = "Europe/London"

    @field_validator("digest_at", mode="before")
    @classmethod
    def _parse_hhmm(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                hours, minutes = value.split(":")
                return time(int(hours), int(minutes))
            except ValueError as exc:
                raise ValueError(f"expected HH:MM, got {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Digest(Section):
    to: EmailAddress = "therapist@innerpulse.example"
    skip_quiet_days: bool = False


class Reply(Section):
    mode: Literal["auto", "draft", "off"] = "auto"
    cooldown_hours: float = Field(24, ge=0)
    max_per_hour: int = Field(60, ge=1)


class Extraction(Section):
    required: tuple[
        Literal["client_name", "client_age", "reason", "consent", "referrer_phone", "setting"],
        ...,
    ] = ("client_name", "client_age", "reason", "consent")
    # A message that takes longer to read is quarantined (see intake/worker/timebox.py).
    seconds_per_message: float = Field(10.0, ge=0)
    # Processes that read a backlog in parallel (intake/worker/understanding_pool.py):
    # 0 is one per CPU core, 1 reads everything in the service's own process.
    workers: int = Field(0, ge=0, le=64)


class FollowUps(Section):
    region: Literal["england", "wales", "scotland", "northern_ireland"] = "england"
    contact_due_working_days: int = Field(2, ge=0)
    reminder_after_working_days: int = Field(5, ge=1)
    chase_after_working_days: int = Field(3, ge=1)


class Retention(Section):
    raw_message_days: int = Field(30, ge=1)
    non_referral_days: int = Field(90, ge=1)
    closed_referral_years: int = Field(8, ge=1)
    # a child's closed record is kept at least until this birthday; 0 = no exception
    children_until_age: int = Field(25, ge=0, le=120)


class Config(Section):
    practice: Practice = Practice()
    mailbox: Mailbox = Mailbox()
    smtp: Smtp = Smtp()
    store: Store = Store()
    schedule: Schedule = Schedule()
    digest: Digest = Digest()
    reply: Reply = Reply()
    extraction: Extraction = Extraction()
    followups: FollowUps = FollowUps()
    retention: Retention = Retention()
    source: Path | None = Field(None, exclude=True)


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """`--config`, else $INTAKE_CONFIG, else ./config.toml."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("INTAKE_CONFIG") or "config.toml")


def _describe(exc: ValidationError, path: Path) -> str:
    lines = [f"{path}: invalid configuration"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        given = err.get("input")
        shown = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"  {key}: {err['msg']}{shown}")
    return "\n".join(lines)


def _anchor(cfg: Config, base: Path) -> Config:
    """Make relative paths relative to the config file's folder."""

    def fix(p: Path | None) -> Path | None:
        return p if p is None or p.is_absolute() else base / p

    return cfg.model_copy(
        update={
            "mailbox": cfg.mailbox.model_copy(
                update={"path": fix(cfg.mailbox.path), "ca_file": fix(cfg.mailbox.ca_file)}
            ),
            "smtp": cfg.smtp.model_copy(
                update={"path": fix(cfg.smtp.path), "ca_file": fix(cfg.smtp.ca_file)}
            ),
            "store": cfg.store.model_copy(
                update={"path": fix(cfg.store.path), "key_file": fix(cfg.store.key_file)}
            ),
        }
    )


def parse_config(text: str, path: Path) -> Config:
    """Validate TOML text; raise ConfigError naming the file, key and problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    return _anchor(cfg, path.resolve().parent).model_copy(update={"source": path.resolve()})


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate the configuration file; raise ConfigError on any problem."""
    path = config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_config(text, path)
