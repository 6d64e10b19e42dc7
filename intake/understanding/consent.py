"""Whether the email says the client (or whoever decides for them) agrees to the referral.

True for "has consented", "is happy for me to refer", "agrees", a form ticked
"Yes"; False for "not yet", "hasn't agreed", "declined", "not asked", a form
ticked "No"; None when the email does not say. Negations are checked first
so "has not yet consented" is never read as consent.
"""

from __future__ import annotations

import re

from intake.understanding.cues import Cues, cues, fold, starting_with

_NO = starting_with(
    r"[abcdhinrswy]",
    re.compile(
        r"(?i)\b(?:(?:has|have)\s*n[o']t\s+(?:yet\s+)?(?:been\s+)?(?:consented|agreed|given\s+(?:\w+\s+)?"
        r"consent|signed|asked|approached|discussed)|(?:did|does|do)\s*n[o'’]t\s+(?:agree|consent|want\s+"
        r"(?:to\s+(?:do\s+|have\s+|try\s+|be\s+referred)|music|this|the\s+referral|therapy|sessions))"
        r"|(?:have|has)\s*(?:n['’]t|\s+not)\s+(?:yet\s+)?(?:spoken|talked)\s+(?:to|with)"
        r"|not\s+(?:yet\s+)?(?:consented|agreed|asked|signed|discussed|given\s+consent|had\s+a\s+chance)"
        r"|declined|refused|(?:is|was|are)\s*n[o']t\s+(?:yet\s+)?(?:keen|sure|happy|willing|on\s+board)"
        r"|consent\s+(?:is\s+)?(?:still\s+)?(?:pending|outstanding|to\s+follow|not\s+(?:yet\s+)?"
        r"(?:given|obtained|sought|confirmed))|consent\s*(?:to\s+\w+\s*)?[:\-–]\s*(?:pending|awaited|"
        r"outstanding|tbc|not\s+yet|to\s+follow)|(?:yet|still)\s+to\s+(?:consent|agree|be\s+asked|sign|"
        r"discuss)|without\s+(?:\w+\s+)?(?:consent|knowledge)|no\s+consent|not\s+yet\s+been\s+"
        r"(?:asked|discussed)|before\s+(?:I|we)\s+(?:ask|speak\s+to|discuss))"
    ),
)
_YES = starting_with(
    r"['abcdghimstw]",
    re.compile(
        r"(?i)\b(?:(?:has|have|had)\s+(?:now\s+|all\s+|both\s+|already\s+)?(?:given\s+(?:\w+\s+){0,2}consent|consented|agreed|"
        r"signed(?:\s+the)?\s+consent)|(?:is|are|was|were)\s+(?:very\s+|really\s+|more\s+than\s+)?"
        r"(?:happy|keen|willing|agreeable|in\s+agreement|on\s+board|aware\s+(?:of\s+)?and\s+agree\w*)"
        r"(?:\s+(?:for|with|to|about))?|agrees?\s+(?:to|with)|gave\s+(?:\w+\s+)?consent"
        r"|consent\s+(?:has\s+been\s+|was\s+)?(?:given|obtained|confirmed|received|signed|in\s+place)"
        r"|\bconsented\b|\bin\s+agreement\b|\bgive\s+(?:my|our|his|her|their)\s+consent\b"
        r"|\bwho\s+(?:both\s+)?"
        r"agrees?\b|\b(?:has|have)\s+(?:\w+\s+){0,2}agreed\b|\b(?:she|he|they|mum|dad)(?:'s|’s|'re|’re|"
        r"\s+is|\s+are)\s+(?:\w+\s+)?(?:happy|keen)\s+(?:for|to|with)\b|\bare\s+(?:both|all)\s+(?:\w+\s+)?"
        r"(?:happy|keen)\b|\bagreed\s+(?:that|themselves|himself|herself)\b|\bwants?\s+to\s+(?:try|"
        r"do|have)\s+(?:music|this|it)\b|\bwould\s+like\s+to\s+(?:try|do)\s+music\b"
        r"|with\s+(?:\w+\s+){0,2}consent|(?:would|'d)\s+(?:really\s+)?(?:like|love)\s+to\s+(?:try|have|"
        r"give\s+it\s+a\s+go)|best[\s-]interests?\s+(?:decision|meeting)\b[^.]{0,80}\b(?:agreed|"
        r"supported|concluded)|(?:he|she|they)\s+(?:is|are)\s+(?:keen|happy|eager)|said\s+yes|"
        r"consent\s*(?:\([^)]*\))?\s*[:\-–]\s*(?:\[?\s*[xX✓✔]\s*\]?\s*)?yes\b|agreed\s+to\s+(?:this|the|"
        r"a|me|us|be|being))"
    ),
)
_YES_MORE = re.compile(
    r"\b(?i:he|she|they|I|we|parents?|mum|dad|family)\s+(?i:consents?\s+to)"
    r"|\b(?i:he|she|they)\s+(?i:would\s+(?:really\s+)?love\s+(?:to|this))\b"
    r"|\b(?:[Hh]e|[Ss]he|[Tt]hey|[A-Z][a-z]+)(?:'s|\s+has|\s+had)?\s+asked\s+(?i:for\s+this|me\s+to\s+"
    r"(?:refer|write|get\s+in\s+touch|contact|email|find)|us\s+to\s+(?:refer|write|contact))"
    r"|(?i:\b(?:signed|returned|completed)\s+(?:\w+\s+)?consent|\bgive\s+it\s+a\s+(?:go|try)\b"
    r"|\b(?:happy|willing|keen)\s+to\s+(?:try|give)\b|\bsaid\s+[\"“']?[^\"”'.]{0,20}\byes\b"
    r"|\bon\s+board\b|\b(?:is|are)\s+(?:\w+\s+){0,2}and\s+(?:very\s+)?(?:happy|keen)\s+(?:for|to|with)\b"
    r"|\band\s+(?:has|had|have)\s+asked\s+(?:me|us)\s+to\s+(?:refer|contact|get\s+in\s+touch|write|"
    r"email)|\bis\s+in\s+(?:his|her|their|[\w'’]+)\s+best\s+interests?\b"
    r"|\bbest[\s-]interests?\s+decision\s+(?:has\s+been\s+|was\s+)?(?:made|taken|recorded|reached))"
)
_NO_MORE = starting_with(
    r"[acdfghimnpstw]",
    re.compile(
        r"(?i)\bnot\s+(?:yet\s+)?(?:spoken|talked)\s+(?:to|with)\b"
        r"|\b(?:does|do)\s*(?:n['’o]t|\s+not)\s+(?:yet\s+)?know\s+(?:I|we|that\s+I|that\s+we)\b"
        r"|\b(?:is|are)\s*(?:n['’]t|\s+not)\s+(?:yet\s+)?aware\s+(?:of\s+)?(?:this|the\s+referral|that\s+I)"
        r"|\b(?:mum|dad|parents?|family|carers?|he|she|they|guardian)\s+(?:is|are|was|were|seems?|"
        r"remains?)\s+(?:still\s+|a\s+bit\s+|a\s+little\s+|rather\s+|quite\s+)?(?:unsure|reluctant|"
        r"hesitant|undecided|ambivalent)\b(?!\s+to\b)"
        r"|\b(?:I|we)(?:'ll|’ll|\s+will)\s+(?:seek|get|obtain|ask\s+for)\s+(?:\w+\s+)?consent\b"
        r"|\b(?:I|we)(?:'ll|’ll|\s+will)\s+(?:discuss|speak|talk)\s+(?:(?:this|it)\s+)?(?:with|to)\s+"
        r"(?:\w+\s+){0,2}(?:parents?|mum|dad|family|carers?)\b"
    ),
)
_YES_EXTRA = re.compile(
    r"(?i)\b(?:he|she|they|mum|mam|dad|parents?|guardians?)\s+(?:is|are|was|were)\s+(?:\w+\s+){0,2}"
    r"(?:supportive\b(?!\s+(?:staff|team|school))|in\s+favour\b)"
    r"|\b(?:she|he|they|mum|dad|parents)\s+(?:readily\s+|happily\s+|both\s+|all\s+)?"
    r"agreed\b|\bconsent\s*[:\-–]\s*(?:obtained|given|confirmed|in\s+place|signed|received|"
    r"verbal|written)\b|\b(?:have|has|had|gave|given)\s+(?:\w+\s+){0,2}permission\b"
    r"|\bpermission\s+(?:from|of)\s+(?:his|her|their|the)\b"
)
_FORM_NO = re.compile(
    r"(?i)consent[^\n]{0,60}[:\-–?]\s*(?:\[?\s*[xX✓✔]\s*\]?\s*)?no\b|consent[^\n]{0,60}\byes\s*"
    r"\[\s*\]\s*no\s*\[\s*[xX✓✔]\s*\]"
)
_FORM_YES = re.compile(
    r"(?i)consent[^\n]{0,60}[:\-–?]\s*(?:\[?\s*[xX✓✔]\s*\]?\s*)?yes\b|consent[^\n]{0,60}\byes\s*"
    r"\[\s*[xX✓✔]\s*\]"
)


_FORM_QUESTION = re.compile(
    r"(?im)^[^\n]{0,120}\b(?:consent\w*|agreed?|permission)\b(?:[^\n]{0,80}[?:]\s*\n?\s*"
    r"|(?:(?!yes\b|no\b)[^\n\[\]]){0,40}?(?:[ ]{2,}|\t)\s*)"
    r"(?:\[?\s*[xX✓✔☑]?\s*\]?\s*)(?P<answer>yes|no|y|n)\b"
)


# Every match of these patterns contains one of the cue words (see cues.py);
# _YES and _YES_MORE have too many everyday words ("like", "happy") to cue.
_FORM_CUES = cues("consent agree permission")
_NO_CUES = cues(
    "consent agree sign ask approached discuss want spoken talked chance declined refused keen "
    "sure happy willing board without before"
)
_NO_MORE_CUES = cues(
    "spoken talk know aware unsure reluctant hesitant undecided ambivalent consent discuss speak"
)
_YES_EXTRA_CUES = cues("supportive favour agreed consent permission")


def _cued(pattern: re.Pattern[str], found: Cues, text: str, folded: str) -> re.Match[str] | None:
    """pattern.search(text), skipped when none of its cue words is in the text."""
    return pattern.search(text) if found.maybe_in(text, folded) else None


def find_consent(text: str) -> tuple[bool, str] | None:
    """(consent, snippet) when the text says; a refusal anywhere outranks agreement."""
    folded = fold(text)
    form = _cued(_FORM_QUESTION, _FORM_CUES, text, folded)
    if form:
        return form.group("answer").lower().startswith("y"), form.group(0).strip()[:200]
    no = (
        _cued(_NO, _NO_CUES, text, folded)
        or _cued(_FORM_NO, _FORM_CUES, text, folded)
        or _cued(_NO_MORE, _NO_MORE_CUES, text, folded)
    )
    yes = (
        _YES.search(text)
        or _YES_MORE.search(text)
        or _cued(_FORM_YES, _FORM_CUES, text, folded)
        or _cued(_YES_EXTRA, _YES_EXTRA_CUES, text, folded)
    )
    if no and (not yes or no.start() > yes.start() or not _later_yes(text, no.end())):
        return False, _snippet(text, no)
    if yes:
        return True, _snippet(text, yes)
    return None


def _later_yes(text: str, after: int) -> bool:
    """A consent given after an earlier refusal (e.g. "hadn't agreed ... has now agreed")."""
    return bool(
        re.search(r"(?i)\bnow\s+(?:\w+\s+)?(?:agreed|consented|signed|given)", text[after:])
    )


def _snippet(text: str, match: re.Match[str]) -> str:
    start = max(text.rfind("\n", 0, match.start()), text.rfind(". ", 0, match.start())) + 1
    end_candidates = [
        i for i in (text.find("\n", match.end()), text.find(". ", match.end())) if i >= 0
    ]
    end = min(end_candidates) if end_candidates else len(text)
    return text[start : end + 1].strip()[:200]
