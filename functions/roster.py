"""Scheduled hourly: roster imports' to-dos left undone, and invitation reminders.

Also started by the console's apply (portal/mail/courier.py) to do that
import's invitations, sign-up updates and pauses at once. Each step is idempotent: a run
that overlaps another, or repeats one stopped half-way, sends nothing twice.
"""

from __future__ import annotations

import logging
from typing import Any

from portal.runtime import metered, services

log = logging.getLogger(__name__)

# A run stops starting to-dos after this (the function's timeout is 300 s); what is left is
# handed to a fresh invocation at once on AWS, or to the next hourly run.
FINISH_SECONDS = 240
# The hourly run gives each program's leftover to-dos this long, then moves on.
HOURLY_FINISH_SECONDS = 60


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point: every program's leftover to-dos, then the reminders due."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    portal = services()
    finished: dict[str, int] = {}
    reminded: dict[str, int] = {}
    failed: list[str] = []
    for program in portal.programs:
        did = 0
        try:
            done = portal.roster_imports.finish(program.slug, seconds=HOURLY_FINISH_SECONDS)
            did = done.invited + done.paused + done.updated
            if done.remaining and portal.roster_imports.finisher is not None:
                portal.roster_imports.finisher(program.slug)
        except Exception:
            # The reminders and the other programs still have their turn; the failure ends
            # the run in error.
            log.exception("roster import to-dos failed for %s", program.slug)
            failed.append(program.slug)
        try:
            queued = portal.roster_imports.remind(program)
        except Exception:
            log.exception("roster invitation reminders failed for %s", program.slug)
            failed.append(program.slug)
            queued = 0
        if did:
            finished[program.slug] = did
        if queued:
            reminded[program.slug] = queued
    if failed:
        names = ", ".join(dict.fromkeys(failed))
        raise RosterRunFailedError(f"roster imports failed for: {names}")
    return {"finished": finished, "reminded": reminded}


class RosterRunFailedError(Exception):
    """At least one program's roster to-dos or reminders failed (its traceback is logged)."""


@metered
def finish(event: object, context: object) -> dict[str, Any]:
    """Do one program's import to-dos now: the `command` event the console's apply started."""
    slug = event.get("program") if isinstance(event, dict) else None
    if not isinstance(slug, str) or services().programs.get(slug) is None:
        return {"finished": False, "error": "the event names no known program"}
    imports = services().roster_imports
    done = imports.finish(slug, seconds=FINISH_SECONDS)
    if done.remaining and imports.finisher is not None:
        imports.finisher(slug)  # another invocation carries on where this one stopped
    return {
        "finished": not done.remaining,
        "invited": done.invited,
        "paused": done.paused,
        "remaining": done.remaining,
    }
