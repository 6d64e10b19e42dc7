"""Parsing the therapist's reply to the digest into commands."""

from datetime import date

from intake.digest.commands import Command, parse_commands, parse_until

TODAY = date(2026, 11, 25)


def test_done_snooze_and_status_are_understood() -> None:
    """The three verbs, one a line, in the order written."""
    parsed = parse_commands("done 12\nsnooze #14 3d\nstatus ip-0042 assessment_offered\n", TODAY)
    assert [
        Command(verb="done", followup_id=12, line="done 12"),
        Command(verb="snooze", followup_id=14, until=date(2026, 11, 28), line="snooze #14 3d"),
        Command(
            verb="status",
            reference="IP-0042",
            status="assessment_offered",
            line="status ip-0042 assessment_offered",
        ),
    ] == list(parsed.commands)


def test_quoted_digest_is_not_read() -> None:
    """Lines after 'On ... wrote:' and lines starting with '>' are ignored."""
    body = "done 3\n> done 4\nOn Wed, 25 Nov 2026, Intake wrote:\ndone 5\n"
    assert [3] == [c.followup_id for c in parse_commands(body, TODAY).commands]


def test_lines_not_understood_are_reported() -> None:
    """A misspelt command is listed as not understood, never guessed."""
    parsed = parse_commands("dne 12\nsnooze 14 sometime\nThanks\n-- \nJacqueline", TODAY)
    assert ((), ("dne 12", "snooze 14 sometime", "Thanks")) == (
        parsed.commands,
        parsed.not_understood,
    )


def test_snooze_until_a_date_or_weeks() -> None:
    """`2w` and an ISO date both work; a date in the past does not."""
    assert date(2026, 12, 9) == parse_until("2w", TODAY)
    assert date(2026, 12, 1) == parse_until("2026-12-01", TODAY)
    assert None is parse_until("2026-11-01", TODAY)


def test_keep_settles_a_conflict_with_either_spelling_of_the_field() -> None:
    """`keep IP-0042 client.age new` and `keep ip-0042 client_age recorded` are understood."""
    parsed = parse_commands("keep IP-0042 client.age new\nkeep ip-0042 client_age recorded", TODAY)
    assert [("IP-0042", "client.age", "new"), ("IP-0042", "client_age", "recorded")] == [
        (c.reference, c.field, c.keep) for c in parsed.commands
    ]


def test_sent_and_resend_settle_a_reply_by_reference() -> None:
    parsed = parse_commands("sent ip-0042\nResend IP-0007\n", TODAY)
    assert [
        Command(verb="sent", reference="IP-0042", line="sent ip-0042"),
        Command(verb="resend", reference="IP-0007", line="Resend IP-0007"),
    ] == list(parsed.commands)
