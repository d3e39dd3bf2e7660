"""A time typed on the meeting page is read on the reader's clocks that day, DST included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from portal.web.me.meeting_forms import local_start


@pytest.mark.parametrize(
    ("day", "clock", "zone", "utc"),
    [
        # Summer time on that day, winter time on the day before: the clocks of that date.
        (date(2027, 3, 29), time(9, 0), "Europe/Madrid", datetime(2027, 3, 29, 7, 0, tzinfo=UTC)),
        (date(2027, 3, 27), time(9, 0), "Europe/Madrid", datetime(2027, 3, 27, 8, 0, tzinfo=UTC)),
        (date(2027, 3, 15), time(9, 0), "America/New_York", datetime(2027, 3, 15, 13, tzinfo=UTC)),
        (date(2027, 3, 13), time(9, 0), "America/New_York", datetime(2027, 3, 13, 14, tzinfo=UTC)),
        (date(2026, 10, 26), time(9, 0), "Europe/London", datetime(2026, 10, 26, 9, tzinfo=UTC)),
        (date(2026, 10, 24), time(9, 0), "Europe/London", datetime(2026, 10, 24, 8, tzinfo=UTC)),
        # The hour that repeats when summer time ends: the first of the two is meant.
        (
            date(2026, 10, 25),
            time(2, 30),
            "Europe/Madrid",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
        (
            date(2026, 11, 1),
            time(1, 30),
            "America/New_York",
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
    ],
)
def test_a_typed_time_is_the_instant_on_the_readers_clocks(
    day: date, clock: time, zone: str, utc: datetime
) -> None:
    assert local_start(day, clock, zone) == utc


@pytest.mark.parametrize(
    ("day", "clock", "zone"),
    [
        (date(2027, 3, 28), time(2, 30), "Europe/Madrid"),
        (date(2027, 3, 14), time(2, 30), "America/New_York"),
    ],
)
def test_a_time_the_clocks_skip_is_no_instant(day: date, clock: time, zone: str) -> None:
    assert local_start(day, clock, zone) is None
