"""Group programs: a round introduces the group, group check-ins, and reminders per group."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from portal.container import Services
from portal.domain.groups import is_group_id
from portal.domain.participants import Participant, Role
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers
from portal.services.groups import GroupCheckinAnswers, GroupError
from tests.conftest import FakeClock, html, plain, table_snapshot
from tests.factories import program as make_program
from tests.factories import stored_person

ORGANIZER = "organizer@example.org"
SKILLS = ("Python", "SQL", "leadership")
SLOTS = ("mon-evening", "thu-morning")


def group_program(fmt: str = "group") -> Program:
    """An auto-approved program of this format whose mentors take up to three mentees."""
    return make_program(fmt, capacity=3).model_copy(
        update={"slug": "circle", "title": "Circle program"}
    )


def someone(name: str, role: Role, clock: FakeClock, **fields: object) -> Participant:
    person = stored_person(name, role, clock(), program="circle")
    chosen = {"skills": SKILLS} if role is Role.MENTOR else {"goals": SKILLS[:2]}
    return replace(
        person,
        availability=SLOTS,
        bio=f"{name}'s own bio.",
        **chosen,
        **fields,  # type: ignore[arg-type]
    )


def seed(
    services: Services, clock: FakeClock, mentors: int = 1, mentees: int = 3
) -> tuple[list[Participant], list[Participant]]:
    names = ["Mira", "Noor"][:mentors], ["Ada", "Ben", "Cleo", "Dev"][:mentees]
    made = (
        [someone(n, Role.MENTOR, clock, capacity=3) for n in names[0]],
        [someone(n, Role.MENTEE, clock) for n in names[1]],
    )
    for person in (*made[0], *made[1]):
        services.participants.save(person)
    return made


def run_round(services: Services, program: Program, clock: FakeClock, mailbox: MemorySender):
    before = len(mailbox.sent)
    outcome = services.rounds.run(program, "2026-03-02T0900Z", trigger="cli")
    assert outcome.status == "done", outcome
    services.mail.drain(per_second=1000)
    return [m for address, m in mailbox.sent[before:] if address != ORGANIZER]


def to(messages: list[EmailMessage], person: Participant) -> list[EmailMessage]:
    return [m for m in messages if str(m["To"]) == person.mailbox]


def test_a_group_round_gives_each_member_one_email_naming_every_member(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    sent = run_round(services, program, clock, mailbox)
    everyone = [mentor, *mentees]
    assert sorted(str(m["To"]) for m in sent) == sorted(p.mailbox for p in everyone)
    for person in everyone:
        (message,) = to(sent, person)
        text, page = plain(message), html(message)
        for member in everyone:
            assert member.name in text
            assert member.name in page
            if member is not person:
                # What a match sees of them: the address and the bio.
                assert member.mailbox in text
                assert f"{member.name.split()[0]}'s own bio." in text
        assert "Your group" in text
        assert "/me/" in text  # the link that opens the group's page
    mentee_text = plain(to(sent, mentees[0])[0])
    assert "your mentor can help with" in mentee_text  # a strength, from the mentee's side
    assert "Worth knowing" not in mentee_text
    assert str(to(sent, mentees[0])[0]["Reply-To"]) == mentor.mailbox


def test_a_repeated_round_sends_the_group_nothing_twice(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    seed(services, clock)
    assert len(run_round(services, program, clock, mailbox)) == 4
    services.rounds.run(program, "2026-03-02T0900Z", trigger="cli")
    services.mail.drain(per_second=1000)
    assert len(mailbox.sent) == 5  # the four members and the organizer's summary, once


def test_a_mentee_who_joins_later_is_introduced_to_the_group_and_the_group_to_them(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock, mentees=2)
    run_round(services, program, clock, mailbox)
    clock.advance(days=7)
    late = someone("Cleo", Role.MENTEE, clock)
    services.participants.save(late)
    before = len(mailbox.sent)
    services.rounds.run(program, "2026-03-09T0900Z", trigger="cli")
    services.mail.drain(per_second=1000)
    sent = [m for address, m in mailbox.sent[before:] if address != ORGANIZER]
    assert sorted(str(m["To"]) for m in sent) == sorted(p.mailbox for p in (mentor, *mentees, late))
    for message in sent:
        assert all(p.name in plain(message) for p in (mentor, *mentees, late))
    assert 'New in the group: "Cleo Example"' in plain(to(sent, mentor)[0])
    group = services.groups.group_of(program, late.email)
    assert group is not None
    assert len({m.group_id for m in group.matches}) == 1


def test_a_one_on_one_program_still_introduces_pair_by_pair(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program("one-on-one")  # its mentors too take up to three mentees
    (mentor,), mentees = seed(services, clock)
    sent = run_round(services, program, clock, mailbox)
    assert len(sent) == 6  # one email per person per pair: three to the mentor
    for message in sent:
        assert str(message["Subject"]).startswith("Meet ")
        assert "Your group" not in plain(message)
    to_mentor = to(sent, mentor)
    assert len(to_mentor) == 3
    for mentee in mentees:
        (message,) = to(sent, mentee)
        assert mentor.name in plain(message)
        assert not any(other.name in plain(message) for other in mentees if other is not mentee)
        # The mentor's email about this mentee names them alone.
        (about,) = [m for m in to_mentor if mentee.name in plain(m)]
        assert not any(other.name in plain(about) for other in mentees if other is not mentee)
    stored = services.rounds.matches.for_round("circle", "2026-03-02T0900Z")
    assert all(not m.group_id for m in stored)
    assert services.groups.group_of(program, mentor.email) is None


def test_a_one_on_one_mentor_with_three_mentees_still_gets_a_reminder_per_pair(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program("one-on-one")
    (mentor,), _ = seed(services, clock)
    run_round(services, program, clock, mailbox)
    before = len(mailbox.sent)
    services.reminders.remind_program(
        program, clock() + timedelta(days=program.schedule.checkin_reminder_days)
    )
    services.mail.drain(per_second=1000)
    subjects = reminders_to(mailbox, mentor, before)
    assert len(subjects) == 3
    assert all(s.startswith("How is it going with") for s in subjects)


def test_a_group_check_in_by_one_member_is_seen_by_the_others(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    clock.advance(days=3)
    saved = services.groups.log(
        program,
        mentees[1].email,
        GroupCheckinAnswers(met=True, day=clock().date(), minutes=90, topics=("Python",)),
    )
    assert is_group_id(saved.match_id)
    for person in (mentor, mentees[0], mentees[2]):
        view = services.groups.view(program, person.email)
        assert view is not None
        assert [(c.author, c.minutes) for c in view.checkins] == [(mentees[1].email, 90)]
        assert view.authors[mentees[1].email] == mentees[1].name
    # Not a check-in of anyone's pair: the pairs' own histories are untouched.
    for match in services.rounds.matches.for_round("circle", "2026-03-02T0900Z"):
        assert services.checkins.history(match.match_id) == []


def test_someone_in_no_group_cannot_log_a_group_check_in(
    services: Services, clock: FakeClock
) -> None:
    program = group_program()
    (mentor,), _ = seed(services, clock, mentees=0)
    with pytest.raises(GroupError, match="not in a group"):
        services.groups.log(program, mentor.email, GroupCheckinAnswers(met=False))


def reminders_to(mailbox: MemorySender, person: Participant, since: int) -> list[str]:
    return [str(m["Subject"]) for address, m in mailbox.sent[since:] if address == person.mailbox]


def test_a_mentor_with_three_mentees_gets_one_reminder_not_three(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    before = len(mailbox.sent)
    day = clock() + timedelta(days=program.schedule.checkin_reminder_days)
    services.reminders.remind_program(program, day)
    services.reminders.remind_program(program, day + timedelta(hours=1))  # a repeated run
    services.mail.drain(per_second=1000)
    (subject,) = reminders_to(mailbox, mentor, before)
    assert subject.startswith("How is your group in Circle program going?")
    for mentee in mentees:
        assert len(reminders_to(mailbox, mentee, before)) == 1
    assert len(mailbox.sent) == before + 4


def test_a_groups_reminders_reach_each_member_in_their_own_morning(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    zones = {mentor.email: "America/New_York", mentees[0].email: "Asia/Tokyo"}
    for person in (mentor, mentees[0]):
        services.participants.save(replace(person, timezone=zones[person.email]))
    run_round(services, program, clock, mailbox)
    day = clock() + timedelta(days=program.schedule.checkin_reminder_days)
    start = day.replace(hour=0, minute=0)
    arrived: dict[str, list[int]] = {}
    for hour in range(48):  # the hourly run, over two days
        now = start + timedelta(hours=hour)
        before = len(mailbox.sent)
        services.reminders.remind_program(program, now, mornings_only=True)
        services.mail.drain(per_second=1000)
        for address, _message in mailbox.sent[before:]:
            zone = zones.get(str(address).rsplit("<", 1)[-1].rstrip(">"), program.timezone)
            arrived.setdefault(str(address), []).append(now.astimezone(ZoneInfo(zone)).hour)
    # One reminder each, for the mentor and all three mentees, at 07:00 or 08:00 their time.
    assert sorted(arrived) == sorted(p.mailbox for p in (mentor, *mentees))
    assert all(len(hours) == 1 and 7 <= hours[0] < 9 for hours in arrived.values()), arrived


def test_a_group_check_in_restarts_the_whole_groups_count(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (_mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    clock.advance(days=10)
    services.groups.log(program, mentees[2].email, GroupCheckinAnswers(met=False))
    before = len(mailbox.sent)
    services.reminders.remind_program(
        program, clock() + timedelta(days=program.schedule.checkin_reminder_days - 1)
    )
    services.mail.drain(per_second=1000)
    assert len(mailbox.sent) == before  # 23 days since the start, 13 since the check-in


def test_a_quiet_group_is_one_alert_to_the_organizers(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    before = len(mailbox.sent)
    services.reminders.remind_program(
        program, clock() + timedelta(days=program.schedule.organizer_alert_days)
    )
    services.mail.drain(per_second=1000)
    ((address, alert),) = mailbox.sent[before:]
    assert address == ORGANIZER
    assert all(p.name in plain(alert) for p in (mentor, *mentees))


# -- export and erasure ------------------------------------------------------------------------


def grouped_with_checkins(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> tuple[Program, Participant, list[Participant]]:
    """A group of a mentor and three mentees in which the mentor and two mentees checked in."""
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    for author, minutes in ((mentees[0], 60), (mentor, 75), (mentees[1], 90)):
        clock.advance(days=1)
        answers = GroupCheckinAnswers(met=True, day=clock().date(), minutes=minutes)
        services.groups.log(program, author.email, answers)
    return program, mentor, mentees


def test_an_export_holds_the_group_and_the_group_check_ins_the_person_logged(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    _, mentor, mentees = grouped_with_checkins(services, clock, mailbox)
    document = services.exports.export(mentees[0].email, route="cli", requested_by="test").document
    (group,) = document["groups"]
    assert group["member_names"] == sorted(p.name for p in (mentor, mentees[1], mentees[2]))
    assert [c["minutes"] for c in group["checkins"]] == [60]  # hers, not the others'
    assert mentor.mailbox not in str(document)  # of the others, their names only
    (mentor_group,) = services.exports.export(
        mentor.email, route="cli", requested_by="test"
    ).document["groups"]
    assert mentor_group["group"] == group["group"]
    assert [c["minutes"] for c in mentor_group["checkins"]] == [75]


def test_erasing_a_mentee_deletes_their_group_check_ins_and_keeps_the_others(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program, mentor, mentees = grouped_with_checkins(services, clock, mailbox)
    plan = services.erasure.plan(mentees[0].email)
    assert plan.counts["checkins"] == 1
    services.erasure.erase(mentees[0].email)
    view = services.groups.view(program, mentor.email)
    assert view is not None
    assert sorted(c.minutes or 0 for c in view.checkins) == [75, 90]
    assert mentees[0].name not in [p.name for p in view.members]
    assert mentees[0].participant_id not in str(table_snapshot())


def test_erasing_the_mentor_leaves_the_mentees_group_check_ins_in_their_exports(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program, mentor, mentees = grouped_with_checkins(services, clock, mailbox)
    plan = services.erasure.plan(mentor.email)
    assert plan.counts["checkins"] == 1  # the group is visited once, not once per mentee
    services.erasure.erase(mentor.email)
    snapshot = str(table_snapshot())
    assert mentor.participant_id not in snapshot
    assert mentor.email not in snapshot
    assert services.groups.group_of(program, mentees[1].email) is None  # the group ended
    (group,) = services.exports.export(mentees[1].email, route="cli", requested_by="test").document[
        "groups"
    ]
    assert group["member_names"] == ["a former participant"]
    assert [c["minutes"] for c in group["checkins"]] == [90]


# -- the organizers' weekly summary ------------------------------------------------------------


def summary(
    services: Services, program: Program, clock: FakeClock, mailbox: MemorySender
) -> EmailMessage:
    """The weekly summary of the week ending at the clock's time, as the organizer gets it."""
    before = len(mailbox.sent)
    services.summaries.send(program, clock(), "test")
    services.mail.drain(per_second=1000)
    ((address, message),) = mailbox.sent[before:]
    assert address == ORGANIZER
    return message


def summary_text(
    services: Services, program: Program, clock: FakeClock, mailbox: MemorySender
) -> str:
    return " ".join(plain(summary(services, program, clock, mailbox)).split())


def test_a_group_that_logs_only_group_check_ins_is_not_stalled_and_its_check_ins_are_listed(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    for days, author, minutes in ((10, mentees[0], 60), (10, mentor, None), (11, mentees[1], 45)):
        clock.advance(days=days)
        met = minutes is not None
        answers = GroupCheckinAnswers(met=met, day=clock().date() if met else None, minutes=minutes)
        services.groups.log(program, author.email, answers)
    clock.advance(days=2)  # day 33: past the organizers' alert day (28) since the round
    message = summary(services, program, clock, mailbox)
    text = " ".join(plain(message).split())
    assert "Stalled pairs" not in text
    assert "days quiet" not in text
    assert "This week, pair by pair and group by group" in text
    assert (
        ': "Ben Example" (mentee, ben@example.org) logged a group check-in for the group of '
        '"Mira Example" (met, 45 minutes).'
    ) in text
    assert (
        "logged a group check-in for the group of &ldquo;Mira Example&rdquo; (met, 45 minutes)"
        in html(message)
    )
    # The week is the last seven days: the earlier group check-ins are not listed.
    assert text.count("logged a group check-in") == 1
    # Each group check-in counts once, as a check-in by its author (the mentor's, last week).
    assert (
        "Check-ins and ratings this week: not shown, fewer than 5 people checked in "
        "(last week: not shown, fewer than 5 people checked in)" in text
    )


@pytest.mark.parametrize("fmt", ["group", "one-on-one"])
def test_a_pairs_check_in_keeps_its_whole_group_off_the_stalled_list_but_not_other_pairs(
    fmt: str, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    program = group_program(fmt)  # in both, the mentor has three mentees
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    matches = services.rounds.matches.for_round("circle", "2026-03-02T0900Z")
    (with_ada,) = [m for m in matches if m.mentee == mentees[0].email]
    clock.advance(days=30)
    services.checkins.record(
        "circle", with_ada.match_id, mentor.email, CheckinAnswers(met=True, satisfaction=4)
    )
    clock.advance(days=3)
    text = summary_text(services, program, clock, mailbox)
    head = text[text.index("Needs your attention") : text.index("Participation")]
    if fmt == "group":
        # Quiet as the group's reminders count it: the mentor's check-in is the group's.
        assert "Stalled pairs" not in head
    else:
        # Pair by pair, as before: the mentor's other two pairs are 33 days quiet.
        assert "Stalled pairs (2 pairs with no check-in for a while)" in head
        for mentee in mentees[1:]:
            assert (
                f'"Mira Example" (mentor, mira@example.org) and "{mentee.name}" (mentee, '
                f"{mentee.email}): 33 days quiet, no check-in since they were matched."
            ) in head
        assert "Ada Example" not in head
        assert "group" not in text
    assert (
        '"Mira Example" (mentor, mira@example.org) logged a check-in on the match with '
        '"Ada Example" (met).'
    ) in text


def test_a_group_with_a_first_meeting_booked_is_not_reminded_before_it(
    services: Services,
    clock: FakeClock,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program = group_program()
    (mentor,), mentees = seed(services, clock)
    run_round(services, program, clock, mailbox)
    # Group programs book first meetings pair by pair on the pair's page, as other formats do.
    monkeypatch.setattr(services.meetings.programs, "get", lambda slug: program)
    (match,) = [
        m
        for m in services.participation.matches.for_program("circle")
        if m.mentee == mentees[0].email
    ]
    view = services.meetings.view("circle", match.match_id, match.mentor_id)
    start = max(view.suggestions)
    proposed = services.meetings.propose(
        "circle", match.match_id, match.mentor_id, start, expected_version=0
    )
    services.meetings.accept(
        "circle", match.match_id, match.mentee_id, proposed.proposals[0].id, expected_version=1
    )
    services.mail.drain(per_second=1000)
    before = len(mailbox.sent)
    day = clock() + timedelta(days=program.schedule.checkin_reminder_days)
    assert start < day  # the meeting was on day 8 to 14: the quiet days count from it
    services.reminders.remind_program(program, day)
    services.mail.drain(per_second=1000)
    for person in (mentor, *mentees):
        subjects = reminders_to(mailbox, person, before)
        assert not [s for s in subjects if s.startswith("How is your group")], subjects
