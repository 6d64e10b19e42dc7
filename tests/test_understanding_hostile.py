"""Hostile bodies finish quickly, and the pure modules stay free of network and storage."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

from intake.understanding import parse_email

PACKAGE = Path(__file__).resolve().parents[1] / "intake"
FORBIDDEN = {"imaplib", "smtplib", "sqlite3", "socket", "imapclient", "apscheduler"}

HOSTILE_BODIES = {
    "spaces_without_newline": " " * 200_000 + "x",
    "one_long_line": "a" * 300_000,
    "capitals": "ABC DEF " * 40_000,
    "repeated_names_and_dates": "John Smith, 45, DOB 12/12/1980 " * 8_000,
    "label_lines": "Name: X\n" * 30_000,
    "phone_numbers": "0161 496 0000 " * 20_000,
    "quote_markers": ("> " * 50_000 + "\n") * 3,
    "wrote_lines": "On " * 50_000 + "wrote:",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_body_is_parsed_within_two_seconds(name: str) -> None:
    """A pathological body cannot make the regular expressions run away."""
    raw = (
        "From: A <a@example.com>\nTo: b@example.org\nSubject: Referral\n\n" + HOSTILE_BODIES[name]
    ).encode()
    started = time.monotonic()
    parse_email(raw)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize("folder", ["reading", "understanding"])
def test_pure_modules_import_no_network_or_storage(folder: str) -> None:
    """reading and understanding never import mail servers, sockets, schedulers or databases."""
    imported: set[str] = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert set() == imported & FORBIDDEN
