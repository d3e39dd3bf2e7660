"""Scheduling: which programs' rounds are due at a moment, each run on its own."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from portal.domain.program import Program
from portal.domain.schedule import last_due
from portal.services.failures import log_failure
from portal.services.rounds.common import RoundOutcome, round_id_for
from portal.services.rounds.run import RoundRun

log = logging.getLogger(__name__)

SCHEDULER_PERIOD = timedelta(hours=1)  # how often zappa_settings.json runs matching_round


class Scheduling(RoundRun):
    """The scheduled function's entry: every program whose round is due."""

    def run_due(self, moment: datetime) -> list[RoundOutcome]:
        """Every program whose schedule says a round is due at `moment` (the scheduled function)."""
        outcomes = []
        for program in self.programs:
            if program.archived or program.rounds_paused:
                continue  # no new rounds; a round left half-way waits for the resume
            due_id: str | None = None
            try:
                due_id = self._due_round(program, moment)
                if due_id is not None:
                    outcomes.append(self.run(program, due_id, trigger="schedule"))
            except Exception:
                # One program's failure (a bug, unreadable data) must not stop the others'
                # rounds; the next run finishes an interrupted round (see `run`).
                log_failure(log, "round of %s failed", program.slug)
                outcomes.append(RoundOutcome(program.slug, due_id or "", "failed"))
        return outcomes

    def _due_round(self, program: Program, moment: datetime) -> str | None:
        """The round of `program` to run at `moment`, if one is due or was left unfinished."""
        expression = program.schedule.rounds
        latest = self.rounds.latest(program.slug)
        if expression.startswith("rate("):
            due = last_due(
                expression, program.timezone, moment, latest.created_at if latest else None
            )
        else:
            fired = last_due(expression, program.timezone, moment, None)
            # Due when it fired within the scheduler's period (a repeated event finds its
            # round done), or fired after the last round (a missed run is caught up). A new
            # program waits for its first fire time rather than running at deploy.
            recent = fired is not None and moment - fired < SCHEDULER_PERIOD
            missed = fired is not None and latest is not None and latest.created_at < fired
            due = fired if recent or missed else None
        if due is not None:
            return round_id_for(due)
        # Nothing due, but a round that stopped half-way is finished now, not next week.
        unfinished = self.rounds.unfinished(program.slug)
        return unfinished[0].round_id if unfinished else None
