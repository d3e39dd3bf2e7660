"""Scheduled hourly: each program's weekly progress summary, when its `schedule.summary` fires."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from portal.runtime import event_time, metered, services


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; the hourly events of one day send each summary once."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    outcomes = services().summaries.send_summaries(event_time(event))
    failed = [outcome.program for outcome in outcomes if outcome.status == "failed"]
    if failed:
        raise SummariesFailedError(f"summaries failed for: {', '.join(failed)}")
    return {"summaries": [asdict(outcome) for outcome in outcomes]}


class SummariesFailedError(Exception):
    """At least one program's summary failed (its traceback is in the log)."""
