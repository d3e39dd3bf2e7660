"""The program-at-a-glance figures: computed hourly (and on demand), stored one item per program.

A program of 10,000 people and 40,000 check-ins takes seconds to read and compute, too long
for a page: the hourly function computes every program's figures and stores them, and the
page reads that one item (data, put into the reader's words when shown). Every read is a
Query on a key or an index, never a Scan: participants and matches by program, check-ins
by the check-ins' `by-program` index, and goals by the goals' `by-program` index (one Query
for the program, not one per match).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from portal.catalog.programs import ProgramCatalog
from portal.domain.clock import Clock
from portal.domain.figures import program_figures
from portal.domain.groups import groups_of, is_group_program
from portal.domain.program import Program
from portal.persistence.checkins import CheckinRepository, GoalRepository
from portal.persistence.figures import FiguresRepository, StoredFigures
from portal.persistence.matches import MatchRepository
from portal.persistence.participants import ParticipantRepository
from portal.presenters.figures import is_current, view
from portal.services.failures import log_failure

log = logging.getLogger(__name__)

# Check-ins are read from the program's beginning: none is older than the portal.
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RefreshOutcome:
    program: str
    status: str  # computed | failed
    seconds: float = 0.0


class ConsoleFigures:
    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        checkins: CheckinRepository,
        goals: GoalRepository,
        store: FiguresRepository,
        clock: Clock,
    ) -> None:
        self.programs = programs
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.goals = goals
        self.store = store
        self.clock = clock

    def current(self, program: Program) -> StoredFigures:
        """The figures as last stored; computed and stored now if there are none yet, or if
        they were stored in an older shape (the first version stored English words)."""
        stored = self.store.get(program.slug)
        if stored is None or not is_current(stored.figures):
            return self.refresh(program)
        return stored

    def refresh(self, program: Program) -> StoredFigures:
        """Compute the program's figures from the database now, and store them."""
        now = self.clock()
        people = {p.email: p for p in self.participants.for_program(program.slug)}
        matches = list(self.matches.for_program(program.slug))
        checkins = self.checkins.for_program(program.slug, BEGINNING, now)
        goals = self.goals.for_program(program.slug)
        figures = program_figures(
            program,
            now=now,
            participants=list(people.values()),
            matches=matches,
            checkins=checkins,
            goals=goals,
            groups=groups_of(matches) if is_group_program(program) else (),
        )
        stored = StoredFigures(program.slug, now, view(program, figures, people))
        self.store.put(stored.program, stored.computed_at, stored.figures)
        return stored

    def refresh_all(self) -> list[RefreshOutcome]:
        """Every program's figures, computed and stored (the hourly function)."""
        outcomes = []
        for program in self.programs:
            started = time.perf_counter()
            try:
                self.refresh(program)
            except Exception:
                # One program's failure must not leave the others' figures stale.
                log_failure(log, "the console figures of %s failed", program.slug)
                outcomes.append(RefreshOutcome(program.slug, "failed"))
                continue
            seconds = round(time.perf_counter() - started, 3)
            outcomes.append(RefreshOutcome(program.slug, "computed", seconds))
        return outcomes
