"""The daily reminder run on moto with a clock: what each person receives, on which day, once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.checkins import Fit, Kind
from portal.domain.participants import Status
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord, TokenRecord
from portal.services.checkins import CheckinAnswers
from portal.services.reminders import ReminderService
from tests.conftest import (
    FakeClock,
    html,
    links,
    plain,
    table_snapshot,
    token_of,
)
from tests.factories import pair

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock fixture's Monday; matches start here
ORGANIZER = "organizer@example.org"
PRIVATE = "We do not get on, please do not tell him"


def run_at(day: int, hour: int = 7) -> datetime:
    """The daily run's time on match day `day` (07:00 UTC, zappa_settings.json)."""
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


def kind_of(message: EmailMessage) -> str:
    """Which email this is, by the subject its reader sees."""
    subject = str(message["Subject"])
    for start, kind in (
        ("How is it going with", "reminder"),
        ("Have you and", "nudge"),
        ("Carry on with", "offer"),
        ("Day 30:", "survey-day-30"),
        ("Your 12 weeks with", "closing-survey"),
        ("Your match with", "ended"),
    ):
        if subject.startswith(start):
            return kind
    if "need attention today" in subject or "needs attention today" in subject:
        return "alert"
    raise AssertionError(f"an unexpected email: {subject}")


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    assert program.cycle_weeks == 12
    assert program.timezone == "Europe/London"
    return program


def remind_and_send(services: Services, clock: FakeClock, mailbox: MemorySender) -> list[Any]:
    before = len(mailbox.sent)
    services.reminders.remind(clock())
    services.mail.drain(per_second=1000)
    return mailbox.sent[before:]


# One reminder, looked at closely


def test_a_reminder_has_the_checkin_link_five_one_click_ratings_and_the_weeks_track_step(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = pair(services, "Maria", "Tom", START)
    clock.now = run_at(14)

    sent = remind_and_send(services, clock, mailbox)

    assert sorted(to for to, _ in sent) == ["maria@example.org", "tom@example.org"]
    message = next(m for to, m in sent if to == "tom@example.org")
    assert message["Subject"] == "How is it going with Maria? A one-minute check-in"
    text = " ".join(plain(message).split())
    assert (
        'You and "Maria Example", your mentor in Demo: Tech Careers mentoring, were matched' in text
    )
    assert "14 days ago, and neither of you has checked in yet" in text
    ratings = links(message, "/rate/")
    assert [url.rsplit("/", 1)[1] for url in ratings] == ["1", "2", "3", "4", "5"]
    assert len({token_of(url, "/rate/") for url in ratings}) == 1  # one token, five answers
    (checkin,) = links(message, "/checkin/")
    assert checkin.startswith("http://portal.test/checkin/")
    # Week 3 of the match: the track's step from week 2 on.
    assert "This week: Make a plan" in plain(message)
    assert "Break each goal into small steps." in text
    assert "week 3 of 12" in text
    page = html(message)
    assert all(url in page for url in ratings)
    assert "<img" not in page  # reads the same with images off
    assert ">Poor<" in page
    assert ">Great<" in page

    # The link opens Tom's own form; the rating link records Tom's rating, once.
    grant = services.links.check(token_of(checkin, "/checkin/"), "checkin")
    assert (grant.subject, grant.scope) == ("tom@example.org", f"{match.match_id}|")
    services.checkins.rate(token_of(ratings[3], "/rate/"), 4, None)
    (rating,) = services.checkins.history(match.match_id)
    assert (rating.author, rating.kind, rating.satisfaction) == ("tom@example.org", Kind.RATING, 4)


def test_the_second_nudge_gives_the_partners_address_and_replies_go_to_them(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    pair(services, "Maria", "Tom", START)
    clock.now = run_at(14)
    reminders = remind_and_send(services, clock, mailbox)
    clock.now = run_at(21)
    nudges = remind_and_send(services, clock, mailbox)

    message = next(m for to, m in nudges if to == "tom@example.org")
    assert kind_of(message) == "nudge"
    text = " ".join(plain(message).split())
    assert "write to them once more at maria@example.org" in text
    assert 'href="mailto:maria@example.org"' in html(message)
    assert message["Reply-To"] == "maria@example.org"
    # A reminder that does not ask them to write keeps replies away from the partner.
    assert all(m["Reply-To"] is None for _, m in reminders)


def test_running_again_the_same_day_queues_nothing_and_issues_no_token(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    pair(services, "Maria", "Tom", START)
    clock.now = run_at(14)
    first = services.reminders.remind(clock())
    tokens = TokenRecord.count()
    keys = sorted(r.key for r in OutboxRecord.scan())

    clock.advance(minutes=1)  # EventBridge delivers the event again
    second = services.reminders.remind(clock())
    clock.now = run_at(15)
    third = services.reminders.remind(clock())

    assert first[0].queued == {"checkin_reminder": 2}
    assert second[0].queued == third[0].queued == {}
    assert TokenRecord.count() == tokens
    assert sorted(r.key for r in OutboxRecord.scan()) == keys
    assert all("maria" not in key and "tom" not in key for key in keys)  # no addresses in keys


def test_a_failing_program_does_not_stop_the_others(
    services: Services, demo: Program, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair(services, "Maria", "Tom", START)
    original = ReminderService.remind_program

    def broken(self: ReminderService, program: Program, now: datetime, **options: Any) -> Any:
        if program.slug != "demo":
            raise RuntimeError("broken")
        return original(self, program, now, **options)

    monkeypatch.setattr(ReminderService, "remind_program", broken)
    clock.now = run_at(14)
    outcomes = {o.program: o for o in services.reminders.remind(clock())}
    assert outcomes["demo"].queued == {"checkin_reminder": 2}
    assert {o.status for slug, o in outcomes.items() if slug != "demo"} == {"failed"}


# A whole cycle, day by day


def test_a_twelve_week_cycle_sends_each_step_on_its_day_exactly_once(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    regular = pair(services, "Rita", "Raj", START)  # checks in every ten days
    silent = pair(services, "Sam", "Sol", START)  # never answers
    unhappy = pair(services, "Lena", "Leo", START)  # rates low, then asks for a new match
    paused = pair(services, "Pia", "Pat", START)  # Pia pauses on day 10
    received: Counter[tuple[int, str, str]] = Counter()
    bodies: list[str] = []

    def checkin(match: Any, author: str, on: int, **answers: Any) -> None:
        clock.now = run_at(on, hour=18)
        services.checkins.record("demo", match.match_id, author, CheckinAnswers(**answers))

    for day in range(0, 92):
        clock.now = run_at(day)
        for _ in range(2):  # every event delivered twice
            for to, message in remind_and_send(services, clock, mailbox):
                received[(day, to, kind_of(message))] += 1
                bodies.append(plain(message) + html(message))
                if day == 14 and to == "leo@example.org":
                    # Leo answers the reminder with the "2" link, the same day.
                    url = links(message, "/rate/")[1]
                    clock.now = run_at(day, hour=12)
                    services.checkins.rate(token_of(url, "/rate/"), 2, "leo@example.org")
                    clock.now = run_at(day)
        if day % 10 == 5:
            checkin(regular, "raj@example.org", day, met=True, day=run_at(day).date(), minutes=45)
        if day == 31:
            checkin(regular, "raj@example.org", day, met=True, satisfaction=4, survey="day-30")
        if day == 29:
            checkin(
                unhappy,
                "lena@example.org",
                day,
                met=True,
                satisfaction=1,
                fit=Fit.REMATCH,
                note=PRIVATE,
            )
        if day == 10:
            clock.now = run_at(day, hour=18)
            services.participation.set_status("demo", "pia@example.org", Status.PAUSED)

    def both(day: int, kind: str, *names: str) -> set[tuple[int, str, str]]:
        return {(day, f"{name}@example.org", kind) for name in names}

    expected = (
        # The regular pair: never quiet for 14 days; the surveys, nothing else.
        both(30, "survey-day-30", "rita", "raj")
        | both(84, "closing-survey", "rita", "raj")
        # The silent pair climbs the whole ladder.
        | both(14, "reminder", "sam", "sol")
        | both(21, "nudge", "sam", "sol")
        | {(28, ORGANIZER, "alert")}
        | both(30, "survey-day-30", "sam", "sol")
        | both(35, "offer", "sam", "sol")
        | both(84, "closing-survey", "sam", "sol")
        # The unhappy pair: Leo's one-click rating on day 14 starts the ladder again; Lena's
        # check-in on day 29 asks for another match, which ends it: Leo is told, and then
        # neither gets anything more about it.
        | both(14, "reminder", "lena", "leo")
        | both(28, "reminder", "lena", "leo")
        | both(30, "ended", "leo")  # queued at 18:00, sent with the next morning's run
        # The paused pair's match ended on day 10: Pat is told, and nothing more, ever.
        | both(11, "ended", "pat")
    )
    assert set(received) == expected, (
        f"missing: {sorted(expected - set(received))}, unexpected: "
        f"{sorted(set(received) - expected)}"
    )
    assert set(received.values()) == {1}, "an email was sent more than once"
    assert not any(to.startswith("pi") for _, to, _ in received)
    assert services.rounds.matches.get("demo", paused.match_id).status == "ended"
    assert services.rounds.matches.get("demo", unhappy.match_id).end_reason == "rematch"
    assert silent.status == "active"
    # Lena's private note is for the organizers only: no participant email carries it.
    assert all(PRIVATE not in body for body in bodies)


def test_the_offer_links_to_the_persons_page_and_the_survey_to_its_form(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = pair(services, "Sam", "Sol", START)
    clock.now = run_at(30)
    surveys = remind_and_send(services, clock, mailbox)
    clock.now = run_at(35)
    offers = remind_and_send(services, clock, mailbox)

    survey = next(m for to, m in surveys if to == "sol@example.org")
    assert survey["Subject"] == "Day 30: how is your mentoring with Sam going?"
    (form,) = links(survey, "/checkin/")
    grant = services.links.check(token_of(form, "/checkin/"), "checkin")
    assert grant.scope == f"{match.match_id}|day-30"
    said = " ".join(plain(survey).split())
    assert "seen only by them, never by Sam" in said
    # It promises the questions the form asks (did you meet, how is it going), and no other:
    # the form has no "how often" question.
    assert "how often" not in said
    assert "whether you have met since your last check-in and how your mentoring is going" in said

    offer = next(m for to, m in offers if to == "sol@example.org")
    assert offer["Subject"] == "Carry on with Sam, or try someone new?"
    (page,) = links(offer, "/me/")
    assert services.links.check(token_of(page, "/me/"), "me").subject == "sol@example.org"
    text = " ".join(plain(offer).split())
    assert "It is 35 days since you and Sam were matched" in text
    assert "Ask for another mentor" in text
    assert links(offer, "/rate/") == []


def test_the_organizer_alert_names_the_pair_and_how_long_they_have_been_quiet(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = pair(services, "Sam", "Sol", START)
    clock.now = run_at(3, hour=12)
    services.checkins.record("demo", match.match_id, "sol@example.org", CheckinAnswers(met=True))
    clock.now = run_at(3 + 28)

    sent = remind_and_send(services, clock, mailbox)

    (alert,) = [m for to, m in sent if to == ORGANIZER]
    assert alert["Subject"] == "Demo: Tech Careers mentoring: 1 pair needs attention today"
    text = " ".join(plain(alert).split())
    assert "A pair: 28 days quiet" in text
    assert '"Sam Example" (mentor), sam@example.org' in text
    assert '"Sol Example" (mentee), sol@example.org' in text
    assert "Quiet since their last check-in on 5 March 2026" in text
    assert "week 5 of 12" in text


# The command


def outbox_templates() -> Counter[str]:
    return Counter(record.template for record in OutboxRecord.scan())


def test_portal_remind_runs_on_a_simulated_day_given_by_at_or_portal_clock(
    services: Services, demo: Program, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair(services, "Sam", "Sol", START)

    early = CliRunner().invoke(main, ["remind", "--at", "2026-03-10T07:00"])
    assert early.exit_code == 0, early.output
    assert "demo: 1 active pairs, nothing due" in early.output
    day14 = CliRunner().invoke(main, ["remind", "--at", "2026-03-16T07:00"])
    assert day14.exit_code == 0, day14.output
    assert "Reminders at 2026-03-16 07:00 UTC:" in day14.output
    assert "demo: 1 active pairs, queued 2 checkin reminder" in day14.output
    # Mail queued on a simulated clock is sent by a later simulated moment.
    assert "Send them with: portal send-mail --at 2026-03-16T08:00" in day14.output
    again = CliRunner().invoke(main, ["remind", "--at", "2026-03-16T09:00"])
    assert "demo: 1 active pairs, nothing due" in again.output
    monkeypatch.setenv("PORTAL_CLOCK", "2026-03-23T07:00:00Z")
    day21 = CliRunner().invoke(main, ["remind"])
    assert "demo: 1 active pairs, queued 2 second nudge" in day21.output
    assert outbox_templates() == {"checkin_reminder": 2, "second_nudge": 2}


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["remind", "--at", "16/03/2026"],
            {},
            "Invalid value for '--at': '16/03/2026' is not an ISO",
        ),
        (["remind", "--at", "2026-02-30"], {}, "'2026-02-30' is not an ISO date or date-time"),
        (["remind"], {"PORTAL_CLOCK": "tomorrow"}, "PORTAL_CLOCK: 'tomorrow' is not an ISO date"),
        (["summaries", "--program", "nope"], {}, "no program 'nope' (known: "),
        (["summaries"], {}, "Missing option '--program'"),
    ],
)
def test_bad_input_to_the_commands_gets_a_clear_message_and_changes_nothing(
    services: Services,
    cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    # On the simulated day 14 the pair is due its first reminders, and the demo its summary:
    # a command that ran in spite of the bad input would queue mail.
    pair(services, "Maria", "Tom", START)
    monkeypatch.setenv("PORTAL_CLOCK", "2026-03-16T07:00")
    before = table_snapshot()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert table_snapshot() == before


def test_someone_who_unsubscribed_gets_no_reminder_and_no_link_is_made_for_them(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    pair(services, "Maria", "Tom", START)
    assert services.mail.suppressions is not None
    services.mail.suppressions.add("tom@example.org", "unsubscribe", START)
    clock.now = run_at(14)

    sent = remind_and_send(services, clock, mailbox)

    assert [to for to, _ in sent] == ["maria@example.org"]
    assert {r.subject for r in TokenRecord.scan()} == {"maria@example.org"}


def test_on_a_surveys_day_the_reminder_waits_until_the_next_day(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = pair(services, "Maria", "Tom", START)
    clock.now = run_at(16, hour=12)  # a check-in on day 16: the reminder falls on day 30
    services.checkins.record("demo", match.match_id, "tom@example.org", CheckinAnswers(met=True))
    days: dict[int, list[str]] = {}
    for day in (29, 30, 31, 32):
        clock.now = run_at(day)
        days[day] = sorted(kind_of(m) for to, m in remind_and_send(services, clock, mailbox))

    assert days == {
        29: [],
        30: ["survey-day-30", "survey-day-30"],
        31: ["reminder", "reminder"],
        32: [],
    }


def test_peers_are_reminded_as_partners_and_surveyed_at_the_end_of_their_shorter_cycle(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    peers = services.programs.get("peer-circles")
    assert peers is not None
    assert (peers.cycle_weeks, peers.timezone, peers.track) == (8, "America/New_York", None)
    pair(services, "Ana", "Bea", START, program="peer-circles")
    clock.now = run_at(14, hour=12)  # noon UTC: 14 days later in New York too

    reminders = dict(remind_and_send(services, clock, mailbox))

    assert sorted(reminders) == ["ana@example.org", "bea@example.org"]
    text = " ".join(plain(reminders["ana@example.org"]).split())
    assert 'You and "Bea Example", your peer partner in Peer mentoring: Returners\' network' in text
    assert "This week:" not in text  # the program follows no track
    clock.now = run_at(56, hour=12)
    closing = {to: str(m["Subject"]) for to, m in remind_and_send(services, clock, mailbox)}
    assert closing == {
        "ana@example.org": "Your 8 weeks with Bea: a last look back",
        "bea@example.org": "Your 8 weeks with Ana: a last look back",
    }


def test_one_pair_that_fails_does_not_hold_back_the_others(
    services: Services, demo: Program, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = pair(services, "Maria", "Tom", START)
    pair(services, "Sam", "Sol", START)
    original = ReminderService._remind_pair

    def flaky(
        self: ReminderService, program: Program, match: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        if match.match_id == broken.match_id:
            raise RuntimeError("bad data")
        return original(self, program, match, *args, **kwargs)

    monkeypatch.setattr(ReminderService, "_remind_pair", flaky)
    clock.now = run_at(14)

    outcome = {o.program: o for o in services.reminders.remind(clock())}["demo"]

    assert outcome.status == "failed"  # the function fails, so an alarm sees it
    assert outcome.queued == {"checkin_reminder": 2}
    assert sorted(r.recipient for r in OutboxRecord.scan()) == [
        "sam@example.org",
        "sol@example.org",
    ]
