"""Rounds waited: counted for each round that leaves someone waiting, reset by their match,
and summed up for the organizers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.container import Services
from portal.domain.participants import Role, Status
from portal.domain.program import Program
from portal.local.demo import demo_participants
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, html, plain
from tests.factories import seed_demo_people, stored_person

ORGANIZER = "organizer@example.org"
ROUNDS = ("2026-03-02T0900Z", "2026-03-09T0900Z", "2026-03-16T0900Z")


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    return program


def run(services: Services, program: Program, round_id: str, clock: FakeClock) -> str:
    clock.now = clock.now.replace(day=int(round_id[8:10]))
    return services.rounds.run(program, round_id, trigger="cli").status


def waited(services: Services) -> dict[str, tuple[Role, int, int]]:
    """Each person's role, rounds waited and active matches, by address."""
    return {
        p.email: (p.role, p.rounds_waited, p.active_matches)
        for p in services.participants.for_program("demo")
    }


def test_each_round_that_leaves_someone_waiting_counts_and_a_match_resets_it(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seed_demo_people(services, demo, clock(), mentors=12)
    run(services, demo, ROUNDS[0], clock)
    first = waited(services)
    left = {e for e, (role, _, active) in first.items() if role is Role.MENTEE and not active}
    assert len(left) == 12  # 24 mentees, 12 mentors with one place each
    assert {first[e][1] for e in left} == {1}
    assert {n for e, (_, n, active) in first.items() if active} == {0}

    # A week on, the same people wait (nothing new: no email) but the round still counts.
    run(services, demo, ROUNDS[1], clock)
    assert {waited(services)[e][1] for e in left} == {2}
    # The same round again counts nobody twice.
    assert services.rounds.run(demo, ROUNDS[1], trigger="schedule").status == "repeated"
    assert {waited(services)[e][1] for e in left} == {2}

    # Four more mentors join: the third round matches some of those waiting, which resets
    # their count, and counts a third round for the others.
    mentors = [p for p in demo_participants(demo, clock()) if p.role is Role.MENTOR]
    for extra in mentors[12:]:
        services.participants.save(extra)
    services.mail.drain(per_second=0)  # the earlier rounds' emails
    mailbox.sent.clear()
    assert run(services, demo, ROUNDS[2], clock) == "done"
    third = waited(services)
    matched = {e for e in left if third[e][2]}
    still = left - matched
    assert matched
    assert still
    assert {third[e][1] for e in matched} == {0}
    assert {third[e][1] for e in still} == {3}

    # The organizers' summary says how many mentees have now waited two or more rounds.
    services.mail.drain(per_second=0)
    (summary,) = [m for to, m in mailbox.sent if to == ORGANIZER and "round" in str(m["Subject"])]
    line = f"Mentees who have now waited two or more rounds: {len(still)}"
    assert line in " ".join(plain(summary).split())
    assert "Mentees who have now waited two or more rounds" in html(summary)
    proved = "Proved the best matching the program's rules and settings allow"
    assert proved in " ".join(plain(summary).split())
    assert proved in html(summary).replace("&#39;", "'")
    stored = services.rounds.rounds.get("demo", ROUNDS[2])
    assert stored is not None
    assert stored.summary["waited_two_rounds"] == len(still)
    # The round record also keeps that the matching was proved exact, and in how many passes.
    assert stored.summary["certified"] is True
    assert stored.summary["pricing_passes"] >= 1


def test_a_round_is_counted_once_and_only_for_confirmed_people(
    services: Services, clock: FakeClock
) -> None:
    ada = stored_person("Ada", Role.MENTEE, clock())
    bo = replace(stored_person("Bo", Role.MENTEE, clock()), status=Status.PAUSED)
    for someone in (ada, bo):
        services.participants.save(someone)
    repository = services.participants
    assert repository.count_round_waited("demo", ada.participant_id, ROUNDS[0])
    assert not repository.count_round_waited("demo", ada.participant_id, ROUNDS[0])
    assert repository.count_round_waited("demo", ada.participant_id, ROUNDS[1])
    assert not repository.count_round_waited("demo", bo.participant_id, ROUNDS[0])
    stored = {p.email: p.rounds_waited for p in repository.for_program("demo")}
    assert stored == {ada.email: 2, bo.email: 0}


def test_the_figure_is_said_in_the_organizers_language(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    services.organizers.set_language(ORGANIZER, "es")
    seed_demo_people(services, demo, clock(), mentors=12)
    run(services, demo, ROUNDS[0], clock)
    services.mail.drain(per_second=0)
    (summary,) = [m for to, m in mailbox.sent if to == ORGANIZER]
    # The first round: nobody has waited two rounds yet.
    assert "Mentees que ya han esperado dos rondas o más: 0" in " ".join(plain(summary).split())
    assert "Mentees que ya han esperado dos rondas o más" in html(summary)
    assert "waited two or more rounds" not in plain(summary) + html(summary)
