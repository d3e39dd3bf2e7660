"""Scheduled hourly: check-in reminders, nudges, organizer alerts, re-match offers, surveys.

Each goes out in its reader's morning, 07:00 to 08:59 in their time zone (the organizers':
the program's), so a run sends to those whose morning it is.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from portal.runtime import event_time, metered, services

log = logging.getLogger(__name__)


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; a repeated or overlapping event queues nothing twice."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    outcomes = services().reminders.remind(event_time(event), mornings_only=True)
    failed = [outcome.program for outcome in outcomes if outcome.status == "failed"]
    if failed:
        # Every program had its turn; the failure now counts as the function's error. A retry
        # queues what is still due and repeats nothing (the outbox keys).
        raise RemindersFailedError(f"reminders failed for: {', '.join(failed)}")
    return {"reminders": [asdict(outcome) for outcome in outcomes]}


class RemindersFailedError(Exception):
    """At least one program's reminders failed (its traceback is in the log)."""
