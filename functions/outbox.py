"""Scheduled: send the emails that are due from the outbox, at SES's rate.

Also started by a request that queued an email (portal/mail/courier.py), to send that one now.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from portal.runtime import metered, services

# The function runs every 5 minutes with a 300 s timeout (zappa_settings.json): at SES's rate
# a run sends no more than it can in 4 minutes, so that it ends before Lambda stops it (a
# message stopped between SES and the outbox's record of it would go twice).
SENDING_SECONDS = 240
MAX_PER_RUN = 500


def per_run(rate: float) -> int:
    """How many emails one run sends at most, at `rate` per second."""
    return max(1, min(MAX_PER_RUN, int(rate * SENDING_SECONDS)))


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; two drainers at once never send a message twice."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    portal = services()
    rate = portal.settings.mail_rate
    report = asdict(portal.mail.drain(limit=per_run(rate), per_second=rate))
    # One JSON log line per run, read by the stack's metric filter (the outbox failures alarm).
    print(json.dumps({"outbox": report}), flush=True)
    return report


@metered
def deliver(event: object, context: object) -> dict[str, bool | str]:
    """Send one queued message now: the `command` event a request's courier started."""
    key = event.get("key") if isinstance(event, dict) else None
    if not isinstance(key, str) or not key:
        return {"sent": False, "error": "the event names no outbox key"}
    # Sent already (by the scheduled run, or a retried invocation) is not an error: skipped.
    return {"sent": services().mail.deliver(key)}
