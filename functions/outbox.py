"""Scheduled: send the emails that are due from the outbox, at SES's rate."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from portal.runtime import services


def handler(event, context):  # type: ignore[no-untyped-def]  # Zappa passes exactly these two
    """Lambda entry point; two drainers at once never send a message twice."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    portal = services()
    report = asdict(portal.mail.drain(per_second=portal.settings.mail_rate))
    # One JSON log line per run, read by the stack's metric filter (the outbox failures alarm).
    print(json.dumps({"outbox": report}), flush=True)
    return report
