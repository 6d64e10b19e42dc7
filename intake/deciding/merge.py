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

from intake.models import Client, Kind, Record, Referrer
from intake.understanding.missing import find_missing

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


def conflict_field(text: str) -> str | None:
    """The field a conflict is about, from `client_age`, `client.age` or `client age`."""
    name = re.sub(r"[\s.\-]+", "_", text.strip().casefold())
    return name if name in {shown for _, _, shown in _SCALARS} else None


def settle(record: Record, field: str, value: str) -> Record:
    """`record` with `field` set to `value` (a conflict's shown value), validated."""
    section, attribute = next((s, a) for s, a, shown in _SCALARS if shown == field)
    if section == "record":
        return Record.model_validate({**record.model_dump(), attribute: value})
    part = getattr(record, section)
    changed = type(part).model_validate({**part.model_dump(), attribute: value})
    return record.model_copy(update={section: changed})


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
