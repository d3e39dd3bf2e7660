"""What the Lambda entry points in functions/ share: the services, built once per container."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

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


R = TypeVar("R")


def metered(handler: Callable[[Any, Any], R]) -> Callable[[Any, Any], R]:
    """A Lambda entry point whose invocation and time are counted, and the counts stored.

    Every entry point in functions/ is one: at the end of each invocation, failed or not, this
    process's counts (its DynamoDB units and emails too) go to the usage table, for the
    organizers' costs page.
    """

    @functools.wraps(handler)
    def counted(event: Any, context: Any) -> R:
        started = time.perf_counter()
        try:
            return handler(event, context)
        finally:
            usage = services().usage
            usage.invocation(time.perf_counter() - started)
            usage.flush()

    return counted


def event_time(event: dict[str, Any]) -> datetime:
    """The time an EventBridge event was scheduled for (now, for a direct call)."""
    stamp = event.get("time")
    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.now(UTC)
