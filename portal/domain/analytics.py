"""The weekly progress of a program, for its organizers: what needs them first, then figures.

Pure: participants, matches and check-ins come in with the time; the summary comes out.
In a group program the check-ins of the program's groups (portal.domain.groups) count too: a
pair of a group is quiet since the latest check-in of anyone in its group, a group check-in
included, as the group's reminders count it (portal.services.group_reminders); a group
check-in is listed with the week's check-ins and counts once in the figures, as one check-in
by its author (it has no rating, so the mean satisfaction is of the ratings alone).
A figure about fewer than SMALL_GROUP people is marked suppressed, so that a forwarded
summary does not reveal one person's rating or departure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from portal.domain.checkins import Checkin, Fit
from portal.domain.groups import Group, is_group_id, is_group_program
from portal.domain.nudges import cycle_ended, local_date, quiet_since
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program

SMALL_GROUP = 5
LOW_RATING = 2  # a satisfaction of this or less is shown to the organizers
WEEK = timedelta(days=7)
MATCHED_STATUSES = frozenset({"active", "completed", "ended"})


class MatchFacts(Protocol):
    """What the summary reads of a match (persistence.matches.StoredMatch has it)."""

    @property
    def match_id(self) -> str: ...

    @property
    def mentor(self) -> str: ...

    @property
    def mentee(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def ended_at(self) -> datetime | None: ...

    @property
    def end_reason(self) -> str: ...

    @property
    def ended_by(self) -> str: ...

    @property
    def group_id(self) -> str: ...


@dataclass(frozen=True)
class Figure:
    """A number and how many people it is about."""

    value: float | None  # None: there is nothing to measure (no ratings this week)
    people: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.people < SMALL_GROUP


def count(people: int) -> Figure:
    return Figure(float(people), people)


@dataclass(frozen=True)
class StalledPair:
    match_id: str
    people: tuple[str, str]
    quiet_days: int
    last_checkin: datetime | None  # None: nobody has checked in since the match started


@dataclass(frozen=True)
class Flag:
    """A check-in the organizers should read: a low rating or a request for another match."""

    match_id: str
    author: str
    other: str
    created_at: datetime
    satisfaction: int | None
    fit: Fit | None
    note: str  # private: only organizers see it


@dataclass(frozen=True)
class EndedPair:
    """A match that ended early this week, and why."""

    match_id: str
    people: tuple[str, str]  # mentor and mentee, or the two peers
    reason: str  # rematch | paused | left | ...
    by: str  # who ended it, when known
    ended_at: datetime


@dataclass(frozen=True)
class Waiting:
    email: str
    role: Role
    days: int  # since they confirmed (or their last match ended)


@dataclass(frozen=True)
class Funnel:
    signed_up: Figure
    confirmed: Figure
    matched: Figure
    active: Figure
    completed: Figure


@dataclass(frozen=True)
class WeeklyProgress:
    since: datetime  # the week is [since, until)
    until: datetime
    stalled: tuple[StalledPair, ...]
    low_ratings: tuple[Flag, ...]
    rematch_requests: tuple[Flag, ...]
    waiting: tuple[Waiting, ...]
    funnel: Funnel
    checkins_this_week: Figure  # value: check-ins; people: who wrote them
    checkins_last_week: Figure
    satisfaction_this_week: Figure  # value: the mean, 1 to 5
    satisfaction_last_week: Figure
    retention: Figure  # value: percent of everyone matched still in or through their match
    # Every check-in of the week, oldest first, with the other person of its match.
    this_week: tuple[tuple[Checkin, str], ...] = ()
    # Every group check-in of the week, oldest first, with the mentor of its group.
    group_week: tuple[tuple[Checkin, str], ...] = ()
    ended: tuple[EndedPair, ...] = ()  # ended early this week (not at the end of the cycle)

    @property
    def satisfaction_trend(self) -> float | None:
        """This week's mean minus last week's, when both can be shown."""
        now, before = self.satisfaction_this_week, self.satisfaction_last_week
        if now.value is None or before.value is None or now.suppressed or before.suppressed:
            return None
        return round(now.value - before.value, 1)

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.stalled or self.low_ratings or self.rematch_requests or self.ended or self.waiting
        )


def completed_match(match: MatchFacts, program: Program, now: datetime) -> bool:
    """Whether a match completed its cycle (marked so, or ran the whole cycle by `now`)."""
    if match.status == "completed" or match.end_reason == "completed":
        return True
    ran_to = match.ended_at if match.ended_at is not None else now
    if match.status not in ("active", "ended"):
        return False
    return cycle_ended(
        match.created_at, ran_to, cycle_weeks=program.cycle_weeks, timezone=program.timezone
    )


def activity(
    checkins: Iterable[Checkin], since: datetime, until: datetime
) -> tuple[Figure, Figure]:
    """The check-ins of [since, until) (how many, by how many) and their mean satisfaction."""
    window = [c for c in checkins if since <= c.created_at < until]
    written = Figure(float(len(window)), len({c.author for c in window}))
    ratings = [c for c in window if c.satisfaction is not None]
    raters = len({c.author for c in ratings})
    mean = sum(c.satisfaction or 0 for c in ratings) / len(ratings) if ratings else None
    return written, Figure(round(mean, 1) if mean is not None else None, raters)


def weekly_progress(
    program: Program,
    *,
    now: datetime,
    participants: Sequence[Participant],
    matches: Sequence[MatchFacts],
    checkins: Sequence[Checkin],
    groups: Sequence[Group] = (),
) -> WeeklyProgress:
    """The summary of the week that ends at `now`.

    `matches` are all of the program's matches; `checkins` at least those of the last two
    weeks and every check-in of the active matches (for how long a pair has been quiet);
    `groups`, in a group program, its groups now, whose every check-in `checkins` holds too.
    """
    since = now - WEEK
    real = [m for m in matches if m.status in MATCHED_STATUSES]
    active = [m for m in real if m.status == "active"]
    by_match: dict[str, list[Checkin]] = {}
    for checkin in checkins:
        by_match.setdefault(checkin.match_id, []).append(checkin)

    # A pair of a group counts from the group's start and every check-in of the group.
    grouped: dict[str, tuple[datetime, list[Checkin]]] = {}
    for group in groups:
        keys = (*group.checkin_keys, *(m.match_id for m in group.matches))
        everyone = [c for key in keys for c in by_match.get(key, [])]
        for member in group.matches:
            grouped[member.match_id] = (group.started, everyone)

    stalled = []
    for match in active:
        if cycle_ended(
            match.created_at, now, cycle_weeks=program.cycle_weeks, timezone=program.timezone
        ):
            continue  # through the cycle (the next reminder run marks it completed)
        start, own = grouped.get(
            match.match_id, (match.created_at, by_match.get(match.match_id, []))
        )
        quiet_from = quiet_since(start, own, now)
        quiet = (local_date(now, program.timezone) - local_date(quiet_from, program.timezone)).days
        if quiet >= program.schedule.organizer_alert_days:
            last = quiet_from if quiet_from != start else None
            stalled.append(StalledPair(match.match_id, (match.mentor, match.mentee), quiet, last))
    stalled.sort(key=lambda pair: (-pair.quiet_days, pair.match_id))

    pairs = {m.match_id: m for m in real}
    # A group check-in's group, by its mentor: a group that has ended since is found by the
    # id its matches carry.
    mentor_of: dict[str, str] = {}
    if is_group_program(program):
        mentor_of = {key: g.mentor for g in groups for key in g.checkin_keys}
        for m in real:
            if m.group_id:
                mentor_of.setdefault(m.group_id, m.mentor)
    low, rematch = [], []
    week: list[tuple[Checkin, str]] = []
    group_week: list[tuple[Checkin, str]] = []
    for checkin in sorted(checkins, key=lambda c: c.created_at):
        if not since <= checkin.created_at < now:
            continue
        if is_group_id(checkin.match_id) and checkin.match_id in mentor_of:
            group_week.append((checkin, mentor_of[checkin.match_id]))
            continue
        if checkin.match_id not in pairs:
            continue
        match = pairs[checkin.match_id]
        week.append((checkin, match.mentee if checkin.author == match.mentor else match.mentor))
        flag = Flag(
            checkin.match_id,
            checkin.author,
            match.mentee if checkin.author == match.mentor else match.mentor,
            checkin.created_at,
            checkin.satisfaction,
            checkin.fit,
            checkin.note,
        )
        if checkin.satisfaction is not None and checkin.satisfaction <= LOW_RATING:
            low.append(flag)
        if checkin.fit is Fit.REMATCH:
            rematch.append(flag)

    ended = [
        EndedPair(m.match_id, (m.mentor, m.mentee), m.end_reason, m.ended_by, m.ended_at)
        for m in real
        if m.ended_at is not None
        and since <= m.ended_at < now
        and m.end_reason != "completed"
        and not completed_match(m, program, now)
    ]
    ended.sort(key=lambda pair: (pair.ended_at, pair.match_id))

    in_active = {email for m in active for email in (m.mentor, m.mentee)}
    last_end: dict[str, datetime] = {}
    for m in real:
        if m.ended_at is not None:
            for email in (m.mentor, m.mentee):
                last_end[email] = max(last_end.get(email, m.ended_at), m.ended_at)
    waiting = []
    for person in participants:
        if person.status is not Status.CONFIRMED or person.email in in_active:
            continue
        start = last_end.get(person.email) or person.confirmed_at or person.created_at or now
        days = (local_date(now, program.timezone) - local_date(start, program.timezone)).days
        waiting.append(Waiting(person.email, person.role, max(days, 0)))
    waiting.sort(key=lambda w: (-w.days, w.email))

    matched = {email for m in real for email in (m.mentor, m.mentee)}
    completed = {
        email for m in real if completed_match(m, program, now) for email in (m.mentor, m.mentee)
    }
    retained = (in_active | completed) & matched
    confirmed = [
        p for p in participants if p.confirmed_at is not None or p.status is not Status.PENDING
    ]
    funnel = Funnel(
        signed_up=count(len(participants)),
        confirmed=count(len(confirmed)),
        matched=count(len(matched)),
        active=count(len(in_active)),
        completed=count(len(completed)),
    )
    this_week, this_satisfaction = activity(checkins, since, now)
    last_week, last_satisfaction = activity(checkins, since - WEEK, since)
    retention = Figure(
        round(100 * len(retained) / len(matched), 1) if matched else None, len(matched)
    )
    return WeeklyProgress(
        since=since,
        until=now,
        stalled=tuple(stalled),
        low_ratings=tuple(low),
        rematch_requests=tuple(rematch),
        waiting=tuple(waiting),
        funnel=funnel,
        checkins_this_week=this_week,
        checkins_last_week=last_week,
        satisfaction_this_week=this_satisfaction,
        satisfaction_last_week=last_satisfaction,
        retention=retention,
        this_week=tuple(week),
        group_week=tuple(group_week),
        ended=tuple(ended),
    )
