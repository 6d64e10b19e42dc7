"""Merging what a follow-up message adds into the recorded referral (pure).

A value fills a field that was empty. A value that contradicts what is
recorded is never written over it: the recorded value stays, and both are
returned as a Conflict for the therapist to settle. Lists (needs, risk flags,
evidence) are joined; free text (reason, availability, access notes) is
appended, since more words add to rather than contradict the earlier ones.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from intake.models import Client, Kind, Record, Referrer, SessionFormat

# Scalar fields compared value by value: (section, attribute, shown name).
_SCALARS: tuple[tuple[str, str, str], ...] = (
    ("referrer", "name", "referrer_name"),
    ("referrer", "phone", "referrer_phone"),
    ("referrer", "role", "referrer_role"),
    ("referrer", "organisation", "referrer_organisation"),
    ("client", "name", "client_name"),
    ("client", "age", "client_age"),
    ("client", "date_of_birth", "client_date_of_birth"),
    ("record", "setting", "setting"),
    ("record", "session_format", "session_format"),
    ("record", "delivery", "delivery"),
    ("record", "consent", "consent"),
)
_TEXTS: tuple[str, ...] = ("reason", "availability", "access_notes")
_GROUP_EXEMPT = frozenset({"client_name", "client_age"})


class Conflict(BaseModel):
    """A field where the new message says something other than the record."""

    model_config = ConfigDict(frozen=True)

    field: str
    recorded: str
    received: str


class Merged(BaseModel):
    """The merged record, the fields newly filled, and the conflicts kept aside."""

    model_config = ConfigDict(frozen=True)

    record: Record
    filled: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()


def find_missing(record: Record, required: tuple[str, ...]) -> tuple[str, ...]:
    """Names from `required` that the record does not answer (client_age accepts a DOB)."""
    present = {
        "client_name": record.client.name is not None,
        "client_age": record.client.age is not None or record.client.date_of_birth is not None,
        "reason": bool(record.reason),
        "consent": record.consent is not None,
        "referrer_name": record.referrer.name is not None,
        "referrer_phone": record.referrer.phone is not None,
        "needs": bool(record.needs),
        "setting": record.setting is not None,
        "delivery": record.delivery is not None,
        "availability": bool(record.availability),
    }
    group = record.session_format == SessionFormat.group and record.client.name is None
    return tuple(
        name
        for name in required
        if not (group and name in _GROUP_EXEMPT) and not present.get(name, True)
    )


def _shown(value: Any) -> str:
    return str(getattr(value, "value", value))


def _norm(value: Any) -> str:
    return re.sub(r"[\s.]+", " ", _shown(value)).strip().casefold()


def _same(old: Any, new: Any, attribute: str) -> bool:
    """Equal after normalising; a name that only adds words (Amy / Amy Jones) is the same."""
    a, b = _norm(old), _norm(new)
    if a == b:
        return True
    if attribute == "name":
        words_a, words_b = a.split(), b.split()
        short, long_ = sorted((words_a, words_b), key=len)
        return bool(short) and long_[: len(short)] == short
    if attribute == "phone":
        return re.sub(r"\D", "", a)[-10:] == re.sub(r"\D", "", b)[-10:]
    return False


def _longer(old: Any, new: Any) -> Any:
    return new if len(_shown(new)) > len(_shown(old)) else old


def _merge_scalars(
    old: Record, new: Record
) -> tuple[dict[str, dict[str, Any]], list[str], list[Conflict]]:
    sections: dict[str, Any] = {"referrer": old.referrer, "client": old.client, "record": old}
    incoming: dict[str, Any] = {"referrer": new.referrer, "client": new.client, "record": new}
    updates: dict[str, dict[str, Any]] = {"referrer": {}, "client": {}, "record": {}}
    filled: list[str] = []
    conflicts: list[Conflict] = []
    for section, attribute, shown in _SCALARS:
        was = getattr(sections[section], attribute)
        now = getattr(incoming[section], attribute)
        if now is None or now == was:
            continue
        if was is None:
            updates[section][attribute] = now
            filled.append(shown)
        elif _same(was, now, attribute):
            updates[section][attribute] = _longer(was, now)
        else:
            conflicts.append(Conflict(field=shown, recorded=_shown(was), received=_shown(now)))
    return updates, filled, conflicts


def _merge_texts(old: Record, new: Record) -> tuple[dict[str, str], list[str]]:
    updates: dict[str, str] = {}
    filled: list[str] = []
    for name in _TEXTS:
        was, now = getattr(old, name), getattr(new, name)
        if not now or (was and _norm(now) in _norm(was)):
            continue
        updates[name] = f"{was}\n\n{now}" if was else now
        if not was:
            filled.append(name)
    return updates, filled


def _joined(old: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys((*old, *new)))


def merge_update(old: Record, new: Record, required: tuple[str, ...]) -> Merged:
    """Fold `new` (from a message in the thread) into `old`; recompute what is missing."""
    updates, filled, conflicts = _merge_scalars(old, new)
    texts, filled_texts = _merge_texts(old, new)
    needs = _joined(old.needs, new.needs)
    if needs and not old.needs:
        filled.append("needs")
    kind = Kind.referral if Kind.referral in (old.kind, new.kind) else old.kind
    record = old.model_copy(
        update={
            **updates["record"],
            **texts,
            "kind": kind,
            "referrer": Referrer(**{**old.referrer.model_dump(), **updates["referrer"]}),
            "client": Client(**{**old.client.model_dump(), **updates["client"]}),
            "needs": needs,
            "safeguarding": _joined(old.safeguarding, new.safeguarding),
            "evidence": _joined(old.evidence, new.evidence),
        }
    )
    record = record.model_copy(update={"missing": find_missing(record, required)})
    return Merged(record=record, filled=(*filled, *filled_texts), conflicts=tuple(conflicts))
