"""Check-ins and goals: what a pair did after their introduction, as plain values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Fit(StrEnum):
    """After the first meeting: does the pairing work?"""

    GOOD = "good"
    UNSURE = "unsure"
    REMATCH = "rematch"  # asks the organizers for another match


class GoalState(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"


# The states in the order a person moves through them (their words: portal.presenters.words).
GOAL_STATES: tuple[GoalState, ...] = (GoalState.NOT_STARTED, GoalState.IN_PROGRESS, GoalState.DONE)


class Kind(StrEnum):
    CHECKIN = "checkin"  # the full form
    RATING = "rating"  # one click from an email: satisfaction only
    SURVEY = "survey"  # a milestone or closing survey, on the same form


@dataclass(frozen=True)
class Goal:
    """Something a pair agreed to work towards."""

    match_id: str
    goal_id: str
    text: str
    state: GoalState
    added_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Checkin:
    """One person's record of how their match is going."""

    program: str
    match_id: str
    checkin_id: str  # time-ordered within the match
    author: str  # the email of the person who wrote it
    kind: Kind
    created_at: datetime
    met: bool = False
    day: date | None = None  # the meeting's date, when they met
    minutes: int | None = None
    topics: tuple[str, ...] = ()
    goal_states: dict[str, GoalState] = field(default_factory=dict)  # goal_id -> state
    satisfaction: int | None = None  # 1 to 5
    fit: Fit | None = None
    note: str = ""  # private: only organizers see it
    survey: str = ""  # which survey this answers, e.g. "day-30" or "closing"


def match_ref(match_id: str) -> str:
    """A short opaque name for a match, for URLs and outbox keys: its id holds two addresses."""
    return hashlib.sha256(match_id.encode()).hexdigest()[:16]


def checkin_id_for(moment: datetime, author: str) -> str:
    """Ids sort by time; the author's participant id keeps two simultaneous check-ins apart."""
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{author}"
