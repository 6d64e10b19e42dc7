"""Wordings outside the tuning corpus: needs, kinds, places and people as people write them."""

from __future__ import annotations

from intake.models import Delivery, Kind, Need, Role, Setting
from intake.understanding import parse_email, people
from intake.understanding.classify import classify_human
from intake.understanding.consent import find_consent
from intake.understanding.dates import find_age
from intake.understanding.layers import _own_words_inside
from intake.understanding.needs import needs_in_text
from intake.understanding.places import find_delivery, find_setting
from intake.understanding.referrer import _from_form_name


def test_on_the_spectrum_is_autism() -> None:
    """'on the spectrum' names autism without the word itself."""
    assert [Need.autism] == list(needs_in_text("A class of six children, all on the spectrum."))


def test_selectively_mute_is_mental_health() -> None:
    """The adjective 'selectively mute' counts like 'selective mutism'."""
    assert [Need.mental_health] == list(needs_in_text("a pupil who is selectively mute"))


def test_trauma_is_mental_health() -> None:
    """A child who has 'been through a lot of trauma' has a mental health need."""
    assert [Need.mental_health] == list(needs_in_text("She has been through a lot of trauma."))


def test_traumatic_brain_injury_is_not_mental_health() -> None:
    """'traumatic brain injury' is neurological, not psychological trauma."""
    assert [Need.neurodisability] == list(needs_in_text("a severe traumatic brain injury"))


def test_named_syndromes_are_learning_disability() -> None:
    """Fragile X and Angelman syndrome are learning disabilities."""
    text = "He has Fragile X; his sister Angelman."
    assert {Need.learning_disability} == set(needs_in_text(text))


def test_one_of_my_students_opening_a_sentence_is_a_referral() -> None:
    """'One of my Year 10 students, X, ...' describes a person, not a student placement."""
    text = "One of my Year 10 students, Holly Vaughan, lost her mum in April. Could you help?"
    assert Kind.referral == classify_human(text, "A student of mine")


def test_third_party_referring_one_of_our_pupils_is_not_a_referral() -> None:
    """'a GP may be referring one of our pupils' reported by a business manager stays an enquiry."""
    text = (
        "A local GP may be referring one of our pupils to you. Before any external "
        "professional can work on our premises we need your DBS and insurance."
    )
    assert Kind.enquiry == classify_human(text, "Supplier documents")


def test_shes_in_a_named_nursing_home_is_where_she_lives() -> None:
    """'She's in Heatherbank Nursing Home now' places the client in a care home."""
    text = "She's in Heatherbank Nursing Home in Exeter now. Would you be able to help?"
    assert Setting.care_home == find_setting(text, Role.carer, None, False)[0]


def test_could_you_see_mr_x_at_home_asks_for_home() -> None:
    """'if you could see Mr Lang ... at home' is a request for sessions at home."""
    text = "I'd be grateful if you could see Mr Peter Lang (61), who has Huntington's, at home."
    assert Setting.home == find_setting(text, Role.gp, "Green Lane Surgery", False)[0]


def test_shared_mailbox_display_name_is_not_a_person() -> None:
    """A From display name like 'Referrals' or 'Bookings' is a mailbox, not the referrer."""
    assert [None, None] == [people.name_from_display(d) for d in ("Referrals", "Bookings")]


def test_form_referrer_name_followed_by_job_title() -> None:
    """'Referrer: Kelly Rowe, SENCo' gives the name Kelly Rowe, not 'SENCo Kelly Rowe'."""
    assert "Kelly Rowe" == _from_form_name("Kelly Rowe, SENCo")


def test_form_referrer_surname_first_is_turned_round() -> None:
    """'Rowe, Kelly' in a form is still read surname first."""
    assert "Kelly Rowe" == _from_form_name("Rowe, Kelly")


def test_supported_living_provider_is_an_employer() -> None:
    """A signature line naming a supported living provider is an organisation."""
    assert 2 == people.org_rank("Bramble Supported Living")


def test_own_message_nested_in_practice_reply_is_read() -> None:
    """The sender's first message, quoted inside the practice's reply, is the sender's words."""
    quoted = (
        "Dear Dev, could you tell me his age?\n\n"
        "On Mon, 8 Jun 2026 at 21:02, Dev Mistry <dev@example.com> wrote:\n"
        ">> Hello, music therapy for my son Arjun?\n"
    )
    assert (
        "Hello, music therapy for my son Arjun?"
        == _own_words_inside(quoted, {"dev@example.com"}).strip()
    )


def test_practice_reply_without_sender_message_gives_nothing() -> None:
    """A practice reply that quotes nobody else adds no words of the sender."""
    assert "" == _own_words_inside("Dear Dev, could you tell me his age?", {"dev@example.com"})


def _consent(text: str) -> bool | None:
    found = find_consent(text)
    return found[0] if found else None


def test_parents_supportive_is_consent() -> None:
    """'His parents are aware and supportive' is the parents agreeing."""
    assert True is _consent("His parents are aware and supportive.")


def test_relative_supportive_is_not_consent() -> None:
    """A wife 'supportive of the idea' is another relative, not the person's consent."""
    assert None is _consent("His wife, who visits daily, is very supportive of the idea.")


def test_she_agreed_and_consent_label_obtained() -> None:
    """'... and she agreed' and 'Consent: obtained' both record consent."""
    assert [True, True] == [
        _consent("We have discussed this with her and she agreed."),
        _consent("Consent: obtained"),
    ]


def test_not_yet_spoken_to_family_is_no_consent() -> None:
    """'I've not yet spoken to the family' means consent has not been given."""
    assert False is _consent("I've not yet spoken to the family.")


def test_does_not_know_i_am_writing_is_no_consent() -> None:
    """'He doesn't know I'm writing' means he has not agreed."""
    assert False is _consent("He doesn't know I'm writing to you.")


def test_parents_unsure_is_no_consent_but_reluctant_to_speak_is_not() -> None:
    """'Mum is unsure' is not agreement; 'she is reluctant to speak' is a symptom."""
    assert [False, None] == [
        _consent("Mum is unsure at the moment."),
        _consent("She is reluctant to speak in class."),
    ]


def test_consent_to_be_sought_later_is_no_consent() -> None:
    """'I'll seek consent once ...' and 'I will discuss with parents' mean not yet."""
    assert [False, False] == [
        _consent("I'll seek consent once I know you have space."),
        _consent("I will discuss this with his parents next week."),
    ]


def _role(title: str) -> Role | None:
    found = people.role_from_title([title])
    return found[0] if found else None


def test_early_help_practitioner_is_social_worker() -> None:
    """Early help and children's services practitioners count as social workers."""
    assert [Role.social_worker, Role.social_worker] == [
        _role("Early Help Practitioner"),
        _role("Advanced Practitioner, Children's Services"),
    ]


def test_psychotherapists_and_play_specialists_are_health_professionals() -> None:
    """Arts psychotherapists and hospital play specialists are health professionals."""
    assert [Role.health_professional, Role.health_professional] == [
        _role("Art Psychotherapist"),
        _role("Hospital Play Specialist"),
    ]


def test_learning_mentor_is_teacher() -> None:
    """School learning mentors count with teaching staff."""
    assert Role.teacher == _role("Learning Mentor")


def test_care_assistant_and_keyworker_are_paid_carers() -> None:
    """Care assistants and keyworkers are paid carers."""
    assert [Role.carer, Role.carer] == [_role("Senior Care Assistant"), _role("Keyworker")]


def test_bringing_the_client_to_the_therapist_is_in_person() -> None:
    """'I'd bring him to you' and 'come to your studio' ask for in-person sessions."""
    assert [Delivery.in_person, Delivery.in_person] == [
        find_delivery("I'd bring him to you on Saturdays.")[0],
        find_delivery("Could she come to your studio?")[0],
    ]


def test_come_into_school_asks_for_school() -> None:
    """'come into school on Fridays' asks for sessions at school, in person."""
    text = "We'd like you to come into school on Fridays."
    assert (Setting.school, Delivery.in_person) == (
        find_setting(text, Role.parent, None, False)[0],
        find_delivery(text)[0],
    )


def test_day_patient_at_the_hospice_places_the_client() -> None:
    """'He is a day patient at the hospice' says where he is seen."""
    text = "He is a day patient at the hospice."
    assert Setting.hospice == find_setting(text, Role.parent, None, False)[0]


def test_described_person_without_a_listed_need_is_a_referral() -> None:
    """'a young lad with ADHD who is struggling' describes someone to be seen."""
    text = "Do you have capacity to take on a young lad with ADHD who is struggling to engage?"
    assert Kind.referral == classify_human(text, "")


def test_wider_family_described_is_a_referral() -> None:
    """'their daughter has Rett syndrome' and 'my nephew, who is autistic' describe a client."""
    assert [Kind.referral, Kind.referral] == [
        classify_human(
            "I'm enquiring on behalf of a family I support - their daughter has Rett.", ""
        ),
        classify_human(
            "I'm looking for someone to work with my nephew, who is autistic and 14.", ""
        ),
    ]


def test_relative_who_is_a_professional_is_not_a_client() -> None:
    """'My brother is a music therapist too' describes nobody to be seen."""
    text = "My brother is a music therapist too and recommended you - do you take students?"
    assert Kind.enquiry == classify_human(text, "")


def test_could_assess_mr_x_is_a_referral() -> None:
    """'grateful if you could assess Mr Ali' asks for a named person to be seen."""
    assert Kind.referral == classify_human("I'd be grateful if you could assess Mr Ali.", "")


def test_work_with_a_group_question_is_an_enquiry() -> None:
    """'Can you work with a group? What do you charge?' names nobody."""
    assert Kind.enquiry == classify_human("Can you work with a group? What do you charge?", "")


def test_putting_a_name_forward_for_the_waiting_list_is_a_referral() -> None:
    """'put forward a name for your waiting list' followed by a pupil is a referral."""
    text = "Can I put forward a name for your waiting list? Harry Jones, Year 6, ASD."
    assert Kind.referral == classify_human(text, "")


def test_relative_who_passed_is_bereavement_but_passed_exams_is_not() -> None:
    """'since her dad passed' is a bereavement; 'her son passed his exams' is not."""
    assert [[Need.bereavement], []] == [
        list(needs_in_text("She has been so sad since her dad passed.")),
        list(needs_in_text("Her son passed his exams.")),
    ]


def test_birth_trauma_is_not_a_mental_health_need_of_the_child() -> None:
    """'a traumatic birth' describes the delivery, not psychological trauma."""
    assert [] == list(needs_in_text("after a traumatic birth"))


def test_more_named_conditions() -> None:
    """Korsakoff's, hospice care, spina bifida and a 24-weeker map to their needs."""
    text = "Korsakoff's; receiving hospice care; spina bifida; a 24-weeker"
    expected = {Need.dementia, Need.palliative, Need.neurodisability, Need.neonatal}
    assert expected == set(needs_in_text(text))


def test_column_aligned_consent_answer() -> None:
    """A table row 'Consent            Yes' (HTML table as text) is a form answer."""
    assert True is _consent("Diagnosis          ABI\nConsent            Yes\n")


def test_only_with_an_age_is_still_an_age() -> None:
    """'she's only 61' states her age."""
    assert 61 == (find_age("she's only 61") or (None,))[0]


def test_london_borough_is_an_employer() -> None:
    """'London Borough of Waltham Forest' ranks as an employer above a team inside it."""
    assert 2 == people.org_rank("London Borough of Waltham Forest")


def test_her_foster_home_is_home() -> None:
    """'Sessions at her foster home' asks for sessions at home."""
    text = "Sessions at her foster home would be best."
    assert Setting.home == find_setting(text, Role.social_worker, None, False)[0]


def test_do_you_only_work_online_is_not_asking_for_online() -> None:
    """'come to our house, or do you only work online?' asks for in-person sessions."""
    text = "Would it be possible for you to come to our house, or do you only work online?"
    assert Delivery.in_person == find_delivery(text)[0]


def test_two_word_employer_after_job_title_is_the_organisation() -> None:
    """'Support Coordinator' then 'Headway Lancashire': the line after the title is the employer."""
    assert "Headway Lancashire" == people.proper_noun_fallback(
        ["Support Coordinator", "Headway Lancashire", "Mob: 07700 900 656"]
    )


def test_school_answer_in_a_teachers_form_is_the_organisation() -> None:
    """A SENCo's form with 'School: Bayview School, Plymouth' names the referrer's employer."""
    raw = (
        "From: Referrals <referrals@bayview.example>\nTo: hello@example.org\n"
        "Subject: Referral form\nDate: Wed, 3 Jun 2026 09:00:00 +0100\n\n"
        "Name of child: Oscar Lee\nDOB: 2015-03-12\nSchool: Bayview School, Plymouth\n"
        "Diagnosis: ASC\n\nReferrer: Kelly Rowe, SENCo\nPhone: 01752 496 444\n"
    )
    referrer = parse_email(raw.encode()).record.referrer
    assert ("Kelly Rowe", "Bayview School") == (referrer.name, referrer.organisation)


def test_name_set_off_by_commas_after_one_of_our_pupils_is_the_client() -> None:
    """'One of our Year 3 pupils, Jayden Moss, is ...' names the client."""
    raw = (
        "From: Hannah Lowe <h.lowe@oakwood.example>\nTo: hello@example.org\n"
        "Subject: Possible referral\nDate: Thu, 14 May 2026 15:40:00 +0100\n\n"
        "Good afternoon,\n\nOne of our Year 3 pupils, Jayden Moss, is non-verbal and autistic "
        "and responds brilliantly to music in class. Could you see him in school?\n\n"
        "Thanks\nHannah Lowe\nSpeech and Language Therapist, Oakwood Academy\n"
    )
    assert "Jayden Moss" == parse_email(raw.encode()).record.client.name


def test_date_of_birth_in_words_makes_a_referral() -> None:
    """'my grandson Riley, born 14th August 2017' describes a client even without a listed need."""
    text = "I'm a kinship carer for my grandson Riley, born 14th August 2017. He adores drumming."
    assert Kind.referral == classify_human(text, "Music for my grandson")


def test_you_could_see_him_is_a_referral() -> None:
    """'Is there any way you could see him after school?' asks for someone to be seen."""
    assert Kind.referral == classify_human("Is there any way you could see him after school?", "")


def test_come_out_to_us_is_home_for_a_parent() -> None:
    """A parent's 'Could you come out to us?' asks for sessions at home, in person."""
    text = "Could you come out to us in Whitby?"
    assert (Setting.home, Delivery.in_person) == (
        find_setting(text, Role.parent, None, False)[0],
        find_delivery(text)[0],
    )


def test_setting_form_answer_home() -> None:
    """A form line 'Setting: home' asks for sessions at home."""
    text = "Client: Ms Lorraine Fox\nAge: 58\nSetting: home\n"
    assert Setting.home == find_setting(text, Role.health_professional, None, False)[0]


def test_person_i_would_like_to_refer_is_called_x() -> None:
    """'The young person I'd like to refer is called Maya Singh' names the client."""
    raw = (
        "From: Dr Tom Evans <t.evans@example.org>\nTo: hello@example.org\n"
        "Subject: Referral\nDate: Thu, 14 May 2026 15:40:00 +0100\n\n"
        "Hello,\n\nThe young person I'd like to refer is called Maya Singh. She is 15 and "
        "has anorexia.\n\nBest\nDr Tom Evans\nConsultant Psychiatrist\n"
    )
    assert "Maya Singh" == parse_email(raw.encode()).record.client.name
