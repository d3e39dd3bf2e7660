"""When the hourly reminder run writes to someone: in their morning, where they are.

Pure: a time and a time zone come in; whether it is 07:00 to 08:59 there comes out. Any
hourly schedule, whatever its minute, runs exactly twice in that half-open window, in every
zone (whole-hour, half-hour or 45-minute offsets) and on the days clocks change (the change
happens at night), so the first run sends and the second catches what the first could not.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

MORNING_STARTS = 7  # 07:00 local time
MORNING_ENDS = 9  # up to 08:59


def _zone(timezone: str, fallback: str) -> zoneinfo.ZoneInfo:
    """`timezone`, or `fallback` when the time-zone database does not know it."""
    try:
        return zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(fallback)


def in_morning(now: datetime, timezone: str, *, fallback: str = "UTC") -> bool:
    """Whether `now` is between 07:00 and 08:59 in `timezone` (else in `fallback`)."""
    local = now.astimezone(_zone(timezone, fallback))
    return MORNING_STARTS <= local.hour < MORNING_ENDS
