"""The console's matches: a program's matches with both names, and the people waiting, with why.

Every read is a Query on the program's keys (matches by program, participants by program,
check-ins by the `by_program` index), never a Scan. Why someone waits is the reason the last
round that left them waiting gave, stored on the person (as the program at a glance shows it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from portal.domain.checkins import match_ref
from portal.domain.clock import Clock
from portal.domain.matches import MatchState, capacity
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.domain.waiting import waits
from portal.persistence.checkins import CheckinRepository
from portal.persistence.matches import MatchRepository, RoundRepository, StoredMatch
from portal.persistence.participants import ParticipantRepository

# The order of the list: what the organizer acts on first.
ORDER = (MatchState.ACTIVE, MatchState.PROPOSED, MatchState.ENDED, MatchState.COMPLETED)
STATUSES = tuple(state.value for state in ORDER)


PAGE = 50  # matches a page of the list shows


@dataclass(frozen=True)
class MatchPage:
    """One page of the list, the page's number (from 1) and how many pages and matches in all."""

    rows: list[MatchRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class MatchRow:
    """One match as the list shows it."""

    match: StoredMatch
    mentor_name: str
    mentee_name: str
    last_checkin: datetime | None


@dataclass(frozen=True)
class WaitingRow:
    """Someone confirmed and unmatched: since when, and why, as the last round that left them
    waiting said it."""

    person: Participant
    since: datetime | None  # None until a round has left them waiting
    reason: Mapping[str, Any] | None  # None until a round has left them waiting


@dataclass(frozen=True)
class MentorRoom:
    """A confirmed mentor with room: how many places they hold of how many."""

    person: Participant
    taken: int
    limit: int


class ConsoleMatches:
    """What the console's matches page reads: matches, the people waiting, mentors with room."""

    def __init__(
        self,
        *,
        participants: ParticipantRepository,
        matches: MatchRepository,
        rounds: RoundRepository,
        checkins: CheckinRepository,
        clock: Clock,
    ) -> None:
        self.participants = participants
        self.matches = matches
        self.rounds = rounds
        self.checkins = checkins
        self.clock = clock

    def everyone(self, program: Program) -> dict[str, Participant]:
        """The program's people by address (one Query)."""
        return {p.email: p for p in self.participants.for_program(program.slug)}

    def listing(
        self,
        program: Program,
        everyone: dict[str, Participant],
        status: str | None = None,
        page: int = 1,
        size: int = PAGE,
    ) -> MatchPage:
        """One page of the program's matches (suggestions aside), active first then proposed,
        ended and completed, newest first within each; only those in `status` if given. A page
        past the last is the last."""
        # A preview's draft pairs are no matches yet: the Run a round page shows them.
        previews = {r.round_id for r in self.rounds.previews(program.slug)}
        found = [
            m
            for m in self.matches.for_program(program.slug)
            if m.status in ORDER
            and m.round_id not in previews
            and (status is None or m.status.value == status)
        ]
        found.sort(key=lambda m: m.created_at, reverse=True)
        found.sort(key=lambda m: ORDER.index(m.status))
        pages = max(1, -(-len(found) // size))
        page = min(max(page, 1), pages)
        total = len(found)
        found = found[(page - 1) * size : page * size]
        last = self._last_checkins(program, found)

        def name(email: str) -> str:
            person = everyone.get(email)
            return person.name if person else "someone no longer in the program"

        rows = [MatchRow(m, name(m.mentor), name(m.mentee), last.get(m.match_id)) for m in found]
        return MatchPage(rows, page, pages, total)

    def _last_checkins(self, program: Program, found: list[StoredMatch]) -> dict[str, datetime]:
        """Each listed match's latest check-in: one Query of the program's check-ins since the
        oldest match on the page began."""
        if not found:
            return {}
        since = min(m.created_at for m in found)
        latest: dict[str, datetime] = {}
        wanted = {m.match_id for m in found}
        for checkin in self.checkins.for_program(
            program.slug, since, self.clock() + timedelta(seconds=1)
        ):
            if checkin.match_id in wanted:
                latest[checkin.match_id] = max(
                    checkin.created_at, latest.get(checkin.match_id, checkin.created_at)
                )
        return latest

    def by_ref(self, program: Program, ref: str) -> StoredMatch | None:
        """The program's match with this reference (`match_ref`, as addresses carry it)."""
        return next(
            (m for m in self.matches.for_program(program.slug) if match_ref(m.match_id) == ref),
            None,
        )

    def match(self, program: Program, match_id: str) -> StoredMatch | None:
        """One of the program's matches, or None."""
        return self.matches.get(program.slug, match_id) if match_id else None

    def waiting(self, program: Program, everyone: dict[str, Participant]) -> list[WaitingRow]:
        """Confirmed mentees and peers in no match, longest waiting first, with the reason the
        last round gave them (stored on the person: nothing is computed to show it)."""
        people = [p for p in everyone.values() if p.role is not Role.MENTOR and waits(p)]
        far = datetime.max.replace(tzinfo=UTC)
        people.sort(key=lambda p: (p.waiting_since or far, p.name.lower()))
        return [WaitingRow(p, p.waiting_since, p.waiting_reason) for p in people]

    def mentors_with_room(
        self, program: Program, everyone: dict[str, Participant]
    ) -> list[MentorRoom]:
        """Confirmed mentors with a place left, by name: whom a waiting mentee may move to."""
        found = []
        for person in everyone.values():
            if person.role is Role.MENTOR and person.status is Status.CONFIRMED:
                limit = capacity(program, person)
                if person.active_matches < limit:
                    found.append(MentorRoom(person, person.active_matches, limit))
        return sorted(found, key=lambda m: m.person.name.lower())
