"""Matching rounds on moto: pairs stored safely, everyone introduced once, locks, resumes."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from botocore.session import Session
from click.testing import CliRunner

import portal.container as container
from portal.cli import main
from portal.container import Services
from portal.domain.participants import Participant, Role
from portal.domain.program import Approval, Format, Program
from portal.local.demo import demo_participants
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.persistence.matches import StoredMatch
from portal.persistence.tables import OutboxRecord, ParticipantRecord, RoundRecord
from portal.presenters.reasons import strengths, worth_knowing
from portal.services.rounds import RoundService, is_round_id, round_id_for
from tests.conftest import FakeClock, table_snapshot
from tests.factories import seed_demo_people

ROUND = "2026-03-02T0900Z"  # the clock fixture's Monday, 09:00 in London
NEXT_ROUND = "2026-03-09T0900Z"
ORGANIZER = "organizer@example.org"


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    assert (program.format, program.capacity, program.approval) == (
        Format.ONE_ON_ONE,
        1,
        Approval.AUTO,
    )
    return program


def active(services: Services, slug: str) -> list[StoredMatch]:
    return [m for m in services.rounds.matches.for_program(slug) if m.status == "active"]


def pairs_of(matches: list[StoredMatch]) -> set[tuple[str, str]]:
    return {(m.mentor, m.mentee) for m in matches}


def assert_capacity_holds(services: Services, program: Program) -> Counter[str]:
    """No one is in more active matches than their capacity, and the stored counts agree."""
    people = {p.email: p for p in services.participants.for_program(program.slug)}
    counts: Counter[str] = Counter()
    for m in active(services, program.slug):
        counts[m.mentor] += 1
        counts[m.mentee] += 1
    for email, n in counts.items():
        person = people[email]
        limit = min(person.capacity, program.capacity) if person.role is Role.MENTOR else 1
        assert n <= limit, f"{person.role} {email} is in {n} active matches (limit {limit})"
    for record in ParticipantRecord.query(program.slug):
        assert int(record.active_matches or 0) == counts[record.email], record.email
    return counts


def plain(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


def introductions(sent: list[tuple[str, EmailMessage]]) -> list[tuple[str, EmailMessage]]:
    return [(r, m) for r, m in sent if str(m["Subject"]).startswith("Meet ")]


def assert_groups_introduced_once(
    sent: list[tuple[str, EmailMessage]],
    people: dict[str, Participant],
    matches: list[StoredMatch],
) -> None:
    """A group program: each member got one email naming everyone in their group; no others."""
    groups: dict[str, set[str]] = {}
    for m in matches:
        groups.setdefault(m.mentor, {m.mentor}).add(m.mentee)
    got = [(to, message) for to, message in sent if " group in " in str(message["Subject"])]
    assert sorted(to for to, _ in got) == sorted(email for g in groups.values() for email in g)
    pairs = [m for _, m in introductions(sent) if " group in " not in str(m["Subject"])]
    assert not pairs  # no pair's "Meet <name>" email
    for members in groups.values():
        for to, message in got:
            if to in members:
                assert all(people[email].name in plain(message) for email in members)


def assert_introduced_once(
    sent: list[tuple[str, EmailMessage]],
    people: dict[str, Participant],
    matches: list[StoredMatch],
) -> None:
    """Each side of each match got one introduction to the other, with a reason; no others."""
    intros = introductions(sent)
    assert len(intros) == 2 * len(matches)
    for m in matches:
        for me, other in ((m.mentor, m.mentee), (m.mentee, m.mentor)):
            found = [message for to, message in intros if to == me and message["Reply-To"] == other]
            assert len(found) == 1, f"{me} got {len(found)} introductions to {other}"
            message = found[0]
            text = plain(message)
            assert message["Subject"].startswith(f"Meet {people[other].first_name}:")
            assert people[other].name in text
            assert m.reasons, "the engine gave no reason for the pair"
            # Every reason the engine gave, in words from this reader's side: the strengths
            # as reasons, the weak points on the one "worth knowing" line.
            flat, viewpoint = " ".join(text.split()), people[me].role.value
            said = [*strengths(m.reasons, viewpoint), worth_knowing(m.reasons, viewpoint)]
            assert any(said), m.reasons
            for words in filter(None, said):
                assert " ".join(words.split()) in flat, words


def outbox_keys() -> list[str]:
    return [record.key for record in OutboxRecord.scan()]


def summaries(sent: list[tuple[str, EmailMessage]], to: str) -> list[EmailMessage]:
    return [m for r, m in sent if r == to and "round" in str(m["Subject"])]


# A round of the demo program


def test_a_round_matches_introduces_everyone_once_and_tells_the_organizer(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    people = {p.email: p for p in seed_demo_people(services, demo, clock())}

    outcome = services.rounds.run(demo, ROUND, trigger="cli")

    assert outcome.status == "done"
    stored = active(services, "demo")
    # Capacity 1, more mentees (24) than mentors (16), and each mentor passes the rules with
    # several mentees: every mentor takes one.
    mentors = {email for email, p in people.items() if p.role is Role.MENTOR}
    assert len(stored) == outcome.pairs == len(mentors) == 16
    assert {m.mentor for m in stored} == mentors
    assert {m.round_id for m in stored} == {ROUND}
    for m in stored:
        assert people[m.mentor].role is Role.MENTOR
        assert people[m.mentee].role is Role.MENTEE
    counts = assert_capacity_holds(services, demo)
    assert set(counts.values()) == {1}  # capacity 1: one mentor, one mentee, no one twice
    assert mailbox.sent == []  # queued, not sent, until the outbox is drained

    report = services.mail.drain(per_second=1000)

    # Two introductions a pair, a waiting email to each of the eight mentees left, a summary.
    assert report.sent == len(mailbox.sent) == 2 * len(stored) + 8 + 1
    assert_introduced_once(mailbox.sent, people, stored)
    (summary,) = summaries(mailbox.sent, ORGANIZER)
    assert summary["Subject"] == (
        f"{demo.title}: {len(stored)} matches in the Mon 2 Mar 2026 round"
    )
    text = plain(summary)
    for m in stored:
        assert people[m.mentor].name in text
        assert people[m.mentee].name in text
    unmatched = set(people) - set(counts)
    assert len(unmatched) == outcome.unmatched
    for email in unmatched:
        assert people[email].name in text  # each unmatched person is named with the reason
    assert services.mail.drain(per_second=1000).sent == 0


def test_a_mentor_never_takes_more_mentees_than_their_capacity(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    leaders = services.programs.get("leaders-group")
    assert leaders is not None
    program = leaders.model_copy(update={"capacity": 2, "approval": Approval.AUTO})
    people = demo_participants(program, clock())
    mentors = [p for p in people if p.role is Role.MENTOR][:5]
    mentees = [p for p in people if p.role is Role.MENTEE]
    # Three mentors offer more than the program allows, two offer just one place.
    offers = [5, 5, 5, 1, 1]
    for person, offer in zip(mentors, offers, strict=True):
        services.participants.save(replace(person, capacity=offer))
    for person in mentees:
        services.participants.save(person)

    outcome = services.rounds.run(program, ROUND, trigger="cli")

    assert outcome.status == "done"
    counts = assert_capacity_holds(services, program)
    per_mentor = [counts[m.email] for m in mentors]
    assert max(per_mentor) == 2, per_mentor  # the program's cap, not the mentor's offer of 5
    assert all(counts[m.email] <= 1 for m in mentors[3:])
    assert sum(per_mentor) == outcome.pairs == len(active(services, program.slug))

    services.mail.drain(per_second=1000)
    everyone = {p.email: p for p in people}
    assert_groups_introduced_once(mailbox.sent, everyone, active(services, program.slug))
    assert len(summaries(mailbox.sent, "leaders@example.org")) == 1


def test_a_round_does_not_build_a_client_per_match(
    services: Services, demo: Program, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A botocore client costs ~0.4 s of CPU: one per match would make a round of a few
    # hundred pairs outlast the function's 120 s timeout.
    people = demo_participants(demo, clock())
    mentors = [p for p in people if p.role is Role.MENTOR]
    mentees = [p for p in people if p.role is Role.MENTEE]
    for person in mentors[:8] + mentees[:8]:
        services.participants.save(person)
    for model in tables.ALL_MODELS:
        model.describe_table()  # each table's own client exists before counting
    made = 0
    create_client = Session.create_client

    @functools.wraps(create_client)
    def counting(self: Session, *args: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        return create_client(self, *args, **kwargs)

    monkeypatch.setattr(Session, "create_client", counting)
    outcome = services.rounds.run(demo, ROUND, trigger="cli")
    assert outcome.pairs == 8  # the first eight demo mentors and mentees all pair up
    assert made <= 1, f"{made} botocore clients made for {outcome.pairs} pairs"


# The CLI and the schedule


def test_the_cli_and_the_schedule_make_the_same_pairs_from_the_same_data(
    services: Services,
    demo: Program,
    clock: FakeClock,
    cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_demo_people(services, demo, clock(), mentors=10, mentees=14)
    # The command reads the time from the services it builds: give it the test's clock.
    monkeypatch.setattr(
        container,
        "build_services",
        functools.partial(container.build_services, clock=clock),
    )

    result = CliRunner().invoke(main, ["round", "--program", "demo"])

    assert result.exit_code == 0, result.output
    by_cli = active(services, "demo")
    assert f"demo round {ROUND}: {len(by_cli)} pairs" in result.output
    assert RoundRecord.get("demo", ROUND).trigger == "cli"
    again = CliRunner().invoke(main, ["round", "--program", "demo"])
    assert again.exit_code == 0, again.output
    assert f"demo round {ROUND}: this round already ran" in again.output
    before = table_snapshot()
    unknown = CliRunner().invoke(main, ["round", "--program", "nope"])
    assert unknown.exit_code == 2
    assert "no program 'nope' (known: " in unknown.output
    assert table_snapshot() == before

    # The same people, fresh, matched by the scheduled function's entry point (the tables
    # stay bound to the CLI's endpoint, the same moto tables: rebinding costs new clients).
    tables.truncate_tables()
    seed_demo_people(services, demo, clock(), mentors=10, mentees=14)
    outcomes = {o.program: o for o in services.rounds.run_due(clock())}

    assert outcomes["demo"].status == "done"
    assert outcomes["demo"].round_id == ROUND
    assert RoundRecord.get("demo", ROUND).trigger == "schedule"
    by_schedule = active(services, "demo")
    assert len(by_cli) == 10  # each of the ten mentors takes one of the 14 mentees
    assert pairs_of(by_schedule) == pairs_of(by_cli)
    assert {(m.mentor, m.mentee): m.reasons for m in by_schedule} == {
        (m.mentor, m.mentee): m.reasons for m in by_cli
    }


# A round that stopped half-way


class IntroductionFailedError(RuntimeError):
    pass


def fail_introduction(monkeypatch: pytest.MonkeyPatch, on_call: int) -> None:
    """Make RoundService._introduce (one pair's two emails) raise on its `on_call`-th call."""
    calls = 0
    original = RoundService._introduce

    def flaky(self: RoundService, *args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == on_call:
            raise IntroductionFailedError("the template engine fell over")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RoundService, "_introduce", flaky)


def test_the_next_round_finishes_an_interrupted_one(
    services: Services,
    demo: Program,
    clock: FakeClock,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # More mentees than mentors: the later round has people left to match, and mentors who
    # signed up during the week to match them with.
    people = {p.email: p for p in seed_demo_people(services, demo, clock(), mentors=8, mentees=12)}
    fail_introduction(monkeypatch, 1)

    with pytest.raises(IntroductionFailedError):
        services.rounds.run(demo, ROUND, trigger="schedule")

    interrupted = active(services, "demo")
    # Each of the eight mentors takes one of the twelve mentees, and every pair is stored
    # before the first introduction.
    assert len(interrupted) == 8
    assert services.rounds.rounds.get("demo", ROUND).status == "started"
    clock.advance(days=7)
    newcomers = [p for p in demo_participants(demo, clock()) if p.role is Role.MENTOR][8:12]
    for mentor in newcomers:
        services.participants.save(mentor)
        people[mentor.email] = mentor
    later = services.rounds.run(demo, NEXT_ROUND, trigger="schedule")

    assert later.status == "done"  # the lock was released by the failed run
    assert services.rounds.rounds.get("demo", ROUND).status == "introduced"
    assert services.rounds.rounds.unfinished("demo") == []
    assert_capacity_holds(services, demo)
    everything = active(services, "demo")
    assert [m for m in everything if m.round_id == ROUND] == interrupted
    assert len(everything) == len(interrupted) + later.pairs
    services.mail.drain(per_second=1000)
    services.mail.drain(per_second=1000)
    assert_introduced_once(mailbox.sent, people, everything)
    # One summary per round: the interrupted round's and the later one's.
    assert len(summaries(mailbox.sent, ORGANIZER)) == 2


def test_the_summary_of_a_finished_interrupted_round_tells_the_truth(
    services: Services,
    demo: Program,
    clock: FakeClock,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_demo_people(services, demo, clock(), mentors=8, mentees=12)
    fail_introduction(monkeypatch, 1)
    with pytest.raises(IntroductionFailedError):
        services.rounds.run(demo, ROUND, trigger="schedule")
    clock.advance(days=7)
    services.rounds.run(demo, NEXT_ROUND, trigger="schedule")
    services.mail.drain(per_second=1000)

    (summary,) = [
        m for m in summaries(mailbox.sent, ORGANIZER) if f"Round reference: {ROUND}" in plain(m)
    ]
    text = plain(summary)
    assert "Mon 2 Mar 2026 round" in summary["Subject"], summary["Subject"]
    assert "0% of 0" not in text
    assert "(0 mentors, 0 mentees)" not in text
    assert "everyone who could be matched was matched" not in text  # four mentees were not


def test_a_repeated_event_after_a_crash_resumes_the_same_round(
    services: Services,
    demo: Program,
    clock: FakeClock,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = {p.email: p for p in seed_demo_people(services, demo, clock(), mentors=8, mentees=8)}
    # Two pairs were introduced before the crash: the resumed round must not repeat them.
    fail_introduction(monkeypatch, 3)
    with pytest.raises(IntroductionFailedError):
        services.rounds.run(demo, ROUND, trigger="schedule")
    interrupted = active(services, "demo")
    assert len([key for key in outbox_keys() if key.startswith("intro:")]) == 4
    clock.advance(minutes=5)

    again = services.rounds.run(demo, ROUND, trigger="schedule")

    assert again.status == "done"
    assert services.rounds.rounds.get("demo", ROUND).status == "introduced"
    assert active(services, "demo") == interrupted  # nobody was matched a second time
    assert_capacity_holds(services, demo)
    services.mail.drain(per_second=1000)
    assert_introduced_once(mailbox.sent, people, interrupted)
    assert len(summaries(mailbox.sent, ORGANIZER)) == 1
    assert services.rounds.run(demo, ROUND, trigger="schedule").status == "repeated"


# Only the round creates a round


def test_finishing_or_recording_a_round_that_does_not_exist_creates_nothing(
    services: Services, clock: FakeClock
) -> None:
    rounds = services.rounds.rounds

    assert not rounds.finish("demo", ROUND, "introduced", {"pairs": 0}, clock(), was="proposed")
    assert not rounds.record_result("demo", ROUND, {"format": "one-on-one"}, clock())

    assert RoundRecord.count("demo") == 0
    assert rounds.latest("demo") is None


def test_a_round_is_finished_only_from_the_status_it_is_expected_in(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    assert services.rounds.run(demo, ROUND, trigger="cli").status == "nobody"
    rounds = services.rounds.rounds

    assert not rounds.finish("demo", ROUND, "introduced", {"pairs": 9}, clock(), was="proposed")

    finished = rounds.get("demo", ROUND)
    assert finished is not None
    assert (finished.status, finished.created_at) == ("empty", clock())


@pytest.mark.parametrize(
    "text",
    [
        "not-a-round",
        "2026-3-2T0900Z",  # what strptime reads, not what round_id_for writes
        "2026-03-02T0900Z ",
        "2026-03-02t0900z",
        "2026-02-30T0900Z",
        "2026-03-02T0900Z".ljust(1000, "9"),
        "~lock",
        "",
    ],
)
def test_only_the_names_round_id_for_gives_are_round_ids(text: str) -> None:
    assert not is_round_id(text)


def test_a_round_id_is_a_round_id(clock: FakeClock) -> None:
    assert is_round_id(round_id_for(clock()))
    assert is_round_id(ROUND)


# The round lock


def test_a_held_lock_makes_a_round_busy_and_it_writes_nothing(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    seed_demo_people(services, demo, clock())
    rounds = services.rounds.rounds
    assert rounds.acquire_lock("demo", "another-run", clock(), timedelta(minutes=15))
    clock.advance(minutes=14)

    outcome = services.rounds.run(demo, ROUND, trigger="schedule")

    assert outcome.status == "busy"
    assert (outcome.pairs, outcome.emails) == (0, 0)
    assert list(services.rounds.matches.for_program("demo")) == []
    assert rounds.get("demo", ROUND) is None
    assert outbox_keys() == []
    assert all(int(r.active_matches or 0) == 0 for r in ParticipantRecord.query("demo"))
    lock = RoundRecord.get("demo", "~lock")
    assert lock.lock_owner == "another-run"  # a busy run never frees someone else's lock
    assert {o.program: o.status for o in services.rounds.run_due(clock())}["demo"] == "busy"


def test_an_expired_lock_is_taken_over(services: Services, demo: Program, clock: FakeClock) -> None:
    seed_demo_people(services, demo, clock(), mentors=4, mentees=4)
    rounds = services.rounds.rounds
    assert rounds.acquire_lock(
        "demo", "a-crashed-run", clock() - timedelta(minutes=20), timedelta(minutes=15)
    )
    assert not rounds.acquire_lock(
        "demo", "someone", clock() - timedelta(minutes=10), timedelta(minutes=1)
    )

    outcome = services.rounds.run(demo, ROUND, trigger="schedule")

    assert outcome.status == "done"
    # Three of the first four demo mentees pair up: Rosa's one possible mentor would score
    # 38.6, below the demo's min_score of 40 (test_a_weak_pair_is_held_in_an_auto_program).
    assert outcome.pairs == 3
    assert RoundRecord.count("demo", RoundRecord.round_id == "~lock") == 0  # released after
    assert rounds.acquire_lock("demo", "next", clock(), timedelta(minutes=15))


def test_a_round_with_nobody_waiting_says_so_and_sends_nothing(
    services: Services, demo: Program
) -> None:
    outcome = services.rounds.run(demo, ROUND, trigger="cli")
    assert outcome.status == "nobody"
    assert services.rounds.rounds.get("demo", ROUND).status == "empty"
    assert outbox_keys() == []
    assert services.rounds.run(demo, ROUND, trigger="cli").status == "repeated"


# One program's trouble, and the organizers' calendar


def test_one_programs_failing_round_does_not_stop_the_others(
    services: Services, demo: Program, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    peers = services.programs.get("peer-circles")
    assert peers is not None
    seed_demo_people(services, demo, clock(), mentors=3, mentees=3)
    for person in demo_participants(peers, clock())[:6]:
        services.participants.save(person)
    original = RoundService._introduce

    def broken_for_demo(self: RoundService, program: Program, *args: Any, **kwargs: Any) -> int:
        if program.slug == "demo":
            raise IntroductionFailedError("the demo's template is broken")
        return original(self, program, *args, **kwargs)

    monkeypatch.setattr(RoundService, "_introduce", broken_for_demo)
    # 14:00 UTC is 09:00 in New York; the demo's 09:00 run was missed, so it is caught up.
    last_week = clock() - timedelta(days=7)
    services.rounds.rounds.create("demo", "2026-02-23T0900Z", trigger="schedule", now=last_week)
    services.rounds.rounds.finish("demo", "2026-02-23T0900Z", "empty", {}, last_week, was="started")
    clock.now = clock.now.replace(hour=14)

    outcomes = {o.program: o for o in services.rounds.run_due(clock())}

    assert outcomes["demo"].status == "failed"
    assert outcomes["demo"].round_id == ROUND
    assert outcomes["peer-circles"].status == "done"
    assert services.rounds.rounds.get("demo", ROUND).status == "started"  # resumed next time
    done = services.rounds.rounds.latest("peer-circles")
    assert done is not None
    assert done.status == "introduced"
    assert len(active(services, "peer-circles")) == 3  # its first six demo peers, in twos


def test_the_summary_dates_the_round_in_the_programs_time_zone(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    new_york = demo.model_copy(update={"timezone": "America/New_York"})
    seed_demo_people(services, new_york, clock(), mentors=3, mentees=3)
    clock.now = clock.now.replace(day=2, hour=1)  # Sunday 1 March, 20:00 in New York

    outcome = services.rounds.run(new_york, "2026-03-02T0100Z", trigger="cli")
    services.mail.drain(per_second=1000)

    (summary,) = summaries(mailbox.sent, ORGANIZER)
    assert summary["Subject"].endswith(f"{outcome.pairs} matches in the Sun 1 Mar 2026 round"), (
        summary["Subject"]
    )


def test_on_a_simulated_clock_the_round_says_how_to_send_its_introductions(
    services: Services,
    demo: Program,
    clock: FakeClock,
    cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The README's simulated days: the round at PORTAL_CLOCK, its introductions sent that day.
    seed_demo_people(services, demo, clock(), mentors=2, mentees=2)
    monkeypatch.setenv("PORTAL_CLOCK", "2026-03-02T09:00")

    result = CliRunner().invoke(main, ["round", "--program", "demo"])

    assert result.exit_code == 0, result.output
    pairs = len(active(services, "demo"))
    assert pairs
    assert f"demo round {ROUND}: {pairs} pairs" in result.output
    queued = sum(1 for _ in OutboxRecord.scan())
    # Each command's clock starts again at PORTAL_CLOCK, and the mail was queued a moment
    # after it: the command names a later moment that sends it all.
    assert "Send them with: portal send-mail --at 2026-03-02T10:00" in result.output
    hinted = CliRunner().invoke(main, ["send-mail", "--at", "2026-03-02T10:00"])
    assert hinted.exit_code == 0, hinted.output
    assert hinted.output.startswith(f"{queued} sent")
    sent = Counter(r.template for r in OutboxRecord.scan() if r.status == "sent")
    assert sent["introduction"] == 2 * pairs  # the introductions, on the round's day
