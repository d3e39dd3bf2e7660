"""What the daily reminder run owes a pair: ladder steps for a quiet stretch, and surveys.

Pure: the match's start, its check-ins, the program's settings and the time come in; what
is due comes out, each with a key that is the same for the same step of the same stretch,
so that the outbox queues it once however often the run repeats.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from portal.domain.program import Program, Schedule

# A survey or a step not sent within this many days of its day is dropped, not sent late
# (the run was down for weeks, or the program was deployed mid-cycle).
LATE_LIMIT_DAYS = 14
CLOSING = "closing"


class Step(StrEnum):
    REMINDER = "reminder"  # both people: check in, or rate in one click
    NUDGE = "nudge"  # both people, a week later
    ALERT = "alert"  # the organizers: this pair has stalled
    OFFER = "offer"  # both people: carry on, ask for another match, or close


class Activity(Protocol):
    """What the ladder reads of a check-in (domain.checkins.Checkin has it)."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def author(self) -> str: ...

    @property
    def survey(self) -> str: ...


@dataclass(frozen=True)
class LadderStep:
    step: Step
    quiet_days: int  # days since `since`, in the program's time zone
    since: datetime  # the start of the quiet stretch: the match's start or the last check-in
    key: str  # "<step>:<stretch>", the same on every run during this stretch


@dataclass(frozen=True)
class SurveyDue:
    name: str  # "day-30", "day-90", ... or "closing"
    day: int  # the match day it belongs to
    key: str

    @property
    def closing(self) -> bool:
        return self.name == CLOSING


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def match_day(started: datetime, now: datetime, timezone: str) -> int:
    """Days since the match started, counted in calendar days where the program is (0 first)."""
    return (local_date(now, timezone) - local_date(started, timezone)).days


def cycle_ended(started: datetime, now: datetime, *, cycle_weeks: int, timezone: str) -> bool:
    """Whether a match that started at `started` has run its whole cycle by `now`.

    The cycle ends on match day `cycle_weeks * 7` (the day of the closing survey), counted in
    calendar days where the program is.
    """
    return match_day(started, now, timezone) >= cycle_weeks * 7


def pair_week(started: datetime, now: datetime, timezone: str) -> int:
    """The week of the match, 1 for the week it started."""
    return max(match_day(started, now, timezone), 0) // 7 + 1


def quiet_since(started: datetime, checkins: Iterable[Activity], now: datetime) -> datetime:
    """When the current quiet stretch began: the latest check-in by either person, or the start."""
    latest = started
    for checkin in checkins:
        if latest < checkin.created_at <= now:
            latest = checkin.created_at
    return latest


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%fZ")


def ladder_thresholds(schedule: Schedule) -> list[tuple[Step, int]]:
    return [
        (Step.REMINDER, schedule.checkin_reminder_days),
        (Step.NUDGE, schedule.second_nudge_days),
        (Step.ALERT, schedule.organizer_alert_days),
        (Step.OFFER, schedule.rematch_offer_days),
    ]


def ladder_step_due(
    schedule: Schedule,
    *,
    cycle_weeks: int,
    timezone: str,
    started: datetime,
    checkins: Iterable[Activity],
    now: datetime,
    offer: bool = True,
    meeting: datetime | None = None,
) -> LadderStep | None:
    """The step of the inactivity ladder due now, if any.

    Only the highest step reached is due: a run that was down for a week sends the step the
    pair has reached, not every step it missed. Nothing is due once the cycle has ended.
    Without `offer` (a program with no next match to offer) the ladder ends at the alert.
    `meeting` is the start of the pair's booked meeting: until then nothing is due (they
    have a date), and once it has passed the quiet stretch starts from it.
    """
    if cycle_ended(started, now, cycle_weeks=cycle_weeks, timezone=timezone):
        return None
    if meeting is not None and meeting > now:
        return None
    since = quiet_since(started, checkins, now)
    if meeting is not None and since < meeting:
        since = meeting
    quiet = (local_date(now, timezone) - local_date(since, timezone)).days
    reached = [
        (step, days)
        for step, days in ladder_thresholds(schedule)
        if quiet >= days and (offer or step is not Step.OFFER)
    ]
    if not reached:
        return None
    step, days = reached[-1]
    if quiet - days > LATE_LIMIT_DAYS:
        return None  # the last step was long ago: the ladder is over for this stretch
    return LadderStep(step, quiet, since, f"{step.value}:{_stamp(since)}")


def offers_rematch(program: Program) -> bool:
    """Whether a quiet pair may be offered another match: not in a program that matches people
    once, nor in an archived one, where no round runs."""
    return not (program.matching.match_once or program.archived)


def survey_days(schedule: Schedule, cycle_weeks: int) -> list[int]:
    """The match days with a milestone survey, within the cycle."""
    if schedule.first_survey_day <= 0:
        return []
    cycle_days = cycle_weeks * 7
    days = []
    day = schedule.first_survey_day
    while day < cycle_days:
        days.append(day)
        if schedule.survey_every_days <= 0:
            break
        day += schedule.survey_every_days
    return days


def survey_due(
    schedule: Schedule,
    *,
    cycle_weeks: int,
    timezone: str,
    started: datetime,
    answered: Iterable[str],
    now: datetime,
) -> SurveyDue | None:
    """The survey a person in this match should get now: the latest one reached, unanswered.

    `answered` holds the names of the surveys this person has answered for this match.
    """
    today = match_day(started, now, timezone)
    cycle_days = cycle_weeks * 7
    due: tuple[str, int] | None = None
    for day in survey_days(schedule, cycle_weeks):
        if day <= today:
            due = (f"day-{day}", day)
    if schedule.closing_survey and cycle_ended(
        started, now, cycle_weeks=cycle_weeks, timezone=timezone
    ):
        due = (CLOSING, cycle_days)
    if due is None or today - due[1] > LATE_LIMIT_DAYS or due[0] in set(answered):
        return None
    return SurveyDue(due[0], due[1], f"survey-{due[0]}")


def surveys_answered(checkins: Iterable[Activity], author: str) -> set[str]:
    return {c.survey for c in checkins if c.author == author and c.survey}
