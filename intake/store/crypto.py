"""Encryption at rest: AES-256-GCM for personal data, HMAC-SHA256 for look-ups.

The key never lives in the database or config.toml: it comes from an
environment variable (base64) or a key file readable only by its owner.
Every ciphertext is prefixed with a key id so a rotation can tell old from new.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from intake.errors import SecretError
from intake.files import private_dir

KEY_BYTES = 32
NONCE_BYTES = 12
_VERSION = b"\x01"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, origin: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SecretError(f"{origin}: not a base64 key") from None
    if len(key) != KEY_BYTES:
        raise SecretError(f"{origin}: a key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def write_key_file(path: Path, key: bytes) -> None:
    """Create a key file readable only by its owner; never overwrite one."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(encode_key(key) + "\n")


def read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SecretError(f"{path}: no encryption key (create one with `intake keygen`)") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(f"{path}: key file must be private to its owner (chmod 600)")
    return decode_key(path.read_text(encoding="ascii"), str(path))


def load_key(env_name: str, key_file: Path) -> bytes:
    """The key from $env_name when set, else from the key file."""
    value = os.environ.get(env_name, "") if env_name else ""
    if value:
        return decode_key(value, f"${env_name}")
    return read_key_file(key_file)


class Cipher:
    """Seals and opens personal data; derives keyed hashes for indexes."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"intake-index-v1", hashlib.sha256).digest()
        self.key_id = hashlib.sha256(b"intake-key-id" + key).digest()[:4]

    def seal(self, plain: bytes, context: bytes = b"") -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return _VERSION + self.key_id + nonce + self._aead.encrypt(nonce, plain, context)

    def open(self, sealed: bytes, context: bytes = b"") -> bytes:
        if sealed[:1] != _VERSION or sealed[1:5] != self.key_id:
            raise SecretError("data was sealed under another key")
        nonce = sealed[5 : 5 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[5 + NONCE_BYTES :], context)
        except InvalidTag:
            raise SecretError("stored data failed its integrity check") from None

    def seal_text(self, text: str, context: bytes = b"") -> bytes:
        return self.seal(text.encode("utf-8"), context)

    def open_text(self, sealed: bytes, context: bytes = b"") -> str:
        return self.open(sealed, context).decode("utf-8")

    def index(self, value: str) -> str:
        """A keyed hash for equality look-ups (threading, de-duplication) without plaintext."""
        norm = value.strip().lower().encode("utf-8")
        return hmac.new(self._mac_key, norm, hashlib.sha256).hexdigest()
