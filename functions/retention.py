"""Scheduled daily: remove what the privacy notice says is kept no longer (people past their
programs' retention period, unconfirmed sign-ups, expired links, sessions, old email records)."""

from __future__ import annotations

import json
from typing import Any

from portal.runtime import event_time, metered, services


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; a repeated or overlapping event removes nothing more."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    portal = services()
    # The time the event was scheduled for; called without one, the services' clock (which
    # follows PORTAL_CLOCK when it is set).
    now = event_time(event) if isinstance(event.get("time"), str) else portal.clock()
    done = portal.retention.purge(now)
    report: dict[str, Any] = {"at": done.at.isoformat(), **done.counts, "failed": done.failed}
    # One JSON log line per run, counts only: no address, name or id reaches the log.
    print(json.dumps({"retention": report}), flush=True)
    if done.failed:
        # Everyone else was handled; the failure now counts as the function's error (alarms).
        # The next run finishes an interrupted erasure and repeats nothing.
        who = "1 person" if done.failed == 1 else f"{done.failed} people"
        raise RetentionFailedError(f"retention could not erase {who} (see the log)")
    return report


class RetentionFailedError(Exception):
    """At least one person could not be erased (the traceback is in the log)."""
