"""Check-ins, goals and the end of a match on DynamoDB Local, where conditions are atomic."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from portal.container import Services
from portal.domain.checkins import Checkin, GoalState, Kind, checkin_id_for
from portal.domain.participants import Status
from portal.persistence.matches import ACTIVATED, StoredMatch
from tests.conftest import FakeClock
from tests.factories import matched_pair
from tests.integration.test_persistence import RACERS, at_once

pytestmark = pytest.mark.integration


def _match(services: Services, clock: FakeClock) -> StoredMatch:
    return matched_pair(services, clock)


def _checkin(match: StoredMatch, clock: FakeClock, author: str, satisfaction: int) -> Checkin:
    return Checkin(
        program="demo",
        match_id=match.match_id,
        checkin_id=checkin_id_for(clock(), author),
        author=author,
        kind=Kind.CHECKIN,
        created_at=clock(),
        met=True,
        day=clock().date(),
        minutes=30,
        topics=("python",),
        satisfaction=satisfaction,
        note="private",
    )


def test_check_ins_are_kept_once_in_order_and_found_by_program_week(
    services: Services, clock: FakeClock
) -> None:
    match = _match(services, clock)
    repo = services.checkins.checkins
    first = _checkin(match, clock, match.mentee, 4)
    assert repo.add(first)
    assert not repo.add(first)  # the same form posted twice
    clock.advance(days=8)
    second = _checkin(match, clock, match.mentor, 2)
    assert repo.add(second)
    assert [c.satisfaction for c in repo.for_match(match.match_id)] == [4, 2]
    assert repo.for_match(match.match_id)[0] == first
    week = repo.for_program("demo", clock() - timedelta(days=7), clock() + timedelta(seconds=1))
    assert [c.author for c in week] == [match.mentor]
    assert repo.for_program("other", clock() - timedelta(days=30), clock()) == []


def test_goals_change_only_when_they_exist(services: Services, clock: FakeClock) -> None:
    match = _match(services, clock)
    goal = services.checkins.add_goal("demo", match.match_id, match.mentee, "Give a talk")
    assert services.checkins.goals.update(
        match.match_id, goal.goal_id, now=clock(), state=GoalState.DONE
    )
    assert not services.checkins.goals.update(
        match.match_id, "no-such-goal", now=clock(), state=GoalState.DONE
    )
    [stored] = services.checkins.goals.for_match(match.match_id)
    assert (stored.text, stored.state) == ("Give a talk", GoalState.DONE)


def test_a_match_ended_from_many_places_at_once_frees_each_place_once(
    services: Services, clock: FakeClock
) -> None:
    match = _match(services, clock)
    results = at_once(
        RACERS,
        lambda: services.rounds.matches.end("demo", match.match_id, reason="rematch", now=clock()),
    )
    assert results.count(True) == 1
    assert all(r is False for r in results if r is not True)
    for email in (match.mentor, match.mentee):
        stored = services.participants.get("demo", email)
        assert stored is not None
        assert stored.active_matches == 0
    ended = services.rounds.matches.get("demo", match.match_id)
    assert ended is not None
    assert (ended.status, ended.end_reason) == ("ended", "rematch")


def test_both_people_accepting_the_agreement_at_once_are_both_recorded(
    services: Services, clock: FakeClock
) -> None:
    match = _match(services, clock)
    # Each person presses the button four times in four tabs; list.pop is atomic.
    emails = [match.mentor, match.mentee] * (RACERS // 2)
    results = at_once(
        RACERS,
        lambda: services.rounds.matches.agree("demo", match.match_id, emails.pop(), clock()),
    )
    assert results.count(True) == 2  # once each
    stored = services.rounds.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.mentor_agreed_at is not None
    assert stored.mentee_agreed_at is not None


def test_pausing_ends_the_match_and_a_paused_person_is_not_matched_again(
    services: Services, clock: FakeClock
) -> None:
    match = _match(services, clock)
    ended = services.participation.set_status("demo", match.mentee, Status.PAUSED)
    assert [m.match_id for m in ended] == [match.match_id]
    paused = services.participants.get("demo", match.mentee)
    assert paused is not None
    assert (paused.status, paused.active_matches) == (Status.PAUSED, 0)
    # A new match needs a confirmed mentee: the database refuses a paused one.
    outcome = services.rounds.matches.activate(
        "demo",
        "2026-03-09T0900Z",
        mentor=match.mentor,
        mentee=match.mentee,
        mentor_capacity=1,
        mentee_capacity=1,
        score=70,
        reasons=(),
        now=clock(),
    )
    assert outcome != ACTIVATED
    left = replace(paused, status=Status.LEFT)
    assert services.participation.set_status("demo", left.email, Status.LEFT) == []
    assert services.participants.set_status("demo", left.email, Status.CONFIRMED, clock()) is False
