"""What the Lambda entry points in functions/ share: the services, built once per container."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from portal.services import Services, build_services
from portal.settings import load_settings


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
