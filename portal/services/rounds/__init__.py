"""Matching rounds, one module per use case.

- `scheduling`: which programs' rounds are due at a moment (the scheduled function);
- `run`: one round of one program: lock, match, store the pairs, announce them;
- `introductions`: the emails that introduce a pair;
- `waiting`: the email to each person a round left waiting, when it is news to them;
- `choice`: suggestions for programs whose mentees choose, and the choice;
- `review`: drafts an organizer adjusts and approves.

`RoundService` is all of them together, as the container wires it.
"""

from portal.persistence.matches import ACTIVATED, MENTEE_TAKEN
from portal.services.rounds.choice import SUGGESTIONS
from portal.services.rounds.common import (
    CHOOSE,
    ME,
    ORGANIZE,
    RoundOutcome,
    is_round_id,
    round_id_for,
)
from portal.services.rounds.review import AdjustmentError, OrganizerReview, UnknownRoundError
from portal.services.rounds.run import LOCK_HOLD
from portal.services.rounds.scheduling import SCHEDULER_PERIOD, Scheduling


class RoundService(Scheduling, OrganizerReview):
    """Rounds: scheduling, a round's run, introductions, mentee choice and organizer review."""


__all__ = [
    "ACTIVATED",
    "CHOOSE",
    "LOCK_HOLD",
    "ME",
    "MENTEE_TAKEN",
    "ORGANIZE",
    "SCHEDULER_PERIOD",
    "SUGGESTIONS",
    "AdjustmentError",
    "RoundOutcome",
    "RoundService",
    "UnknownRoundError",
    "is_round_id",
    "round_id_for",
]
