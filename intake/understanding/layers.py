"""The message cut into layers, each tagged with where it came from.

The sender's new text (minus salutation and signature), attachments,
forwarded parts and quoted history not written by the practice become
Layers with a Source, so every field rule can say where its value was read
and prefer the sender's own words over history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from intake.models import (
    Evidence,
    Source,
)
from intake.reading.message import MessageView
from intake.reading.quoting import Segment, split_quoted
from intake.reading.signature import SignedText, split_signature
from intake.understanding.forms import FormFields, read_form, without_form_noise

_SALUTATION = re.compile(
    r"(?im)^\s*(?:dear|hi|hello|hiya|hey|good\s+(?:morning|afternoon|evening)|morning|afternoon"
    r"|to\s+whom\s+it\s+may\s+concern|bore\s+da|shwmae|helo|annwyl)\b[^\n]{0,60}$"
)


@dataclass(frozen=True)
class Layer:
    """A piece of text and where it came from."""

    source: Source
    text: str


@dataclass
class Reading:
    """The message cut into layers, ready for field rules."""

    view: MessageView
    new_body: str
    signed: SignedText
    layers: list[Layer]
    form: FormFields
    today: date | None
    segments: list[Segment] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def text_of(self, *sources: Source) -> str:
        """All layer text from the given sources, in layer order."""
        return "\n\n".join(layer.text for layer in self.layers if layer.source in sources)

    def note(self, name: str, source: Source, text: str) -> None:
        """Record evidence for one field."""
        self.evidence.append(Evidence(field=name, source=source, text=" ".join(text.split())[:240]))


# A referral is a few thousand characters; reading more only gives hostile input time.
ANALYSED_CHARS = 30_000


def _capped(text: str) -> str:
    return text[:ANALYSED_CHARS]


def _practice_segment(segment: Segment, practice: set[str]) -> bool:
    return bool(segment.author_addr and segment.author_addr in practice)


def _with_own_quoted_signature(
    signed: SignedText, segments: list[Segment], view: MessageView
) -> SignedText:
    """Borrow the signature of the sender's own earlier message quoted below a short reply."""
    own = {a for a in (view.envelope.from_addr, view.envelope.reply_to) if a}
    for segment in segments[1:]:
        if segment.author_addr and segment.author_addr in own:
            body = re.sub(
                r"(?im)^[ \t>*]*(?:from|sent|date|to|cc|subject)[ \t]*:[^\n]*\n", "", segment.text
            )
            earlier = split_signature(body)
            if earlier.signature.count("\n") >= 1:
                combined = "\n".join(x for x in (signed.signature, earlier.signature) if x)
                return SignedText(signed.body, signed.sign_off, combined, signed.disclaimer)
    return signed


_WROTE = re.compile(
    r"(?im)^[ \t>]*(?:On\s[^\n]{0,160}?|From:[^\n]{0,160}?)"
    r"<?(?P<addr>[\w.+-]+@[\w.-]+)>?[^\n]{0,40}$"
)


def _own_words_inside(text: str, own: set[str]) -> str:
    """The sender's own earlier message quoted inside the practice's reply, unquoted."""
    for match in _WROTE.finditer(text):
        if match.group("addr").lower() in own:
            rest = text[match.end() :]
            return "\n".join(re.sub(r"^[ \t]*(?:>[ \t]?)+", "", ln) for ln in rest.split("\n"))
    return ""


def build_reading(view: MessageView) -> Reading:
    """Split the message into new text, signature, attachments, forwards and quotes."""
    segments = split_quoted(view.body[: ANALYSED_CHARS * 4], view.envelope.subject)
    new_text = segments[0].text if segments else ""
    signed = split_signature(new_text)
    if len([ln for ln in signed.signature.split("\n") if ln.strip()]) <= 1:
        signed = _with_own_quoted_signature(signed, segments, view)
    body = _SALUTATION.sub("", signed.body).strip()
    practice = set(view.envelope.to)
    body = _capped(body)
    signed = SignedText(body, signed.sign_off, _capped(signed.signature), signed.disclaimer[:2000])
    layers = [Layer(Source.new_text, without_form_noise(body))]
    layers += [
        Layer(Source.attachment, without_form_noise(_capped(a.text))) for a in view.attachments
    ]
    own = {a for a in (view.envelope.from_addr, view.envelope.reply_to) if a}
    for segment in segments[1:]:
        if _practice_segment(segment, practice):
            earlier = _own_words_inside(segment.text, own)
            if earlier:
                layers.append(Layer(Source.quoted, _capped(earlier)))
            continue
        source = Source.forwarded if segment.kind == "forwarded" else Source.quoted
        layers.append(Layer(source, _capped(segment.text)))
    layers += [Layer(Source.forwarded, _capped(f.text)) for f in view.forwarded[:5]]
    form = read_form(body + "\n" + "\n".join(a.text for a in view.attachments))
    today = view.envelope.date.date() if view.envelope.date else None
    return Reading(view, body, signed, layers, form, today, segments=segments)


def around(text: str, start: int, end: int, width: int = 60) -> str:
    return text[max(0, start - width) : min(len(text), end + width)].replace("\n", " ").strip()


def signature_lines(reading: Reading) -> list[str]:
    return [ln.strip() for ln in reading.signed.signature.split("\n") if ln.strip()][:12]


def plain_name(name: str) -> str:
    words = [w.strip(".,").lower() for w in name.split()]
    titles = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "rev", "revd", "professor"}
    return " ".join(w for w in words if w not in titles) or name.lower()
