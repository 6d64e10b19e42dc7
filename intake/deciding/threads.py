"""Which referral an incoming message answers, if any (pure).

A message joins a referral's thread only on evidence we control: its
In-Reply-To or References name a Message-ID we sent for that referral, or its
subject carries our [IP-<reference>] token AND the sender is that referral's
referrer. Subject words alone never join a thread.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from intake.models import Envelope

_TOKEN = re.compile(r"\[(IP-\d{4,})\]", re.IGNORECASE)


class ThreadLookups(Protocol):
    """What thread matching needs to ask the store."""

    def referral_for_reply(self, rfc_message_id: str) -> int | None: ...

    def referral_id_for(self, reference: str) -> int | None: ...

    def is_referrer(self, referral_id: int, address: str) -> bool: ...


class ThreadMatch(BaseModel):
    """The referral a message joins, and the evidence it joined on."""

    model_config = ConfigDict(frozen=True)

    referral_id: int
    how: Literal["headers", "token"]


def reference_tokens(subject: str) -> tuple[str, ...]:
    """The [IP-nnnn] tokens in a subject, upper-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _TOKEN.finditer(subject or ""):
        seen.setdefault(match.group(1).upper(), None)
    return tuple(seen)


def _by_headers(envelope: Envelope, lookups: ThreadLookups) -> int | None:
    """The newest of our Message-IDs named in In-Reply-To, then References (last first)."""
    candidates = [envelope.in_reply_to, *reversed(envelope.references)]
    for rfc_id in candidates:
        if rfc_id:
            found = lookups.referral_for_reply(rfc_id.strip())
            if found is not None:
                return found
    return None


def _by_token(envelope: Envelope, lookups: ThreadLookups) -> int | None:
    senders = {a.lower() for a in (envelope.from_addr, envelope.reply_to) if a}
    for reference in reference_tokens(envelope.subject):
        ref_id = lookups.referral_id_for(reference)
        if ref_id is not None and any(lookups.is_referrer(ref_id, s) for s in senders):
            return ref_id
    return None


def match_thread(envelope: Envelope, lookups: ThreadLookups) -> ThreadMatch | None:
    """The referral this message answers, or None when it starts a thread of its own."""
    by_headers = _by_headers(envelope, lookups)
    if by_headers is not None:
        return ThreadMatch(referral_id=by_headers, how="headers")
    by_token = _by_token(envelope, lookups)
    if by_token is not None:
        return ThreadMatch(referral_id=by_token, how="token")
    return None
