"""Scheduled hourly: each program's figures for the organizer console, computed and stored."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from portal.runtime import metered, services


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; each run replaces every program's figures with fresh ones."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    outcomes = services().figures.refresh_all()
    failed = [outcome.program for outcome in outcomes if outcome.status == "failed"]
    if failed:
        raise FiguresFailedError(f"console figures failed for: {', '.join(failed)}")
    return {"figures": [asdict(outcome) for outcome in outcomes]}


class FiguresFailedError(Exception):
    """At least one program's figures failed (its traceback is in the log)."""
