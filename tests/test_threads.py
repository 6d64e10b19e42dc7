"""Thread matching: a reply joins its referral by our headers or our token, never by words."""

from dataclasses import dataclass, field

from intake.deciding.threads import match_thread, reference_tokens
from intake.models import Envelope

OUR_REPLY = "<ip.abc@innerpulse.example>"


@dataclass
class Lookups:
    replies: dict[str, int] = field(default_factory=lambda: {OUR_REPLY: 7})
    references: dict[str, int] = field(default_factory=lambda: {"IP-0007": 7})
    referrers: dict[int, str] = field(default_factory=lambda: {7: "sam@school.example"})

    def referral_for_reply(self, rfc_message_id: str) -> int | None:
        return self.replies.get(rfc_message_id)

    def referral_id_for(self, reference: str) -> int | None:
        return self.references.get(reference)

    def is_referrer(self, referral_id: int, address: str) -> bool:
        return self.referrers.get(referral_id) == address


def envelope(**fields: object) -> Envelope:
    base: dict[str, object] = {"from_addr": "sam@school.example", "subject": "Re: Referral"}
    base.update(fields)
    return Envelope.model_validate(base)


def test_in_reply_to_our_message_joins_the_thread() -> None:
    """In-Reply-To naming our reply joins that referral."""
    match = match_thread(envelope(in_reply_to=OUR_REPLY), Lookups())
    assert (7, "headers") == (match.referral_id, match.how) if match else None


def test_references_naming_our_message_join_even_from_another_address() -> None:
    """References carrying our Message-ID is enough, whoever answers."""
    env = envelope(references=("<theirs@x>", OUR_REPLY), from_addr="office@school.example")
    assert 7 == getattr(match_thread(env, Lookups()), "referral_id", None)


def test_token_from_the_referrer_joins_the_thread() -> None:
    """[IP-0007] in the subject from the referrer's own address joins by token."""
    match = match_thread(envelope(subject="Re: Amy [IP-0007]"), Lookups())
    assert (7, "token") == (match.referral_id, match.how) if match else None


def test_token_from_a_stranger_does_not_join() -> None:
    """Our token in a subject from someone else starts a new thread."""
    env = envelope(subject="Re: Amy [IP-0007]", from_addr="someone@else.example")
    assert None is match_thread(env, Lookups())


def test_subject_words_alone_never_join() -> None:
    """The same subject words, from the referrer, without token or headers, do not join."""
    assert None is match_thread(envelope(subject="Re: Referral for Amy IP-0007"), Lookups())


def test_unknown_message_ids_do_not_join() -> None:
    """In-Reply-To naming a message that is not ours starts a new thread."""
    assert None is match_thread(envelope(in_reply_to="<other@x>"), Lookups())


def test_reference_tokens_are_found_once_each_in_order() -> None:
    """Tokens are upper-cased and de-duplicated."""
    assert ("IP-0042", "IP-0007") == reference_tokens("Re: [ip-0042] [IP-0007] [IP-0042]")
