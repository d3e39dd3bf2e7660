"""Matches and rounds: their states, the moves allowed between them, capacity and the cycle.

A match is suggested to a mentee (mentee-choice programs) or proposed to the organizers
(organizer approval), becomes active when it is published, and then either ends early with
a reason (another match asked for, a pause, someone leaving, closed) or completes: it went
through the program's cycle. Only an active match holds a place of each person in it; the
database's conditional writes (portal.persistence.matches) enforce the same moves, from
`sources(state)`, so that two writers at once cannot make a move these rules forbid.

A round starts, then finishes as `introduced` (its pairs are active and introduced),
`proposed` (its drafts wait for the organizers, who approve them: `introduced`) or `empty`
(nothing new to report).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from portal.domain.meetings import Meeting
from portal.domain.nudges import cycle_ended
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Format, Program
from portal.domain.reasons import Reason

# The end of the "round" name of a match an organizer made by moving a waiting mentee (the
# console's Move): no round made it, so figures by round count these apart, as one group.
MOVED = "-moved"


class MatchStateError(Exception):
    """A match or a round was asked to make a move its state does not allow."""


class MatchState(StrEnum):
    SUGGESTED = "suggested"  # one of a mentee's options to choose from; holds no place
    PROPOSED = "proposed"  # a draft pair waiting for the organizers; holds no place
    ACTIVE = "active"  # published: the pair works together; holds a place of each person
    ENDED = "ended"  # closed before the end of the cycle, with a reason
    COMPLETED = "completed"  # went through the program's cycle


class EndReason(StrEnum):
    """Why a match is no longer active (stored beside the state)."""

    REMATCH = "rematch"  # one of them asked for another match
    PAUSED = "paused"
    LEFT = "left"
    CLOSED = "closed"
    COMPLETED = "completed"  # the cycle ended: the state is `completed`, not `ended`


# The moves a match may make; a match comes into being as suggested, proposed or active.
MATCH_MOVES: dict[MatchState, frozenset[MatchState]] = {
    MatchState.SUGGESTED: frozenset({MatchState.ACTIVE}),
    MatchState.PROPOSED: frozenset({MatchState.ACTIVE}),
    MatchState.ACTIVE: frozenset({MatchState.ENDED, MatchState.COMPLETED}),
    MatchState.ENDED: frozenset(),
    MatchState.COMPLETED: frozenset(),
}


def sources(target: MatchState) -> frozenset[MatchState]:
    """The states from which a match may move to `target`."""
    return frozenset(state for state, moves in MATCH_MOVES.items() if target in moves)


def check_move(current: MatchState, target: MatchState) -> None:
    """Raise MatchStateError unless a match in `current` may move to `target`."""
    if target not in MATCH_MOVES[current]:
        raise MatchStateError(f"the match is {current.value}: it cannot become {target.value}")


@dataclass(frozen=True)
class Match:
    """A mentor and a mentee (or two peers) paired by a round, and where the pair stands."""

    program: str
    match_id: str
    round_id: str
    mentor: str  # for peers: the first peer
    mentee: str  # for peers: the second peer
    status: MatchState
    score: float
    reasons: tuple[Reason | str, ...]  # codes; English sentences in older records
    created_at: datetime
    mentor_agreed_at: datetime | None = None
    mentee_agreed_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str = ""
    ended_by: str = ""
    # The people's participant ids, which the stored keys use (the emails above are attributes).
    mentor_id: str = ""
    mentee_id: str = ""
    # In a group program, the id of the mentor's group this match belongs to (portal.domain
    # .groups); "" for pairs, and for a group match until its group is introduced.
    group_id: str = ""
    # The pair's first meeting (portal.domain.meetings); None until one is proposed.
    meeting: Meeting | None = None

    def person_id(self, email: str) -> str:
        """The participant id of this person in the pair."""
        return self.mentor_id if email == self.mentor else self.mentee_id

    def other(self, email: str) -> str:
        """The other person in the pair."""
        return self.mentee if email == self.mentor else self.mentor

    def agreed(self, email: str) -> datetime | None:
        """When this person accepted the program's agreement for this match."""
        return self.mentor_agreed_at if email == self.mentor else self.mentee_agreed_at

    @property
    def holds_places(self) -> bool:
        """Whether the match counts against both people's capacity (only while active)."""
        return self.status is MatchState.ACTIVE

    @property
    def takes_checkins(self) -> bool:
        """Whether the pair can still record check-ins, ratings and survey answers.

        A completed match can: the closing survey is sent on the day the cycle ends, and its
        link is answered after the match has been marked completed.
        """
        return self.status in (MatchState.ACTIVE, MatchState.COMPLETED)

    def cycle_over(self, program: Program, now: datetime) -> bool:
        """Whether this match has run the program's whole cycle by `now`."""
        return cycle_ended(
            self.created_at, now, cycle_weeks=program.cycle_weeks, timezone=program.timezone
        )

    def activate(self) -> Match:
        """A suggestion chosen or a draft approved: the match as it is once published."""
        check_move(self.status, MatchState.ACTIVE)
        return replace(self, status=MatchState.ACTIVE)

    def end(self, reason: str, *, by: str, now: datetime) -> Match:
        """The match ended early by `by` (or by the portal, when `by` is empty)."""
        check_move(self.status, MatchState.ENDED)
        if not reason or reason == EndReason.COMPLETED:
            raise MatchStateError("a match ends early for a reason other than completing")
        return replace(self, status=MatchState.ENDED, ended_at=now, end_reason=reason, ended_by=by)

    def complete(self, program: Program, now: datetime) -> Match:
        """The match at the end of its cycle; MatchStateError if not active or not through it."""
        check_move(self.status, MatchState.COMPLETED)
        if not self.cycle_over(program, now):
            raise MatchStateError(
                f"the match's {program.cycle_weeks}-week cycle has not ended by {now:%Y-%m-%d}"
            )
        return replace(
            self, status=MatchState.COMPLETED, ended_at=now, end_reason=EndReason.COMPLETED.value
        )


class RoundState(StrEnum):
    STARTED = "started"  # matching ran or is running; its emails may not all be queued yet
    PROPOSED = "proposed"  # the drafts wait for the organizers' approval
    INTRODUCED = "introduced"  # the pairs are active and were introduced
    EMPTY = "empty"  # no pairs and nobody new waiting: nothing was sent
    # A dry run an organizer made in the console: its drafts hold no place and nobody is
    # told until it is published (then it runs on as a started round) or discarded (deleted).
    PREVIEW = "preview"


ROUND_MOVES: dict[RoundState, frozenset[RoundState]] = {
    RoundState.STARTED: frozenset({RoundState.PROPOSED, RoundState.INTRODUCED, RoundState.EMPTY}),
    RoundState.PROPOSED: frozenset({RoundState.INTRODUCED}),
    RoundState.INTRODUCED: frozenset(),
    RoundState.EMPTY: frozenset(),
    RoundState.PREVIEW: frozenset({RoundState.STARTED}),
}
# A round in one of these has run: an event naming it again repeats nothing.
FINISHED = frozenset({RoundState.PROPOSED, RoundState.INTRODUCED, RoundState.EMPTY})


def check_round_move(current: RoundState, target: RoundState) -> None:
    """Raise MatchStateError unless a round in `current` may move to `target`."""
    if target not in ROUND_MOVES[current]:
        raise MatchStateError(f"the round is {current.value}: it cannot become {target.value}")


@dataclass(frozen=True)
class Round:
    """One matching round of a program, named by the minute it was due."""

    program: str
    round_id: str
    status: RoundState
    trigger: str
    created_at: datetime
    summary: dict[str, object] = field(default_factory=dict)  # counts and figures only

    @property
    def finished(self) -> bool:
        """Whether the round has run (a repeated event finds it so and does nothing)."""
        return self.status in FINISHED

    def finish(self, target: RoundState, summary: dict[str, object]) -> Round:
        """The round once it moved to `target` with this summary."""
        check_round_move(self.status, target)
        return replace(self, status=target, summary=summary)


# -- capacity ------------------------------------------------------------------------------


def capacity(program: Program, person: Participant) -> int:
    """How many active matches `person` may be in at once.

    A mentor takes up to the program's `capacity`, lowered by their own answer (at least
    one); mentees and peers, and everyone in flash rounds, one at a time.
    """
    if person.role is Role.MENTOR and program.format is not Format.FLASH:
        return max(1, min(person.capacity or 1, program.capacity))
    return 1


def places_left(program: Program, person: Participant) -> int:
    """How many more matches `person` can take now (active matches hold places)."""
    return max(0, capacity(program, person) - person.active_matches)


def matching_pool(program: Program, people: Iterable[Participant]) -> list[Participant]:
    """Who a round matches: confirmed people with a place left, each mentor's `capacity`
    set to the places they have left (what the engine fills)."""
    pool = []
    for person in people:
        if person.status is not Status.CONFIRMED:
            continue
        left = places_left(program, person)
        if left > 0:
            pool.append(replace(person, capacity=left))
    return pool


def round_pool(
    program: Program, people: Iterable[Participant], met: Iterable[frozenset[str]] = ()
) -> list[Participant]:
    """Who a round of `program` matches today: the `matching_pool`, less, in a program that
    matches each person once, whoever has been in a pair that `met` already (published, ended
    or completed: a suggestion nobody chose is no conversation)."""
    pool = matching_pool(program, people)
    if program.matching.match_once:
        # One conversation each: whoever has been matched in the program is not again.
        matched = set().union(*met)
        pool = [person for person in pool if person.email not in matched]
    return pool
