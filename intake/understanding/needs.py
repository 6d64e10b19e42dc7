"""Needs named in the email, mapped to the corpus vocabulary and checked for negation.

New text, attachments and forwarded parts are read first; quoted history
only when they name nothing. "Memory problems" counts as dementia only when
no neurological cause is named; neonatal needs a baby; adults with PMLD are
recorded as learning disability.
"""

from __future__ import annotations

import re

from intake.models import (
    Need,
    Source,
)
from intake.understanding.cues import fold
from intake.understanding.layers import (
    Reading,
    around,
)
from intake.understanding.vocabulary import NEED_CUES, NEED_PATTERNS, WEAK_DEMENTIA, is_negated


def find_needs(reading: Reading, client_age: int | None) -> tuple[Need, ...]:
    """Needs named in new text, attachments and forwards; quoted history only as a fallback."""
    primary = (Source.new_text, Source.attachment, Source.forwarded)
    needs = _needs_in(reading, primary)
    if not needs:
        needs = _needs_in(reading, (Source.quoted,))
    subject_needs = needs_in_text(reading.view.envelope.subject)
    needs.update({n: (Source.subject, s) for n, s in subject_needs.items() if n not in needs})
    if Need.dementia not in needs and Need.neurodisability not in needs:
        weak = _weak_dementia(reading)
        if weak and (client_age is None or client_age >= 50):
            needs[Need.dementia] = weak
    if Need.neonatal in needs and client_age is not None and client_age >= 1:
        del needs[Need.neonatal]
    if Need.pmld in needs and client_age is not None and client_age >= 18:
        del needs[Need.pmld]
        needs.setdefault(Need.learning_disability, (Source.derived, "adult with PMLD"))
    for need, (source, snippet) in needs.items():
        reading.note(f"needs.{need.value}", source, snippet)
    return tuple(sorted(needs, key=lambda n: n.value))


def _weak_dementia(reading: Reading) -> tuple[Source, str] | None:
    """'memory problems' read as dementia only when nothing neurological explains them."""
    for layer in reading.layers:
        if layer.source == Source.quoted:
            continue
        for match in WEAK_DEMENTIA.finditer(layer.text):
            if not is_negated(layer.text, match.start(), match.end()):
                return layer.source, around(layer.text, match.start(), match.end())
    return None


def _needs_in(reading: Reading, sources: tuple[Source, ...]) -> dict[Need, tuple[Source, str]]:
    found: dict[Need, tuple[Source, str]] = {}
    for layer in reading.layers:
        if layer.source not in sources:
            continue
        for need, snippet in needs_in_text(layer.text).items():
            found.setdefault(need, (layer.source, snippet))
    return found


_PMLD_CONTEXT = re.compile(r"(?i)profound\s+(?:and|&)\s+multiple\s+$|profound\s+$")


def needs_in_text(text: str) -> dict[Need, str]:
    """Each need named (and not denied) in text, with the words around its first mention."""
    found: dict[Need, str] = {}
    folded = fold(text)
    for need, patterns in NEED_PATTERNS.items():
        if not NEED_CUES[need].maybe_in(text, folded):
            continue
        for pattern in patterns:
            for match in pattern.finditer(text):
                if is_negated(text, match.start(), match.end()):
                    continue
                if need == Need.learning_disability and _PMLD_CONTEXT.search(
                    text[max(0, match.start() - 30) : match.start()]
                ):
                    continue
                found[need] = around(text, match.start(), match.end())
                break
            if need in found:
                break
    return found
