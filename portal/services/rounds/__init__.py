"""Matching rounds, one module per use case.

- `scheduling`: which programs' rounds are due at a moment (the scheduled function);
- `run`: one round of one program: lock, match, store the pairs, announce them;
- `introductions`: the emails that introduce a pair;
- `waiting`: the email to each person a round left waiting, when it is news to them;
- `choice`: suggestions for programs whose mentees choose, and the choice;
- `review`: drafts an organizer adjusts and approves;
- `preview`: a round previewed in the console, then published or discarded.

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
from portal.services.rounds.preview import (
    PREVIEW_HOLD,
    AlreadyPublishedError,
    Preview,
    PreviewError,
    RoundPreviews,
)
from portal.services.rounds.review import AdjustmentError, UnknownRoundError
from portal.services.rounds.run import LOCK_HOLD
from portal.services.rounds.scheduling import SCHEDULER_PERIOD, Scheduling


class RoundService(Scheduling, RoundPreviews):
    """Rounds: scheduling, a round's run, introductions, mentee choice, organizer review and
    the console's previews."""


__all__ = [
    "ACTIVATED",
    "CHOOSE",
    "LOCK_HOLD",
    "ME",
    "MENTEE_TAKEN",
    "ORGANIZE",
    "PREVIEW_HOLD",
    "SCHEDULER_PERIOD",
    "SUGGESTIONS",
    "AdjustmentError",
    "AlreadyPublishedError",
    "Preview",
    "PreviewError",
    "RoundOutcome",
    "RoundService",
    "UnknownRoundError",
    "is_round_id",
    "round_id_for",
]
