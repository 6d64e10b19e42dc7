"""Hand-written sample emails with the record a careful reader would make, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from intake.understanding import parse_email

SAMPLES = Path(__file__).resolve().parent / "samples" / "understanding"


def _flatten(label: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in label.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _cases() -> list[tuple[str, str, Any]]:
    cases: list[tuple[str, str, Any]] = []
    for label_path in sorted(SAMPLES.glob("*.json")):
        label = _flatten(json.loads(label_path.read_text(encoding="utf-8")))
        cases += [(label_path.stem, field, value) for field, value in label.items()]
    return cases


_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "revd"}


def _name(value: str) -> str:
    """A name compared the corpus way: case-folded, no punctuation, no titles."""
    words = "".join(c if c.isalnum() or c.isspace() else " " for c in value.casefold()).split()
    return " ".join(w for w in words if w not in _TITLES)


def _lookup(record: dict[str, Any], field: str) -> Any:
    value: Any = record
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


@pytest.mark.parametrize(("sample", "field", "expected"), _cases())
def test_golden_sample_field_matches_label(sample: str, field: str, expected: Any) -> None:
    """Each labelled field of each hand-written sample is extracted as labelled."""
    raw = (SAMPLES / f"{sample}.eml").read_bytes()
    got = _lookup(parse_email(raw).record.corpus_json(), field)
    if field == "needs":
        assert sorted(expected) == sorted(got)
    elif field.endswith("name") and isinstance(expected, str) and isinstance(got, str):
        assert _name(expected) == _name(got)
    else:
        assert expected == got
