"""The configuration contract: validated, strict, with errors that name the key."""

from pathlib import Path

import pytest

from intake.config import load_config, parse_config
from intake.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_shipped_config_is_the_embedded_default() -> None:
    """config.toml as shipped reads mail from a Maildir and writes to one."""
    cfg = load_config(REPO / "config.toml")
    assert ("maildir", "maildir") == (cfg.mailbox.kind, cfg.smtp.kind)
    assert REPO / "var" / "intake.db" == cfg.store.path


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    """A relative path in the file is anchored at the file's folder, not the cwd."""
    path = tmp_path / "conf" / "intake.toml"
    path.parent.mkdir()
    path.write_text('[store]\npath = "data/x.db"\n')
    assert path.parent / "data" / "x.db" == load_config(path).store.path


def test_unknown_key_is_an_error_naming_it() -> None:
    """A typo in a key is refused with the section and key in the message."""
    with pytest.raises(ConfigError, match=r"practice\.emial"):
        parse_config('[practice]\nemial = "x@y.org"\n', Path("c.toml"))


def test_plaintext_imap_is_refused_for_remote_hosts() -> None:
    """security = 'none' is only allowed on loopback."""
    text = '[mailbox]\nkind = "imap"\nhost = "imap.example.org"\nsecurity = "none"\n'
    with pytest.raises(ConfigError, match="only loopback"):
        parse_config(text, Path("c.toml"))


def test_plaintext_imap_is_allowed_on_loopback() -> None:
    """A test server on 127.0.0.1 may run without TLS."""
    text = '[mailbox]\nkind = "imap"\nhost = "127.0.0.1"\nsecurity = "none"\n'
    assert "none" == parse_config(text, Path("c.toml")).mailbox.security


def test_bad_digest_time_and_zone_are_reported() -> None:
    """digest_at must be HH:MM and timezone a real IANA zone."""
    with pytest.raises(ConfigError) as err:
        parse_config('[schedule]\ndigest_at = "8am"\ntimezone = "Mars/Base"\n', Path("c.toml"))
    assert "schedule.digest_at" in str(err.value)
    assert "schedule.timezone" in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A missing config file says which path was tried."""
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml_is_a_clear_error(tmp_path: Path) -> None:
    """Broken TOML is reported with the file name."""
    path = tmp_path / "c.toml"
    path.write_text("[practice\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
