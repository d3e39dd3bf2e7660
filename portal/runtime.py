"""What the Lambda entry points in functions/ share: the services, built once per container."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from portal.container import Services, build_services
from portal.log_redaction import install_log_redaction
from portal.settings import load_settings

# Every Lambda entry point imports this module before it logs anything: no token of an
# emailed link reaches CloudWatch from a scheduled function either (the web app does the same
# in its factory).
install_log_redaction()


@cache
def services() -> Services:
    """Built on the first invocation and reused while the container lives."""
    return build_services(load_settings())


def event_time(event: dict[str, Any]) -> datetime:
    """The time an EventBridge event was scheduled for (now, for a direct call)."""
    stamp = event.get("time")
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.now(UTC)
