"""Remembering: the encrypted SQLite store (an adapter at the edge)."""

from __future__ import annotations

from intake.config import Config
from intake.store.crypto import Cipher, load_key, new_key, write_key_file
from intake.store.db import Store


def open_store(cfg: Config, *, create_key: bool = False) -> Store:
    """Open the configured store; with create_key, make a key file on first use."""
    key_file = cfg.store.key_file
    if create_key and not key_file.exists():
        write_key_file(key_file, new_key())
    return Store(cfg.store.path, Cipher(load_key(cfg.store.key_env, key_file)))


__all__ = ["Cipher", "Store", "open_store"]
