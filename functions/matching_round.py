"""Scheduled: run a matching round for every program whose schedule says one is due."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from portal.runtime import event_time, metered, services

log = logging.getLogger(__name__)


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; repeated or overlapping deliveries of an event do nothing new."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    outcomes = services().rounds.run_due(event_time(event))
    for outcome in outcomes:
        log.info("round %s %s: %s", outcome.program, outcome.round_id, outcome.status)
    failed = [outcome.program for outcome in outcomes if outcome.status == "failed"]
    if failed:
        # Every program had its turn; now make the failure count as the function's error
        # (alarms, retries). A retry finishes the interrupted rounds and repeats nothing.
        raise RoundsFailedError(f"rounds failed for: {', '.join(failed)}")
    return {"rounds": [asdict(outcome) for outcome in outcomes]}


class RoundsFailedError(Exception):
    """At least one program's round failed (its traceback is in the log)."""
