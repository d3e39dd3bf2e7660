"""The reader's morning: 07:00 to 08:59 where they are, which two hourly runs fall in."""

from __future__ import annotations

import zoneinfo
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.domain.mornings import in_morning


@pytest.mark.parametrize(
    ("at", "zone", "morning"),
    [
        ("2026-01-19T07:00", "America/New_York", False),  # 02:00 in New York
        ("2026-01-19T12:00", "America/New_York", True),  # 07:00 EST
        ("2026-01-19T13:59", "America/New_York", True),  # 08:59
        ("2026-01-19T14:00", "America/New_York", False),  # 09:00: over
        ("2026-07-20T11:00", "America/New_York", True),  # 07:00 EDT
        ("2026-07-20T12:00", "America/New_York", True),  # 08:00 EDT
        ("2026-07-20T13:00", "America/New_York", False),  # 09:00 EDT
        ("2026-01-19T06:00", "Europe/Berlin", True),  # 07:00 CET
        ("2026-01-19T05:00", "Europe/Berlin", False),
        ("2026-07-20T05:00", "Europe/Berlin", True),  # 07:00 CEST
        ("2026-01-19T01:00", "Asia/Kolkata", False),  # 06:30
        ("2026-01-19T02:00", "Asia/Kolkata", True),  # 07:30
        ("2026-01-19T03:00", "Asia/Kolkata", True),  # 08:30
        ("2026-01-18T22:00", "Asia/Tokyo", True),  # 07:00 on the 19th, the day before in UTC
    ],
)
def test_the_morning_is_seven_to_nine_in_the_readers_zone(
    at: str, zone: str, morning: bool
) -> None:
    assert in_morning(datetime.fromisoformat(at).replace(tzinfo=UTC), zone) is morning


ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Los_Angeles",
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Adelaide",  # +09:30 / +10:30, summer in January
    "Australia/Lord_Howe",  # a 30-minute change of clocks
    "Pacific/Auckland",
    "Africa/Lagos",
)


@pytest.mark.parametrize("zone", ZONES)
def test_every_morning_of_2026_has_exactly_two_hourly_runs_whatever_the_clock_changes(
    zone: str,
) -> None:
    # Every hourly run of the year, on the hour in UTC (cron(0 * * * ? *)), counted by the
    # local date it falls on when it is morning there: two each day, so the second run
    # repeats the first's work and catches what it missed, and none is ever skipped.
    tz = zoneinfo.ZoneInfo(zone)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    mornings: Counter[date] = Counter()
    for hour in range(366 * 24):
        at = first + timedelta(hours=hour)
        if in_morning(at, zone):
            mornings[at.astimezone(tz).date()] += 1
    days = [date(2026, 1, 2) + timedelta(days=n) for n in range(363)]
    assert {mornings[day] for day in days} == {2}


def test_a_zone_the_database_does_not_know_falls_back_to_the_one_given() -> None:
    at = datetime(2026, 1, 19, 12, tzinfo=UTC)
    assert in_morning(at, "Mars/Olympus_Mons", fallback="America/New_York")
    assert not in_morning(at, "", fallback="Europe/London")
