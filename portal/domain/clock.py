"""Time is passed in, never read from a global, so tests and simulations control it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def shifted_clock(start: datetime) -> Clock:
    """A clock that starts at `start` and runs at the real pace (PORTAL_CLOCK simulations)."""
    began = time.monotonic()

    def now() -> datetime:
        return start.astimezone(UTC) + timedelta(seconds=time.monotonic() - began)

    return now


def parse_moment(text: str) -> datetime:
    """An ISO date or date-time as an aware UTC time; a time without an offset is UTC.

    Raises ValueError with a message a person can act on.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO date or date-time such as 2026-03-16, 2026-03-16T08:00 "
            "or 2026-03-16T08:00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
