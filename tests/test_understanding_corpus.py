"""The labelled corpus, scored as a whole against the agreed thresholds.

Reads ../shared/corpus (or $INTAKE_SHARED_DIR/corpus) and scores every case
with the corpus's own comparison rules; skipped when the corpus is absent.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from intake.understanding import parse_email

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INTAKE_SHARED_DIR", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
ROBOTS = {"auto_reply", "bounce", "bulk"}

pytestmark = pytest.mark.skipif(
    not (CORPUS / "cases").is_dir(), reason=f"labelled corpus not found at {CORPUS}"
)


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored() -> dict[str, float]:
    """Overall accuracy, needs F1 and robot mistakes over every labelled case."""
    score = _scorer()
    correct = total = tp = fp = fn = 0
    robot_errors: list[str] = []
    for label_path in sorted((CORPUS / "cases").glob("*.json")):
        label = score.flatten(json.loads(label_path.read_text(encoding="utf-8")))
        raw = label_path.with_suffix(".eml").read_bytes()
        got = parse_email(raw).record.corpus_json()
        for field, expected in label.items():
            ok, t, p, n = score.compare(field, expected, score.lookup(got, field))
            correct += ok
            total += 1
            tp, fp, fn = tp + t, fp + p, fn + n
        if (label.get("kind") in ROBOTS or got["kind"] in ROBOTS) and label["kind"] != got["kind"]:
            robot_errors.append(label_path.stem)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"overall": correct / total, "needs_f1": f1, "robot_errors": robot_errors}


def test_corpus_robots_are_all_recognised(scored: dict) -> None:
    """Every auto-reply, bounce and bulk case gets its kind, and no person is taken for a robot."""
    assert scored["robot_errors"] == []


def test_corpus_overall_field_accuracy_meets_threshold(scored: dict) -> None:
    """Overall field accuracy on the labelled corpus is at least 0.95."""
    assert scored["overall"] >= 0.95, f"overall {scored['overall']:.3f}"


def test_corpus_needs_f1_meets_threshold(scored: dict) -> None:
    """Micro F1 of needs on the labelled corpus is at least 0.95."""
    assert scored["needs_f1"] >= 0.95, f"needs F1 {scored['needs_f1']:.3f}"
