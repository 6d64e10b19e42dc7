"""Rules for places, session format, names, organisations and forms."""

from __future__ import annotations

from intake.models import Delivery, Role, SessionFormat, Setting
from intake.understanding import clients, people, places
from intake.understanding.forms import read_form


def test_two_places_offered_as_options_leave_setting_open() -> None:
    """'at home or at school, whichever suits' names no single setting."""
    text = "Sessions could be at home or at school, whichever suits you best."
    assert None is places.find_setting(text, Role.parent, None, False)[0]


def test_session_sentence_names_the_setting() -> None:
    """'visit him at home' sets home even when school is mentioned elsewhere."""
    text = "He is struggling in school at the moment. Could you visit him at home for sessions?"
    assert Setting.home == places.find_setting(text, Role.parent, None, False)[0]


def test_declined_place_is_not_the_setting() -> None:
    """'home visits wouldn't work' does not make home the setting."""
    text = "Home visits wouldn't work for us. The church hall has a room we could use for sessions."
    assert None is places.find_setting(text, Role.carer, None, False)[0]


def test_online_or_in_person_offered_leaves_delivery_open() -> None:
    """Offering both online and in person decides nothing."""
    assert None is places.find_delivery("Online or in person would both be fine.")[0]


def test_zoom_means_online() -> None:
    """Zoom sessions are online."""
    assert Delivery.online == places.find_delivery("Zoom would work best for him.")[0]


def test_rather_than_group_is_individual() -> None:
    """'one-to-one rather than group' asks for individual sessions."""
    assert (
        SessionFormat.individual == places.find_format("One-to-one rather than group, please.")[0]
    )


def test_group_or_individual_offered_is_open() -> None:
    """'any groups he could join or some one-to-one sessions' decides nothing."""
    text = "Do you have any groups he could join or, if not, some one-to-one sessions?"
    assert None is places.find_format(text)[0]


def test_nickname_in_brackets_gives_the_full_name() -> None:
    """'Jan (Janet Langley)' completes to the full name in brackets."""
    assert clients.complete("Jan", "My wife Jan (Janet Langley) is 58.") == "Janet Langley"


def test_title_and_surname_complete_from_elsewhere() -> None:
    """'Mr Boateng' completes to 'Kofi Boateng' when the text spells it out."""
    assert clients.complete("Mr Boateng", "Patient: Kofi Boateng, Ward 3") == "Kofi Boateng"


def test_display_name_surname_first_is_reordered() -> None:
    """'Hale, Marcus' is Marcus Hale."""
    assert people.name_from_display("Hale, Marcus") == "Marcus Hale"


def test_organisation_prefers_employer_over_team() -> None:
    """A council named with a team inside it is the organisation; a trust is never."""
    lines = [
        "Social Worker, Post-Adoption Support Team",
        "Northvale Council",
        "Northvale NHS Trust",
    ]
    assert people.choose_organisation(people.organisation_candidates(lines)) == "Northvale Council"


def test_form_with_values_on_the_next_line() -> None:
    """'Your name' followed by the value on its own line is read as the referrer's name."""
    form = read_form(
        "Your name\nSian Morgan\n\nName of the person who would attend\nCerys Morgan\n"
    )
    assert (form.referrer_name, form.client_name) == ("Sian Morgan", "Cerys Morgan")
