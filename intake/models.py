"""The data that flows through the service, as pydantic models.

Every stage of the pipeline (read, understand, decide, reply, remember,
remind, digest) takes and returns these models, so the pure stages can be
tested without a server and the adapters at the edge only move them around.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Kind(StrEnum):
    """What an incoming email is (see the corpus README for the definitions)."""

    referral = "referral"
    enquiry = "enquiry"
    auto_reply = "auto_reply"
    bounce = "bounce"
    bulk = "bulk"

    @property
    def is_robot(self) -> bool:
        """True for mail that must never get an automatic reply."""
        return self in (Kind.auto_reply, Kind.bounce, Kind.bulk)


class Role(StrEnum):
    parent = "parent"
    carer = "carer"
    gp = "gp"
    teacher = "teacher"
    social_worker = "social_worker"
    health_professional = "health_professional"
    care_home_staff = "care_home_staff"
    self = "self"
    other = "other"


class Need(StrEnum):
    dementia = "dementia"
    pmld = "pmld"
    autism = "autism"
    mental_health = "mental_health"
    palliative = "palliative"
    adoption = "adoption"
    neurodisability = "neurodisability"
    learning_disability = "learning_disability"
    neonatal = "neonatal"
    bereavement = "bereavement"


class Setting(StrEnum):
    care_home = "care_home"
    school = "school"
    hospice = "hospice"
    hospital = "hospital"
    neuro_rehab = "neuro_rehab"
    home = "home"


class SessionFormat(StrEnum):
    individual = "individual"
    group = "group"


class Delivery(StrEnum):
    in_person = "in_person"
    online = "online"


class Source(StrEnum):
    """Where in the email a value was found, so the therapist can check it."""

    header = "header"
    subject = "subject"
    new_text = "new_text"
    signature = "signature"
    quoted = "quoted"
    forwarded = "forwarded"
    attachment = "attachment"
    derived = "derived"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(Frozen):
    """One extracted field and the words it was read from."""

    field: str
    source: Source
    text: str = ""


class Referrer(Frozen):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    role: Role | None = None
    organisation: str | None = None


class Client(Frozen):
    name: str | None = None
    age: int | None = None
    date_of_birth: date | None = None

    @property
    def first_name(self) -> str | None:
        """The only part of the client's name a reply may carry."""
        if not self.name:
            return None
        titles = {"mr", "mrs", "ms", "miss", "mx", "dr", "baby", "master"}
        words = [w for w in self.name.split() if w.lower().strip(".") not in titles]
        if not words or len(words[0].rstrip(".")) <= 1:
            return None
        return words[0]


class Record(Frozen):
    """What a careful reader records from one email.

    The first eight fields are the corpus schema; the rest are kept for the
    therapist (verbatim reason and notes, what is missing, risk flags, and the
    evidence behind each value).
    """

    kind: Kind
    referrer: Referrer = Referrer()
    client: Client = Client()
    needs: tuple[Need, ...] = ()
    setting: Setting | None = None
    session_format: SessionFormat | None = None
    delivery: Delivery | None = None
    consent: bool | None = None
    reason: str | None = None
    availability: str | None = None
    access_notes: str | None = None
    missing: tuple[str, ...] = ()
    safeguarding: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def corpus_json(self) -> dict[str, Any]:
        """The record in the exact shape the corpus README describes."""
        return {
            "kind": self.kind.value,
            "referrer": self.referrer.model_dump(mode="json"),
            "client": self.client.model_dump(mode="json"),
            "needs": sorted(n.value for n in self.needs),
            "setting": self.setting.value if self.setting else None,
            "session_format": self.session_format.value if self.session_format else None,
            "delivery": self.delivery.value if self.delivery else None,
            "consent": self.consent,
        }


class Envelope(Frozen):
    """The header facts of a message, decoded safely."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str = ""
    from_name: str | None = None
    from_addr: str | None = None
    reply_to: str | None = None
    to: tuple[str, ...] = ()
    date: datetime | None = None

    @property
    def reply_address(self) -> str | None:
        """Where a reply goes: Reply-To when present, else From (lower-cased)."""
        addr = self.reply_to or self.from_addr
        return addr.lower() if addr else None


class ParsedEmail(Frozen):
    """The result of understanding one raw message: its envelope and record."""

    envelope: Envelope
    record: Record
    problems: tuple[str, ...] = Field(
        default=(), description="non-fatal oddities met while reading, for the log"
    )
