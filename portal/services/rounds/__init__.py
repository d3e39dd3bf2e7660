"""Matching rounds (being split by use case; see run.py)."""

from portal.services.rounds.run import (
    ACTIVATED,
    CHOOSE,
    LOCK_HOLD,
    ME,
    MENTEE_TAKEN,
    ORGANIZE,
    SCHEDULER_PERIOD,
    SUGGESTIONS,
    AdjustmentError,
    RoundOutcome,
    RoundService,
    UnknownRoundError,
    is_round_id,
    round_id_for,
)

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
