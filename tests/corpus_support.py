"""Finding the shared corpus and the personal data its labels name."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import pytest

ROOT = Path(__file__).resolve().parents[1]
HEALTH_TERMS = ("autism", "autistic", "dementia", "palliative", "bereavement", "cerebral palsy")
TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "baby", "master", "sister"}


def shared_dir() -> Path:
    """../shared beside the repository, or $INTAKE_SHARED_DIR; skip the test when absent."""
    env = os.environ.get("INTAKE_SHARED_DIR")
    candidates = [Path(env)] if env else []
    candidates += [ROOT.parent / "shared", ROOT.parents[1] / "shared"]
    for path in candidates:
        if (path / "corpus" / "cases").is_dir():
            return path
    pytest.skip("the shared corpus is not here (set INTAKE_SHARED_DIR to ../shared)")


def corpus_cases() -> list[Path]:
    return sorted((shared_dir() / "corpus" / "cases").glob("*.eml"))


def realmail_files() -> list[Path]:
    """Every file under a source folder of realmail/ (each one is a message)."""
    root = shared_dir() / "realmail"
    if not root.is_dir():
        return []
    return sorted(
        p for src in root.iterdir() if src.is_dir() for p in src.rglob("*") if p.is_file()
    )


def _phone_forms(e164: str) -> Iterator[str]:
    yield e164
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    yield national
    yield national.replace(" ", "")


def _name_forms(name: str) -> Iterator[str]:
    yield name
    words = [w for w in name.replace(".", " ").split() if w.lower() not in TITLES]
    if len(words) > 1 and len(words[-1]) >= 4:
        yield words[-1]


def personal_data(case: Path) -> set[str]:
    """Names (full, surname), email addresses and phone numbers a case's label names."""
    label = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    found: set[str] = set()
    for person in (label.get("referrer") or {}, label.get("client") or {}):
        if person.get("name"):
            found.update(_name_forms(person["name"]))
        if person.get("email"):
            found.add(person["email"])
        if person.get("phone"):
            found.update(_phone_forms(person["phone"]))
    return found


def corpus_personal_data(cases: list[Path]) -> set[str]:
    found: set[str] = set()
    for case in cases:
        found |= personal_data(case)
    return found
