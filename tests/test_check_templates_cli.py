"""`intake check` renders every template, so a broken one fails there."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.cli import main
from intake.replying import compose


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[practice]\nemail = "hello@innerpulse.example"\n')
    return path


def test_check_renders_the_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On the embedded default there is no server to reach; the templates still render."""
    assert 0 == main(["--config", str(_config(tmp_path)), "check"])
    assert "ok   templates render:" in capsys.readouterr().out


def test_check_fails_on_a_broken_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template that does not render makes `intake check` exit 1 and name it."""
    broken = tmp_path / "templates"
    for source in compose.TEMPLATE_DIR.rglob("*.j2"):
        target = broken / source.relative_to(compose.TEMPLATE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text())
    (broken / "replies" / "enquiry.txt.j2").write_text("Hello {{ no_such_value }}\n")
    monkeypatch.setattr(compose, "TEMPLATE_DIR", broken)
    assert 1 == main(["--config", str(_config(tmp_path)), "check"])
    assert "FAIL templates render: template replies/enquiry" in capsys.readouterr().out
