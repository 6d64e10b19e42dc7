"""Risk-of-harm flags for the therapist's attention: a flag, never a diagnosis.

A flag is raised when the sender's new text or a forwarded part mentions
self-harm, suicide, abuse, neglect or immediate danger, unless the mention is
denied ("no safeguarding concerns", "no risk of self-harm", "not at risk").
"""

from __future__ import annotations

import re

from intake.understanding.cues import Cues, cues, fold, starting_with
from intake.understanding.vocabulary import is_negated

FLAG_PATTERNS: dict[str, re.Pattern[str]] = {
    "self_harm": starting_with(
        r"[cs]", re.compile(r"(?i)\bself[\s-]?harm\w*|\bcutting\s+(?:herself|himself|themselves)")
    ),
    "suicide": starting_with(
        r"[ekosw]",
        re.compile(
            r"(?i)\bsuicid\w*|\bkill\s+(?:herself|himself|themselves|myself)|\bend\s+(?:his|her|my|"
            r"their)\s+life\b|\boverdose\w*|\bwant(?:s|ed)?\s+to\s+die\b"
        ),
    ),
    "abuse": starting_with(
        r"[adegs]",
        re.compile(
            r"(?i)\babuse[ds]?\b|\babusive\b|\bdomestic\s+violence\b|\bsexual(?:ly)?\s+(?:assault|abus)\w*"
            r"|\bexploit\w*|\bgrooming\b"
        ),
    ),
    "neglect": starting_with(r"[n]", re.compile(r"(?i)\bneglect(?:ed|ful)?\b")),
    "immediate_danger": starting_with(
        r"[aiu]",
        re.compile(
            r"(?i)\bimmediate\s+(?:danger|risk)\b|\bat\s+(?:serious\s+|high\s+)?risk\s+of\s+harm\b"
            r"|\bunsafe\s+at\s+home\b|\bin\s+danger\b"
        ),
    ),
}
# Every match of a flag's pattern contains one of its cue words (see cues.py).
FLAG_CUES: dict[str, Cues] = {
    "self_harm": cues("harm cutting"),
    "suicide": cues("suicid kill life overdose die"),
    "abuse": cues("abus violence sexual exploit grooming"),
    "neglect": cues("neglect"),
    "immediate_danger": cues("immediate harm unsafe danger"),
}
_DENIAL = re.compile(
    r"(?i)\bno\s+(?:current\s+|known\s+|active\s+|other\s+)?(?:safeguarding|risk|concerns?|history)"
    r"|\bnot\s+(?:at\s+)?(?:any\s+)?(?:immediate\s+)?risk|\bno\s+(?:\w+\s+)?(?:issues|concerns)"
)


def find_flags(text: str) -> list[tuple[str, str]]:
    """(flag, snippet) for each kind of risk mentioned and not denied."""
    flags: list[tuple[str, str]] = []
    folded = fold(text)
    for flag, pattern in FLAG_PATTERNS.items():
        if not FLAG_CUES[flag].maybe_in(text, folded):
            continue
        for match in pattern.finditer(text):
            if is_negated(text, match.start(), match.end(), window_words=6):
                continue
            line_start = max(text.rfind("\n", 0, match.start()), text.rfind(". ", 0, match.start()))
            clause = text[line_start + 1 : match.start()]
            if _DENIAL.search(clause):
                continue
            end = text.find("\n", match.end())
            flags.append((flag, text[line_start + 1 : end if end > 0 else None].strip()[:200]))
            break
    return flags
