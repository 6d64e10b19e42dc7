"""Builds the digest from a snapshot of the store (pure: no clock, no database)."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment
from pydantic import BaseModel, ConfigDict

from intake.models import ParsedEmail


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReferralLine(Model):
    reference: str
    status: str
    client: str
    needs: str
    setting: str
    session_format: str
    referrer: str
    missing: str
    reply: str
    waiting_days: int = 0

    @property
    def asked(self) -> str:
        """How long ago we last asked for what is missing, in words."""
        if self.waiting_days == 0:
            return "asked today"
        return f"asked {self.waiting_days} day{'s' if self.waiting_days != 1 else ''} ago"


class FollowUpLine(Model):
    id: int
    reference: str
    action: str
    due: date
    urgent: bool = False


class Health(Model):
    last_poll: str
    poll_late: str = ""
    robots_ignored: int
    replies_sent: int
    errors: int


class DigestData(Model):
    day: date
    practice_name: str
    safeguarding: tuple[ReferralLine, ...] = ()
    overdue: tuple[FollowUpLine, ...] = ()
    due_today: tuple[FollowUpLine, ...] = ()
    new_referrals: tuple[ReferralLine, ...] = ()
    awaiting_info: tuple[ReferralLine, ...] = ()
    needs_look: tuple[str, ...] = ()
    health: Health

    @property
    def quiet(self) -> bool:
        return not (
            self.safeguarding
            or self.overdue
            or self.due_today
            or self.new_referrals
            or self.awaiting_info
            or self.needs_look
        )


def _label(value: str | None) -> str:
    return value.replace("_", " ") if value else "not said"


def referral_line(
    reference: str, status: str, parsed: ParsedEmail, reply: str, waiting_days: int = 0
) -> ReferralLine:
    """One referral as the digest shows it: first name and age, never the full name."""
    rec = parsed.record
    client = rec.client.first_name or ("group" if rec.session_format == "group" else "unnamed")
    if rec.client.age is not None:
        client += f", {rec.client.age}"
    who = _label(rec.referrer.role.value if rec.referrer.role else None)
    if rec.referrer.organisation:
        who += f", {rec.referrer.organisation}"
    return ReferralLine(
        reference=reference,
        status=status,
        client=client,
        needs=", ".join(_label(n.value) for n in rec.needs) or "not said",
        setting=_label(rec.setting.value if rec.setting else None),
        session_format=_label(rec.session_format.value if rec.session_format else None),
        referrer=who,
        missing=", ".join(_label(m) for m in rec.missing) or "nothing",
        reply=reply,
        waiting_days=waiting_days,
    )


def split_followups(
    items: list[FollowUpLine], today: date
) -> tuple[tuple[FollowUpLine, ...], tuple[FollowUpLine, ...]]:
    """(overdue, due today); urgent ones first."""
    overdue = tuple(f for f in items if f.due < today)
    due = tuple(f for f in items if f.due == today)
    return overdue, due


def subject(data: DigestData, token: str) -> str:
    """Short, most urgent first, only the counts that are not zero; the token last."""
    counts = (
        (len(data.safeguarding), "URGENT {} safeguarding"),
        (len(data.overdue) + len(data.due_today), "{} to do"),
        (len(data.new_referrals), "{} new"),
        (len(data.needs_look), "{} to check"),
    )
    head = ", ".join(text.format(n) for n, text in counts if n)
    if not head:
        head = f"{len(data.awaiting_info)} awaiting info" if data.awaiting_info else "a quiet day"
    return f"Intake digest {data.day:%a %d %b}: {head} [digest {token}]"


def render_digest(env: Environment, data: DigestData, token: str) -> tuple[str, str, str]:
    """(subject, text, html) for the day's digest."""
    context = {"d": data, "token": token}
    text = env.get_template("digest/digest.txt.j2").render(context)
    html = env.get_template("digest/digest.html.j2").render(context)
    return subject(data, token), text, html


def poll_late(last: datetime | None, now: datetime, poll_minutes: float) -> str:
    """A warning when the last successful poll is long past (3 polls, at least an hour)."""
    if last is None:
        return "the mailbox has never been read successfully"
    late = now - last
    if late.total_seconds() < max(3 * poll_minutes, 60) * 60:
        return ""
    hours = int(late.total_seconds() // 3600)
    since = f"{hours} hours" if hours < 48 else f"{hours // 24} days"
    return f"no successful poll for {since}: check the mailbox connection"


def age_in_days(created_at: str, now: datetime) -> int:
    return max(0, (now.date() - datetime.fromisoformat(created_at).date()).days)
