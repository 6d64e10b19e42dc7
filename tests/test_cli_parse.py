"""`intake parse`: a record for every email, a one-line error for anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.cli import main

CORPUS_KEYS = {
    "kind",
    "referrer",
    "client",
    "needs",
    "setting",
    "session_format",
    "delivery",
    "consent",
}


def realmail_files(shared: Path) -> list[Path]:
    root = shared / "realmail"
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in ("LICENSES",) and p.parent != root
    )


def test_parse_prints_the_corpus_json(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every corpus case parses to a JSON object with exactly the corpus keys."""
    for eml in sorted((shared_dir / "corpus" / "cases").glob("*.eml")):
        assert 0 == main(["parse", str(eml), "--json"]), eml.name
        record = json.loads(capsys.readouterr().out)
        assert CORPUS_KEYS == set(record), eml.name


def test_parse_never_tracebacks_on_real_world_mail(
    shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every realmail message gives a record (exit 0) or a one-line error (exit 1)."""
    files = realmail_files(shared_dir)
    assert len(files) > 300
    for path in files:
        code = main(["parse", str(path), "--json"])
        out, err = capsys.readouterr()
        assert code in (0, 1), path
        if code == 0:
            assert CORPUS_KEYS == set(json.loads(out)), path
        else:
            assert 1 == len(err.strip().splitlines()), (path, err)


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02 not mail", b"%PDF-1.7\n%binary\n", b"just a line of text"]
)
def test_parse_rejects_non_email_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    """A file that is not an email exits 1 with a single line on stderr."""
    path = tmp_path / "x.eml"
    path.write_bytes(content)
    assert 1 == main(["parse", str(path), "--json"])
    err = capsys.readouterr().err
    assert 1 == len(err.strip().splitlines())
    assert err.startswith("intake parse:")


def test_parse_missing_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path that does not exist exits 1 and says so."""
    assert 1 == main(["parse", str(tmp_path / "absent.eml")])
    assert "cannot read" in capsys.readouterr().err


def test_parse_explain_shows_evidence(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--explain shows the fields with where they came from."""
    eml = shared_dir / "corpus" / "cases" / "001-gp-autism-primary-school.eml"
    assert 0 == main(["parse", str(eml), "--explain"])
    out = capsys.readouterr().out
    assert "kind" in out
    assert "referrer" in out
