"""Matches and rounds in the domain: the moves between states, capacity, the end of the cycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.matches import (
    FINISHED,
    Match,
    MatchState,
    MatchStateError,
    Round,
    RoundState,
    capacity,
    check_move,
    matching_pool,
    places_left,
    sources,
)
from portal.domain.participants import Status
from tests.factories import mentee, mentor, peer, program

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday morning in London
TWELVE = program()  # cycle_weeks defaults to 12, in UTC
LONDON = TWELVE.model_copy(update={"timezone": "Europe/London"})


def a_match(status: MatchState = MatchState.ACTIVE, created_at: datetime = START) -> Match:
    return Match(
        program="test",
        match_id="2026-03-02T0900Z#maria@example.org#tom@example.org",
        round_id="2026-03-02T0900Z",
        mentor="maria@example.org",
        mentee="tom@example.org",
        status=status,
        score=80.0,
        reasons=("both speak English",),
        created_at=created_at,
    )


# -- the moves of a match -------------------------------------------------------------------


@pytest.mark.parametrize("draft", [MatchState.SUGGESTED, MatchState.PROPOSED])
def test_a_suggestion_or_a_draft_becomes_active_and_only_then_holds_places(
    draft: MatchState,
) -> None:
    waiting = a_match(draft)
    assert not waiting.holds_places
    assert not waiting.takes_checkins

    active = waiting.activate()

    assert active.status is MatchState.ACTIVE
    assert active.holds_places
    assert active.takes_checkins
    assert sources(MatchState.ACTIVE) == {MatchState.SUGGESTED, MatchState.PROPOSED}


def test_an_active_match_ends_early_with_its_reason_and_who_ended_it() -> None:
    now = START + timedelta(days=29)

    ended = a_match().end("rematch", by="tom@example.org", now=now)

    assert (ended.status, ended.end_reason, ended.ended_by, ended.ended_at) == (
        MatchState.ENDED,
        "rematch",
        "tom@example.org",
        now,
    )
    assert not ended.holds_places
    assert not ended.takes_checkins


def test_an_active_match_completes_once_its_cycle_has_run() -> None:
    now = START + timedelta(weeks=12, days=1)

    completed = a_match().complete(TWELVE, now)

    assert (completed.status, completed.end_reason, completed.ended_at) == (
        MatchState.COMPLETED,
        "completed",
        now,
    )
    assert not completed.holds_places  # both people's places are free again
    assert completed.takes_checkins  # the closing survey is answered afterwards
    assert sources(MatchState.COMPLETED) == {MatchState.ACTIVE}


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (MatchState.ENDED, lambda m: m.activate()),
        (MatchState.COMPLETED, lambda m: m.activate()),
        (MatchState.ACTIVE, lambda m: m.activate()),
        (MatchState.PROPOSED, lambda m: m.end("closed", by="", now=START)),
        (MatchState.SUGGESTED, lambda m: m.complete(TWELVE, START + timedelta(weeks=13))),
        (MatchState.ENDED, lambda m: m.complete(TWELVE, START + timedelta(weeks=13))),
        (MatchState.COMPLETED, lambda m: m.end("left", by="tom@example.org", now=START)),
        (MatchState.COMPLETED, lambda m: m.complete(TWELVE, START + timedelta(weeks=13))),
    ],
)
def test_a_move_the_state_does_not_allow_is_refused(status: MatchState, move: object) -> None:
    match = a_match(status)
    with pytest.raises(MatchStateError, match=f"the match is {status.value}: it cannot become"):
        move(match)  # type: ignore[operator]


def test_a_match_does_not_complete_before_the_end_of_its_cycle() -> None:
    with pytest.raises(MatchStateError, match="12-week cycle has not ended by 2026-05-24"):
        a_match().complete(TWELVE, START + timedelta(weeks=12, days=-1))


def test_completing_is_not_a_reason_to_end_early_and_ending_needs_a_reason() -> None:
    for reason in ("completed", ""):
        with pytest.raises(MatchStateError, match="a reason other than completing"):
            a_match().end(reason, by="", now=START)


def test_check_move_names_both_states() -> None:
    check_move(MatchState.ACTIVE, MatchState.ENDED)
    with pytest.raises(MatchStateError, match="the match is ended: it cannot become active"):
        check_move(MatchState.ENDED, MatchState.ACTIVE)


# -- the end of the cycle -------------------------------------------------------------------


def test_the_cycle_ends_on_day_cycle_weeks_times_seven_in_the_programs_time_zone() -> None:
    match = a_match()
    day_84 = datetime(2026, 5, 25, 0, 30, tzinfo=UTC)  # 01:30 in London: day 84 there
    assert not match.cycle_over(TWELVE, START + timedelta(days=83, hours=14))
    assert match.cycle_over(TWELVE, START + timedelta(weeks=12))
    assert match.cycle_over(LONDON, day_84)
    assert not match.cycle_over(TWELVE, day_84 - timedelta(hours=1))  # 23:30 UTC: day 83
    eight = TWELVE.model_copy(update={"cycle_weeks": 8})
    assert match.cycle_over(eight, START + timedelta(weeks=8))
    assert not match.cycle_over(eight, START + timedelta(weeks=8, days=-1))


# -- rounds ---------------------------------------------------------------------------------


def a_round(status: RoundState) -> Round:
    return Round("test", "2026-03-02T0900Z", status, "schedule", START)


def test_a_round_runs_then_waits_for_the_organizers_then_is_introduced() -> None:
    started = a_round(RoundState.STARTED)
    assert not started.finished

    proposed = started.finish(RoundState.PROPOSED, {"pairs": 3})
    introduced = proposed.finish(RoundState.INTRODUCED, {"pairs": 3, "refused": 0})

    assert proposed.finished
    assert introduced.finished
    assert introduced.summary == {"pairs": 3, "refused": 0}
    assert started.finish(RoundState.EMPTY, {}).finished
    assert {RoundState.PROPOSED, RoundState.INTRODUCED, RoundState.EMPTY} == FINISHED


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (RoundState.INTRODUCED, RoundState.PROPOSED),
        (RoundState.EMPTY, RoundState.INTRODUCED),
        (RoundState.PROPOSED, RoundState.EMPTY),
        (RoundState.STARTED, RoundState.STARTED),
    ],
)
def test_a_round_cannot_go_back_or_skip(current: RoundState, target: RoundState) -> None:
    with pytest.raises(
        MatchStateError, match=f"the round is {current.value}: it cannot become {target.value}"
    ):
        a_round(current).finish(target, {})


# -- capacity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "program_capacity", "answer", "expected"),
    [
        ("group", 3, 2, 2),  # the mentor's own answer lowers the program's capacity
        ("group", 3, 5, 3),  # but never raises it
        ("group", 3, 0, 1),  # and a mentor takes at least one mentee
        ("one-on-one", 1, 4, 1),
        ("reverse", 2, 2, 2),
        ("flash", 4, 3, 1),  # a flash round is one conversation each
    ],
)
def test_a_mentors_capacity_is_the_programs_lowered_by_their_own_answer(
    fmt: str, program_capacity: int, answer: int, expected: int
) -> None:
    definition = program(fmt, capacity=program_capacity)
    assert capacity(definition, mentor("Maria", capacity=answer)) == expected


def test_mentees_and_peers_have_one_match_at_a_time_whatever_they_answered() -> None:
    group = program("group", capacity=4)
    assert capacity(group, mentee("Tom", capacity=3)) == 1
    assert capacity(program("peer"), peer("Ana", capacity=2)) == 1


def test_places_left_are_capacity_less_active_matches_and_never_negative() -> None:
    group = program("group", capacity=3)
    assert places_left(group, mentor("Maria", capacity=3, active_matches=1)) == 2
    assert places_left(group, mentor("Maria", capacity=3, active_matches=3)) == 0
    # An organizer lowered the program's capacity below what a mentor already has.
    assert places_left(program("group", capacity=1), mentor("Maria", capacity=3)) == 1
    assert places_left(program("group", capacity=1), mentor("Ivo", active_matches=2)) == 0


def test_the_pool_is_confirmed_people_with_a_place_left_mentors_offering_what_is_left() -> None:
    group = program("group", capacity=3)
    people = [
        mentor("Maria", capacity=3, active_matches=1),
        mentor("Full", capacity=2, active_matches=2),
        replace(mentor("Pending", capacity=3), status=Status.PENDING),
        replace(mentee("Paused"), status=Status.PAUSED),
        mentee("Tom"),
        mentee("Matched", active_matches=1),
    ]

    pool = matching_pool(group, people)

    assert [(p.name, p.capacity) for p in pool] == [("Maria", 2), ("Tom", 1)]
