"""Field rules: phones, dates and ages, consent and safeguarding negations, needs negations."""

from __future__ import annotations

from datetime import date

from intake.understanding.consent import find_consent
from intake.understanding.dates import age_at, find_age, find_dob
from intake.understanding.needs import needs_in_text
from intake.understanding.phones import find_phones
from intake.understanding.safeguarding import find_flags


def test_uk_number_becomes_e164() -> None:
    """A UK landline in a signature is returned in E.164 form."""
    assert [h.e164 for h in find_phones("Tel: 01632 960412")] == ["+441632960412"]


def test_someone_elses_number_is_not_the_referrers() -> None:
    """'Her mobile is ...' is the client's or parent's number, not the writer's."""
    assert find_phones("Her mobile is 07700 900118 if you need her.") == []


def test_extension_is_dropped() -> None:
    """An extension after the number is not part of the E.164 value."""
    assert [h.e164 for h in find_phones("Tel: 0113 496 0917 ext 4471")] == ["+441134960917"]


def test_day_first_date_of_birth() -> None:
    """04/09/2017 is 4 September, the UK way."""
    assert (date(2017, 9, 4), "DOB 04/09/2017") == find_dob("DOB 04/09/2017", date(2026, 1, 1))


def test_two_digit_year_is_in_the_past() -> None:
    """A two-digit birth year is read as the most recent past year."""
    assert date(2022, 11, 18) == find_dob("D.O.B. 18/11/22", date(2026, 3, 1))[0]


def test_age_is_whole_years_at_the_date() -> None:
    """Age counts a birthday only once it has passed."""
    assert age_at(date(2018, 6, 14), date(2026, 1, 13)) == 7


def test_baby_age_is_zero() -> None:
    """'three weeks old' is age 0."""
    assert find_age("She is three weeks old.")[0] == 0


def test_consent_negation_is_false() -> None:
    """'has not yet consented' is a refusal, never consent."""
    assert False is find_consent("He has not yet consented to the referral.")[0]


def test_consent_agreement_is_true() -> None:
    """'is aware of and agrees to the referral' is consent."""
    assert True is find_consent("She is aware of and agrees to the referral.")[0]


def test_consent_absent_is_none() -> None:
    """Saying nothing about agreement gives None."""
    assert None is find_consent("He loves singing.")


def test_no_safeguarding_concerns_raises_no_flag() -> None:
    """'no safeguarding concerns' and 'not at risk of self-harm' raise no flag."""
    assert find_flags("There are no safeguarding concerns. She is not at risk of self-harm.") == []


def test_self_harm_mention_raises_flag() -> None:
    """A reported self-harm raises the self_harm flag."""
    assert [f for f, _ in find_flags("She has been self-harming since March.")] == ["self_harm"]


def test_negated_need_is_not_a_need() -> None:
    """'doesn't have a learning disability' does not add learning_disability."""
    found = needs_in_text("She has FASD but doesn't have a learning disability.")
    assert sorted(n.value for n in found) == ["neurodisability"]
