"""The end of a match's cycle: the daily run sends the closing survey, then marks the match
completed, once; the weekly summary counts it, and both people's places are free again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.matches import Match, MatchState
from portal.domain.participants import Role
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers, CheckinError
from portal.services.participation import ParticipationError
from portal.services.reminders import ReminderService
from portal.services.rounds import round_id_for
from tests.conftest import FakeClock, links, plain, table_snapshot, token_of
from tests.factories import pair, stored_person

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock fixture's Monday; matches start here
ORGANIZER = "organizer@example.org"


def run_at(day: int, hour: int = 7) -> datetime:
    """The daily run's time on match day `day` (07:00 UTC, zappa_settings.json)."""
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    assert (program.cycle_weeks, program.capacity, program.approval.value) == (12, 1, "auto")
    return program


def status_of(services: Services, match: Match) -> MatchState:
    stored = services.rounds.matches.get("demo", match.match_id)
    assert stored is not None
    return stored.status


def remind(services: Services, at: datetime) -> Any:
    (outcome,) = [o for o in services.reminders.remind(at) if o.program == "demo"]
    return outcome


def test_a_match_twelve_weeks_and_a_day_old_gets_its_closing_survey_then_is_completed_once(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", START) for n in range(3)]
    young = pair(services, "Maria", "Tom", START + timedelta(days=10))
    clock.now = run_at(85)  # 12 weeks and a day after the start

    first = remind(services, clock())
    services.mail.drain(per_second=1000)

    assert (first.pairs, first.completed, first.queued) == (4, 3, {"survey": 6})
    for match in matches:
        stored = services.rounds.matches.get("demo", match.match_id)
        assert stored is not None
        assert (stored.status, stored.end_reason, stored.ended_at, stored.ended_by) == (
            MatchState.COMPLETED,
            "completed",
            clock(),
            "",
        )
    assert status_of(services, young) is MatchState.ACTIVE
    # Both people's places are free again; the younger pair's are still held.
    places = {p.email: p.active_matches for p in services.participants.for_program("demo")}
    assert places == {
        **{f"mentor{n}@example.org": 0 for n in range(3)},
        **{f"mentee{n}@example.org": 0 for n in range(3)},
        "maria@example.org": 1,
        "tom@example.org": 1,
    }
    # The closing survey went to each of the six, with its form and their own page.
    closing = {to: message for to, message in mailbox.sent}
    assert sorted(closing) == sorted(
        [f"mentor{n}@example.org" for n in range(3)] + [f"mentee{n}@example.org" for n in range(3)]
    )
    message = closing["mentee0@example.org"]
    assert message["Subject"] == "Your 12 weeks with Mentor0: a last look back"
    text = " ".join(plain(message).split())
    assert (
        "has come to an end. Thank you for taking part. Please tell us how your mentoring went"
        in text
    )
    assert (
        "You stay in the matching pool: the next matching round looks for someone new for you, "
        "and never Mentor0 again. If you would rather stop here, take a break or leave on your "
        "own page" in text
    )
    (form,) = links(message, "/checkin/")
    (page,) = links(message, "/me/")
    assert services.links.check(token_of(form, "/checkin/"), "checkin").scope == (
        f"{matches[0].match_id}|closing"
    )
    assert services.links.check(token_of(page, "/me/"), "me").subject == "mentee0@example.org"

    # The event delivered again, and the next day's run: nothing changes.
    stored = table_snapshot()
    clock.advance(minutes=1)
    again = remind(services, clock())
    clock.now = run_at(86)
    next_day = remind(services, clock())
    services.mail.drain(per_second=1000)

    assert (again.pairs, again.completed, again.queued) == (1, 0, {})
    assert (next_day.pairs, next_day.completed, next_day.queued) == (1, 0, {})
    assert table_snapshot() == stored
    assert len(mailbox.sent) == 6


def test_the_closing_survey_of_a_completed_match_is_still_answered(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    match = pair(services, "Maria", "Tom", START)
    clock.now = run_at(84)
    assert remind(services, clock()).completed == 1

    clock.now = run_at(86, hour=19)
    services.checkins.record(
        "demo",
        match.match_id,
        "tom@example.org",
        CheckinAnswers(met=True, satisfaction=5, survey="closing"),
    )

    (answer,) = services.checkins.history(match.match_id)
    assert (answer.author, answer.survey, answer.satisfaction) == ("tom@example.org", "closing", 5)
    # A completed match takes no new goals, and cannot be ended a second time.
    with pytest.raises(CheckinError, match="completed its cycle"):
        services.checkins.add_goal("demo", match.match_id, "tom@example.org", "Keep in touch")
    with pytest.raises(ParticipationError, match="completed its cycle"):
        services.participation.end_match("demo", match.match_id, "tom@example.org", "rematch")
    assert status_of(services, match) is MatchState.COMPLETED


def test_a_pair_whose_closing_survey_failed_stays_active_until_a_run_sends_it(
    services: Services,
    demo: Program,
    clock: FakeClock,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    match = pair(services, "Maria", "Tom", START)
    original = ReminderService._send_survey

    def broken(*args: Any) -> bool:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(ReminderService, "_send_survey", broken)
    clock.now = run_at(84)
    failed = remind(services, clock())
    assert (failed.status, failed.completed) == ("failed", 0)
    assert status_of(services, match) is MatchState.ACTIVE

    monkeypatch.setattr(ReminderService, "_send_survey", original)
    clock.now = run_at(85)
    retried = remind(services, clock())
    services.mail.drain(per_second=1000)

    assert (retried.status, retried.completed, retried.queued) == ("done", 1, {"survey": 2})
    assert sorted(to for to, _ in mailbox.sent) == ["maria@example.org", "tom@example.org"]
    assert status_of(services, match) is MatchState.COMPLETED


def test_the_weekly_summary_counts_completed_matches_and_their_people_wait_for_a_new_one(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    for n in range(3):
        pair(services, f"Mentor{n}", f"Mentee{n}", START)
    clock.now = run_at(85)
    remind(services, clock())
    mailbox.sent.clear()
    friday = datetime(2026, 5, 29, 7, 0, tzinfo=UTC)  # 08:00 in London, day 88
    clock.now = friday

    services.summaries.send(demo, friday, "test")
    services.mail.drain(per_second=1000)

    (message,) = [m for to, m in mailbox.sent if to == ORGANIZER]
    text = " ".join(plain(message).split())
    figures = text[text.index("Participation") :]
    assert "Matched: 6" in figures
    assert "In an active match: 0" in figures
    assert "Completed the cycle: 6" in figures
    assert "Still in or through their match (retention): 100%" in figures
    # Back in the pool since the run that completed their matches, three days ago.
    assert "Still waiting for a match (6 people)" in text
    assert '"Mentor0 Example" (mentor, mentor0@example.org): 3 days' in text
    # Completing is not ending early: no "ended this week" entry.
    assert "Matches that ended early" not in text


def test_a_mentor_whose_mentee_completed_the_cycle_takes_a_new_mentee_in_the_next_round(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", START) for n in range(3)]
    clock.now = run_at(85)
    remind(services, clock())
    services.participants.save(stored_person("Nina", Role.MENTEE, clock()))
    monday = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # the next Monday's round
    clock.now = monday

    outcome = services.rounds.run(demo, round_id_for(monday), trigger="cli")

    assert (outcome.status, outcome.pairs) == ("done", 3)
    new = {
        (m.mentor, m.mentee)
        for m in services.rounds.matches.for_program("demo")
        if m.status is MatchState.ACTIVE
    }
    assert {mentor for mentor, _ in new} == {f"mentor{n}@example.org" for n in range(3)}
    assert not new & {(m.mentor, m.mentee) for m in matches}  # never the same pair again
    assert len({mentee for _, mentee in new}) == 3


def test_portal_remind_says_how_many_matches_completed_their_cycle(
    services: Services, demo: Program, cli_env: None
) -> None:
    pair(services, "Sam", "Sol", START)

    day85 = CliRunner().invoke(main, ["remind", "--at", "2026-05-26T07:00"])

    assert day85.exit_code == 0, day85.output
    assert "demo: 1 active pairs, queued 2 survey; 1 completed their cycle" in day85.output
    again = CliRunner().invoke(main, ["remind", "--at", "2026-05-26T08:00"])
    assert "demo: 0 active pairs, nothing due" in again.output
