"""Rounds racing on DynamoDB Local: no one matched twice, no mentor over capacity, one lock.

moto does not apply conditional writes atomically across threads, so these races live here.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

import pytest

import portal.domain.matching as matching_module
from portal.container import Services
from portal.domain.matching import MatchResult, match
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Approval, Program
from portal.persistence.matches import (
    ACTIVATED,
    MENTEE_TAKEN,
    MENTOR_FULL,
    PAIR_TAKEN,
    MatchRepository,
    RoundRepository,
)
from portal.persistence.tables import ParticipantRecord, RoundRecord
from portal.services.rounds import RoundOutcome, RoundService, round_id_for
from tests.conftest import FakeClock
from tests.factories import seed_demo_people

pytestmark = pytest.mark.integration

T = TypeVar("T")
RACERS = 8


def at_once(works: list[Callable[[], T]]) -> list[T | Exception]:
    """Run each callable in its own thread, released together; each result or its exception."""
    start = threading.Barrier(len(works))

    def one(work: Callable[[], T]) -> T | Exception:
        start.wait(timeout=30)
        try:
            return work()
        except Exception as exc:  # the caller looks at every result
            return exc

    with ThreadPoolExecutor(max_workers=len(works)) as pool:
        futures = [pool.submit(one, work) for work in works]
        return [future.result(timeout=240) for future in futures]


def limit_of(program: Program, person: Participant) -> int:
    return min(person.capacity, program.capacity) if person.role is Role.MENTOR else 1


def assert_no_double_assignment(services: Services, program: Program) -> Counter[str]:
    """Per person: active matches from the matches table, within capacity, equal to the count
    kept on the participant."""
    people = {p.email: p for p in services.participants.for_program(program.slug)}
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for m in services.rounds.matches.for_program(program.slug):
        if m.status == "active":
            counts[m.mentor] += 1
            counts[m.mentee] += 1
            pairs[(m.mentor, m.mentee)] += 1
    assert all(n == 1 for n in pairs.values()), "the same pair is active twice"
    for email, n in counts.items():
        assert n <= limit_of(program, people[email]), f"{email} is in {n} active matches"
    stored = {r.email: int(r.active_matches or 0) for r in ParticipantRecord.query(program.slug)}
    assert stored == {email: counts[email] for email in stored}
    return counts


def group_program(services: Services) -> Program:
    """leaders-group with a cap of two mentees per mentor and pairs published at once."""
    leaders = services.programs.get("leaders-group")
    assert leaders is not None
    return leaders.model_copy(update={"capacity": 2, "approval": Approval.AUTO})


# Two rounds at once


def test_two_rounds_started_at_once_match_no_one_twice(
    services: Services, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    seed_demo_people(services, demo, clock(), mentor_capacity=2)
    ids = [round_id_for(clock()), round_id_for(clock() + timedelta(minutes=1))]

    results = at_once(
        [lambda rid=rid: services.rounds.run(demo, rid, trigger="schedule") for rid in ids]  # type: ignore[misc]
    )

    outcomes = [r for r in results if isinstance(r, RoundOutcome)]
    assert len(outcomes) == 2, results
    assert sorted(o.status for o in outcomes) in (["busy", "done"], ["done", "done"])
    counts = assert_no_double_assignment(services, demo)
    assert sum(o.pairs for o in outcomes if o.status == "done") * 2 == sum(counts.values())
    # Capacity 1 and more mentees (24) than mentors (16): whichever round ran matched each
    # mentor with one mentee.
    mentors = [p for p in services.participants.for_program("demo") if p.role is Role.MENTOR]
    assert sum(counts.values()) == 2 * len(mentors) == 2 * 16


def test_rounds_racing_past_the_lock_are_held_by_the_transactions(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if one run's lock had expired while it was still writing: both rounds run in full,
    # and both have chosen their pairs from the same pool before either writes one.
    monkeypatch.setattr(RoundRepository, "acquire_lock", lambda self, *args, **kwargs: True)
    both_matched = threading.Barrier(2)
    found: list[MatchResult] = []

    def match_then_wait(*args: Any, **kwargs: Any) -> Any:
        result = match(*args, **kwargs)
        found.append(result)
        both_matched.wait(timeout=60)
        return result

    # The round service imports the engine when a round runs (not with the web app).
    monkeypatch.setattr(matching_module, "match", match_then_wait)
    program = group_program(services)
    seed_demo_people(services, program, clock(), mentor_capacity=2)
    ids = [round_id_for(clock() + timedelta(minutes=n)) for n in range(2)]

    results = at_once(
        [lambda rid=rid: services.rounds.run(program, rid, trigger="schedule") for rid in ids]  # type: ignore[misc]
    )

    outcomes = [r for r in results if isinstance(r, RoundOutcome)]
    assert len(outcomes) == 2, results
    assert [o.status for o in outcomes] == ["done", "done"]
    counts = assert_no_double_assignment(services, program)
    mentors = [e for e, n in counts.items() if n == 2]
    assert mentors, "no mentor took two mentees: the race did not test capacity"
    # Both rounds found the same pairs and tried to store every one of them.
    first, second = ([(p.mentor, p.mentee) for p in result.pairs] for result in found)
    assert first == second
    assert len(first) == 23  # all 24 demo mentees but one, whose only mentor is full
    assert sum(o.pairs + o.refused for o in outcomes) == 2 * len(first)
    # Each pair went to one round at most, so at least one try in two was refused. Not
    # exactly one: DynamoDB cancels both of two transactions that conflict, so a pair may be
    # refused to both rounds, however the threads happen to meet.
    assert sum(o.refused for o in outcomes) >= len(first)
    assert sum(o.pairs for o in outcomes) * 2 == sum(counts.values())


@pytest.mark.parametrize("race", range(3))
def test_activations_racing_for_one_mentor_respect_capacity(
    services: Services, clock: FakeClock, race: int
) -> None:
    matches = MatchRepository()
    mentor = Participant(
        program="demo",
        email="mentor@example.org",
        participant_id="mentor",
        role=Role.MENTOR,
        name="Maria Mentor",
        timezone="Europe/London",
        languages=("English",),
        capacity=2,
        status=Status.CONFIRMED,
        created_at=clock(),
        updated_at=clock(),
        confirmed_at=clock(),
    )
    mentees = [
        replace(
            mentor,
            email=f"mentee{n}@example.org",
            participant_id=f"mentee{n}",
            role=Role.MENTEE,
            name=f"Mentee {n}",
            capacity=1,
        )
        for n in range(4)
    ]
    for person in (mentor, *mentees):
        services.participants.save(person)
    # Eight writes for four mentees, each wanted by two rounds: no more than two can win.
    attempts = [(f"round-{r}", mentee.email) for mentee in mentees for r in (1, 2)]
    attempts = attempts[race:] + attempts[:race]  # a different thread starts each pair

    def activate(round_id: str, mentee: str) -> str:
        return matches.activate(
            "demo",
            round_id,
            mentor=mentor.email,
            mentee=mentee,
            mentor_capacity=2,
            mentee_capacity=1,
            score=50.0,
            reasons=("both speak English",),
            now=clock(),
        )

    results = at_once([lambda a=a: activate(*a) for a in attempts])  # type: ignore[misc]

    assert set(results) <= {ACTIVATED, MENTEE_TAKEN, MENTOR_FULL, PAIR_TAKEN}, results
    # At most the mentor's two places, and a winner; how many win depends on how the threads
    # meet (two transactions that conflict may both be cancelled).
    assert 1 <= results.count(ACTIVATED) <= 2, results
    active = [m for m in matches.for_program("demo") if m.status == "active"]
    assert len(active) == results.count(ACTIVATED)
    assert len({m.mentee for m in active}) == len(active)  # no mentee twice
    stored = {r.email: int(r.active_matches or 0) for r in ParticipantRecord.query("demo")}
    assert stored[mentor.email] == len(active)
    assert sum(stored[m.email] for m in mentees) == len(active)
    assert all(stored[m.email] <= 1 for m in mentees)
    # A later attempt for a mentee still free is refused once the mentor is full.
    if len(active) == 2:
        free = next(m.email for m in mentees if stored[m.email] == 0)
        assert activate("round-3", free) == MENTOR_FULL


# The lock


def test_while_one_round_runs_another_says_busy(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    seed_demo_people(services, demo, clock(), mentor_capacity=2)
    busy_returned = threading.Event()
    run_locked = RoundService._run_locked

    def held(self: RoundService, *args: Any, **kwargs: Any) -> RoundOutcome:
        # The lock holder keeps it until the other run has been turned away.
        busy_returned.wait(timeout=30)
        return run_locked(self, *args, **kwargs)

    monkeypatch.setattr(RoundService, "_run_locked", held)

    def run(round_id: str, trigger: str) -> RoundOutcome:
        outcome = services.rounds.run(demo, round_id, trigger=trigger)
        if outcome.status == "busy":
            busy_returned.set()
        return outcome

    results = at_once(
        [
            lambda: run(round_id_for(clock()), "schedule"),
            lambda: run(round_id_for(clock() + timedelta(minutes=1)), "cli"),
        ]
    )

    outcomes = [r for r in results if isinstance(r, RoundOutcome)]
    assert len(outcomes) == 2, results
    assert sorted(o.status for o in outcomes) == ["busy", "done"]
    (busy,) = [o for o in outcomes if o.status == "busy"]
    assert busy.pairs == busy.emails == 0
    assert services.rounds.rounds.get("demo", busy.round_id) is None  # it wrote nothing
    assert [r.round_id for r in RoundRecord.query("demo")] == [
        o.round_id for o in outcomes if o.status == "done"
    ]  # and the lock item is gone
    assert_no_double_assignment(services, demo)
