"""Exceptions, sorted by who must act on them.

- ConfigError: the person running the service must fix config.toml (exit 2).
- TransientError: the network or a server hiccupped; retry with backoff.
- MessageError: this one message cannot be handled; quarantine it, go on.
Anything else is a bug and is logged with its traceback once.
"""


class IntakeError(Exception):
    """Base class for every error the service raises on purpose."""


class ConfigError(IntakeError):
    """Raised when config.toml (or the environment it names) is invalid."""


class SecretError(ConfigError):
    """Raised when a password, token or key cannot be obtained."""


class TransientError(IntakeError):
    """Raised for failures that may pass: connection lost, server restarting."""


class MessageError(IntakeError):
    """Raised when one message cannot be read or processed; it is quarantined."""


class UnreadableMessage(MessageError):
    """Raised when bytes are not an email message at all."""


class LimitExceeded(MessageError):
    """Raised when a message breaks a limit a sender controls (size, depth, parts, time)."""
