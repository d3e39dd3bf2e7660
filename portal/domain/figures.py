"""A program at a glance, for the organizer console: the figures since the program began.

Pure, beside portal.domain.analytics, whose weekly summary it reuses for the funnel, the
people waiting and the pairs that need attention; this adds what a page shows over time:
check-ins and satisfaction week by week, retention by round, the time to a first meeting,
goals progress and the match rate by role. A figure about fewer than SMALL_GROUP people
is marked suppressed, as in the summary.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from portal.domain.analytics import (
    MATCHED_STATUSES,
    WEEK,
    Figure,
    MatchFacts,
    WeeklyProgress,
    activity,
    completed_match,
    weekly_progress,
)
from portal.domain.checkins import Checkin, GoalState
from portal.domain.groups import Group
from portal.domain.matches import MOVED
from portal.domain.nudges import local_date
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program

# The weeks drawn: the program's cycle, at least a month and at most half a year.
MIN_WEEKS, MAX_WEEKS = 4, 26
# How long a pair took to first meet, in days: the last bucket is open. Each is named by a
# code; portal.presenters.figures puts it into the reader's words.
FIRST_MEETING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("week", 0, 7),
    ("2-weeks", 7, 14),
    ("4-weeks", 14, 28),
    ("later", 28, None),
)
RATINGS = (1, 2, 3, 4, 5)


class RoundMatch(MatchFacts, Protocol):
    """A match as the console reads it: the summary's facts and the round that made it."""

    @property
    def round_id(self) -> str: ...


class GoalFacts(Protocol):
    """What the console reads of a goal (portal.domain.checkins.Goal has it)."""

    @property
    def match_id(self) -> str: ...

    @property
    def state(self) -> GoalState: ...


@dataclass(frozen=True)
class WeekFigures:
    """One week of the cycle: [start, start + 7 days)."""

    start: datetime
    checkins: Figure  # value: check-ins; people: who wrote them
    satisfaction: Figure  # value: the mean, 1 to 5; people: who rated


@dataclass(frozen=True)
class Cohort:
    """The pairs one round made, and how they are doing now."""

    round_id: str
    started: datetime
    pairs: int
    active: int
    completed: int
    ended_early: int
    kept: Figure  # value: percent of its pairs still active or completed


@dataclass(frozen=True)
class FirstMeetings:
    """How long pairs took from their match to a check-in that says they met."""

    median_days: Figure  # people: everyone in a pair that has met
    buckets: tuple[tuple[str, int], ...]  # FIRST_MEETING_BUCKETS' codes, pairs in each
    not_yet: int  # active pairs with no meeting reported yet


@dataclass(frozen=True)
class GoalsProgress:
    states: tuple[tuple[GoalState, int], ...]  # how many goals in each state
    pairs_with_goals: int
    done: Figure  # value: percent of goals done; people: everyone in a pair with goals


@dataclass(frozen=True)
class ProgramFigures:
    now: datetime
    progress: WeeklyProgress  # the funnel, who waits, and what needs attention this week
    match_rate: tuple[tuple[Role, Figure], ...]  # percent of the confirmed of a role matched
    weeks: tuple[WeekFigures, ...]
    satisfaction: Figure  # over the weeks drawn
    distribution: tuple[tuple[int, int], ...]  # rating, how many ratings gave it
    cohorts: tuple[Cohort, ...]
    first_meetings: FirstMeetings
    goals: GoalsProgress
    waiting_reasons: dict[str, dict[str, Any]]  # email -> the engine's reason last told


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _match_rate(
    participants: Sequence[Participant], matched: set[str]
) -> tuple[tuple[Role, Figure], ...]:
    confirmed: dict[Role, list[str]] = {}
    for person in participants:
        if person.confirmed_at is not None or person.status is not Status.PENDING:
            confirmed.setdefault(person.role, []).append(person.email)
    rates = []
    for role in Role:
        emails = confirmed.get(role, [])
        if emails:
            taken = sum(email in matched for email in emails)
            rates.append((role, Figure(_percent(taken, len(emails)), len(emails))))
    return tuple(rates)


def _weeks(
    program: Program, checkins: Sequence[Checkin], now: datetime
) -> tuple[tuple[WeekFigures, ...], Figure, tuple[tuple[int, int], ...]]:
    count = min(max(program.cycle_weeks, MIN_WEEKS), MAX_WEEKS)
    first = now - count * WEEK
    weeks = []
    for index in range(count):
        start = first + index * WEEK
        written, satisfaction = activity(checkins, start, start + WEEK)
        weeks.append(WeekFigures(start, written, satisfaction))
    _, overall = activity(checkins, first, now)
    rated = [c for c in checkins if first <= c.created_at < now and c.satisfaction is not None]
    distribution = tuple((r, sum(c.satisfaction == r for c in rated)) for r in RATINGS)
    return tuple(weeks), overall, distribution


def _cohorts(program: Program, matches: Sequence[RoundMatch], now: datetime) -> tuple[Cohort, ...]:
    rounds: dict[str, list[RoundMatch]] = {}
    for match in matches:
        if match.status in MATCHED_STATUSES:
            # Matches organizers made by moving someone are one cohort, not one per move.
            cohort = MOVED if match.round_id.endswith(MOVED) else match.round_id
            rounds.setdefault(cohort, []).append(match)
    cohorts = []
    # By round, oldest first; the moved matches last.
    for round_id, made in sorted(rounds.items(), key=lambda item: (item[0] == MOVED, item[0])):
        completed = sum(completed_match(m, program, now) for m in made)
        active = sum(m.status == "active" and not completed_match(m, program, now) for m in made)
        ended = len(made) - completed - active
        people = len({email for m in made for email in (m.mentor, m.mentee)})
        cohorts.append(
            Cohort(
                round_id=round_id,
                started=min(m.created_at for m in made),
                pairs=len(made),
                active=active,
                completed=completed,
                ended_early=ended,
                kept=Figure(_percent(active + completed, len(made)), people),
            )
        )
    return tuple(cohorts)


def _first_meetings(
    program: Program, matches: Sequence[RoundMatch], checkins: Sequence[Checkin]
) -> FirstMeetings:
    met: dict[str, Checkin] = {}
    for checkin in checkins:
        if checkin.met:
            earlier = met.get(checkin.match_id)
            if earlier is None or checkin.created_at < earlier.created_at:
                met[checkin.match_id] = checkin
    days: list[int] = []
    people: set[str] = set()
    not_yet = 0
    for match in matches:
        if match.status not in MATCHED_STATUSES:
            continue
        first = met.get(match.match_id)
        if first is None:
            not_yet += match.status == "active"
            continue
        # The meeting's own date when they gave it, else the day they reported it.
        when = first.day or local_date(first.created_at, program.timezone)
        days.append(max((when - local_date(match.created_at, program.timezone)).days, 0))
        people.update((match.mentor, match.mentee))
    buckets = tuple(
        (code, sum(low <= d and (high is None or d < high) for d in days))
        for code, low, high in FIRST_MEETING_BUCKETS
    )
    median = Figure(float(statistics.median(days)) if days else None, len(people))
    return FirstMeetings(median, buckets, not_yet)


def _goals(matches: Sequence[RoundMatch], goals: Sequence[GoalFacts]) -> GoalsProgress:
    pairs = {m.match_id: m for m in matches if m.status in MATCHED_STATUSES}
    counted = [g for g in goals if g.match_id in pairs]
    with_goals = {g.match_id for g in counted}
    people = {email for key in with_goals for email in (pairs[key].mentor, pairs[key].mentee)}
    states = tuple((state, sum(g.state is state for g in counted)) for state in GoalState)
    done = sum(g.state is GoalState.DONE for g in counted)
    return GoalsProgress(states, len(with_goals), Figure(_percent(done, len(counted)), len(people)))


def program_figures(
    program: Program,
    *,
    now: datetime,
    participants: Sequence[Participant],
    matches: Sequence[RoundMatch],
    checkins: Sequence[Checkin],
    goals: Sequence[GoalFacts] = (),
    groups: Sequence[Group] = (),
) -> ProgramFigures:
    """Every figure of the program at a glance, at `now`, from all of its records."""
    progress = weekly_progress(
        program,
        now=now,
        participants=participants,
        matches=matches,
        checkins=checkins,
        groups=groups,
    )
    matched = {
        email for m in matches if m.status in MATCHED_STATUSES for email in (m.mentor, m.mentee)
    }
    weeks, satisfaction, distribution = _weeks(program, checkins, now)
    waiting = {w.email for w in progress.waiting}
    return ProgramFigures(
        now=now,
        progress=progress,
        match_rate=_match_rate(participants, matched),
        weeks=weeks,
        satisfaction=satisfaction,
        distribution=distribution,
        cohorts=_cohorts(program, matches, now),
        first_meetings=_first_meetings(program, matches, checkins),
        goals=_goals(matches, goals),
        waiting_reasons={
            p.email: dict(p.waiting_reason)
            for p in participants
            if p.email in waiting and p.waiting_reason
        },
    )
