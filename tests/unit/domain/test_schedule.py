"""When a round is due: EventBridge expressions read in the program's own time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.domain.schedule import last_due, next_due, recent_fire

MONDAYS_AT_NINE = "cron(0 9 ? * MON *)"
LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# Cron, read where the program is


@pytest.mark.parametrize(
    ("timezone", "now", "fired"),
    [
        pytest.param(LONDON, utc(2026, 3, 2, 9, 0), utc(2026, 3, 2, 9, 0), id="london-winter"),
        pytest.param(LONDON, utc(2026, 6, 1, 8, 0), utc(2026, 6, 1, 8, 0), id="london-summer"),
        pytest.param(NEW_YORK, utc(2026, 3, 2, 14, 0), utc(2026, 3, 2, 14, 0), id="ny-winter"),
        pytest.param(NEW_YORK, utc(2026, 6, 1, 13, 0), utc(2026, 6, 1, 13, 0), id="ny-summer"),
        # Between the US change (8 March) and the European one (29 March) the gap is 4 hours.
        pytest.param(NEW_YORK, utc(2026, 3, 9, 13, 0), utc(2026, 3, 9, 13, 0), id="ny-early-dst"),
        pytest.param(LONDON, utc(2026, 3, 9, 13, 0), utc(2026, 3, 9, 9, 0), id="london-same-day"),
    ],
)
def test_cron_fires_at_nine_local_time(timezone: str, now: datetime, fired: datetime) -> None:
    assert last_due(MONDAYS_AT_NINE, timezone, now, None) == fired


def test_a_minute_before_nine_local_time_the_previous_week_is_the_last_fire() -> None:
    # 07:59 UTC on a summer Monday is 08:59 in London: this week's round is not due yet.
    assert last_due(MONDAYS_AT_NINE, LONDON, utc(2026, 6, 1, 7, 59), None) == utc(2026, 5, 25, 8)
    # The same moment is already past 09:00 for a program run from UTC.
    assert last_due(MONDAYS_AT_NINE, "UTC", utc(2026, 6, 1, 9, 1), None) == utc(2026, 6, 1, 9)


def test_the_result_is_in_utc_whatever_zone_now_is_given_in() -> None:
    tokyo_now = utc(2026, 6, 1, 8, 30).astimezone(timezone(timedelta(hours=9)))
    fired = last_due(MONDAYS_AT_NINE, LONDON, tokyo_now, None)
    assert fired == utc(2026, 6, 1, 8, 0)
    assert fired is not None
    assert fired.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("expression", "now", "fired"),
    [
        # EventBridge numbers weekdays 1-7 from Sunday: 2 is Monday, 7 is Saturday.
        pytest.param("cron(0 9 ? * 2 *)", utc(2026, 3, 4, 12), utc(2026, 3, 2, 9), id="2-monday"),
        pytest.param("cron(0 9 ? * 1 *)", utc(2026, 3, 4, 12), utc(2026, 3, 1, 9), id="1-sunday"),
        pytest.param("cron(0 9 ? * 7 *)", utc(2026, 3, 9, 12), utc(2026, 3, 7, 9), id="7-saturday"),
        pytest.param(
            "cron(0 9 ? * 2-6 *)", utc(2026, 3, 8, 12), utc(2026, 3, 6, 9), id="2-6-weekdays"
        ),
        pytest.param("cron(0 9 ? * 1,7 *)", utc(2026, 3, 6, 12), utc(2026, 3, 1, 9), id="1,7"),
        pytest.param("cron(0 9 1 * ? *)", utc(2026, 3, 31, 12), utc(2026, 3, 1, 9), id="monthly"),
    ],
)
def test_numeric_weekdays_count_from_sunday_as_in_eventbridge(
    expression: str, now: datetime, fired: datetime
) -> None:
    assert last_due(expression, LONDON, now, None) == fired


@pytest.mark.parametrize(
    ("expression", "now", "fired"),
    [
        pytest.param("cron(0 9 ? * 2#1 *)", utc(2026, 3, 20, 12), utc(2026, 3, 2, 9), id="2#1"),
        pytest.param("cron(0 9 ? * MON#1 *)", utc(2026, 3, 20, 12), utc(2026, 3, 2, 9), id="MON#1"),
        pytest.param("cron(0 9 ? * 6L *)", utc(2026, 3, 31, 12), utc(2026, 3, 27, 9), id="6L"),
    ],
)
def test_nth_and_last_weekday_of_the_month(expression: str, now: datetime, fired: datetime) -> None:
    assert last_due(expression, LONDON, now, None) == fired


def test_a_cron_limited_to_a_later_year_is_not_due_before_it() -> None:
    assert last_due("cron(0 9 ? * MON 2027)", LONDON, utc(2026, 3, 3, 12), None) is None


# Runs that already covered the fire time


def test_a_run_at_or_after_the_fire_time_covers_it() -> None:
    now = utc(2026, 3, 2, 9, 30)
    fired = utc(2026, 3, 2, 9, 0)
    assert last_due(MONDAYS_AT_NINE, LONDON, now, fired) is None
    assert last_due(MONDAYS_AT_NINE, LONDON, now, fired + timedelta(seconds=5)) is None
    assert last_due(MONDAYS_AT_NINE, LONDON, now, fired - timedelta(seconds=1)) == fired
    # Last week's round does not cover this week's.
    assert last_due(MONDAYS_AT_NINE, LONDON, now, fired - timedelta(days=7)) == fired


def test_after_the_round_nothing_is_due_until_the_next_monday() -> None:
    ran = utc(2026, 3, 2, 9, 0, 12)
    for hours in (1, 24, 24 * 6 + 23):
        assert last_due(MONDAYS_AT_NINE, LONDON, ran + timedelta(hours=hours), ran) is None
    assert last_due(MONDAYS_AT_NINE, LONDON, utc(2026, 3, 9, 9, 0), ran) == utc(2026, 3, 9, 9, 0)


# rate(...) and manual


def test_rate_without_a_last_run_is_due_at_once_to_the_minute() -> None:
    now = utc(2026, 3, 4, 9, 17, 42, 123456)
    assert last_due("rate(7 days)", LONDON, now, None) == utc(2026, 3, 4, 9, 17)


def test_rate_is_due_when_the_period_has_passed_since_the_last_run() -> None:
    last_run = utc(2026, 2, 25, 9, 0)
    assert (
        last_due("rate(7 days)", LONDON, last_run + timedelta(days=6, hours=23), last_run) is None
    )
    assert last_due("rate(7 days)", LONDON, last_run + timedelta(days=7), last_run) == utc(
        2026, 3, 4, 9, 0
    )
    assert last_due("rate(7 days)", LONDON, last_run + timedelta(days=9, seconds=30), last_run) == (
        utc(2026, 3, 6, 9, 0)
    )


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 day)", timedelta(days=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(30 minutes)", timedelta(minutes=30)),
    ],
)
def test_rate_units(expression: str, period: timedelta) -> None:
    last_run = utc(2026, 3, 4, 9, 0)
    assert last_due(expression, LONDON, last_run + period - timedelta(seconds=1), last_run) is None
    assert last_due(expression, LONDON, last_run + period, last_run) == last_run + period


@pytest.mark.parametrize("last_run", [None, utc(2020, 1, 1)])
def test_manual_is_never_due(last_run: datetime | None) -> None:
    assert last_due("manual", LONDON, utc(2026, 3, 2, 9, 0), last_run) is None


@pytest.mark.parametrize("expression", ["every monday", "cron(0 9 * *)x", "rate(7 weeks)", ""])
def test_an_unknown_expression_is_refused(expression: str) -> None:
    with pytest.raises(ValueError, match="schedule expression"):
        last_due(expression, LONDON, utc(2026, 3, 2, 9, 0), None)


# Whether a weekly summary is due within the hour


def test_recent_fire_names_the_occurrence_for_the_whole_window() -> None:
    fridays = "cron(0 8 ? * FRI *)"
    fired = utc(2026, 3, 6, 8, 0)
    assert recent_fire(fridays, LONDON, utc(2026, 3, 6, 7, 59), timedelta(hours=1)) is None
    assert recent_fire(fridays, LONDON, fired, timedelta(hours=1)) == fired
    assert recent_fire(fridays, LONDON, utc(2026, 3, 6, 8, 59), timedelta(hours=1)) == fired
    assert recent_fire(fridays, LONDON, utc(2026, 3, 6, 9, 0), timedelta(hours=1)) is None
    assert recent_fire(fridays, LONDON, utc(2026, 3, 6, 20, 0), timedelta(days=1)) == fired
    # In summer, 08:00 in London is 07:00 UTC.
    assert recent_fire(fridays, LONDON, utc(2026, 6, 5, 7, 30), timedelta(hours=1)) == utc(
        2026, 6, 5, 7, 0
    )
    assert recent_fire("manual", LONDON, fired, timedelta(days=1)) is None


def test_a_rate_fires_at_whole_periods_since_1970() -> None:
    weekly = "rate(7 days)"
    # 1 January 1970 was a Thursday: every 7 days from it is a Thursday at 00:00 UTC.
    assert recent_fire(weekly, LONDON, utc(2026, 3, 5, 0, 30), timedelta(hours=1)) == utc(
        2026, 3, 5, 0, 0
    )
    assert recent_fire(weekly, LONDON, utc(2026, 3, 6, 0, 30), timedelta(hours=1)) is None


# The next round, for telling people who wait when it is


@pytest.mark.parametrize(
    ("timezone", "now", "due"),
    [
        # Tuesday 3 March: the next Monday at nine in London (winter: 09:00 UTC).
        pytest.param(LONDON, utc(2026, 3, 3, 12, 0), utc(2026, 3, 9, 9, 0), id="next-week"),
        # On the Monday, a minute after the round: a week later.
        pytest.param(LONDON, utc(2026, 3, 2, 9, 1), utc(2026, 3, 9, 9, 0), id="just-after"),
        # On the Monday before nine: today.
        pytest.param(LONDON, utc(2026, 3, 2, 8, 0), utc(2026, 3, 2, 9, 0), id="later-today"),
        # New York's nine o'clock moves with its summer time (8 March 2026).
        pytest.param(NEW_YORK, utc(2026, 3, 3, 12, 0), utc(2026, 3, 9, 13, 0), id="ny-dst"),
    ],
)
def test_the_next_cron_round_is_read_in_the_programs_zone(
    timezone: str, now: datetime, due: datetime
) -> None:
    assert next_due(MONDAYS_AT_NINE, timezone, now, None) == due


def test_a_rate_round_is_next_due_a_period_after_the_last() -> None:
    last = utc(2026, 3, 2, 9, 0)
    assert next_due("rate(7 days)", LONDON, utc(2026, 3, 3), last) == utc(2026, 3, 9, 9, 0)
    # Overdue or never run: at the scheduler's next run, that is now.
    assert next_due("rate(7 days)", LONDON, utc(2026, 3, 20), last) == utc(2026, 3, 20)
    assert next_due("rate(1 day)", LONDON, utc(2026, 3, 20, 5, 30, 12), None) == utc(
        2026, 3, 20, 5, 30
    )


def test_manual_rounds_and_past_years_have_no_next_round() -> None:
    assert next_due("manual", LONDON, utc(2026, 3, 3), None) is None
    assert next_due("cron(0 9 ? * MON 2025)", LONDON, utc(2026, 3, 3), None) is None
    assert next_due("cron(0 9 ? * MON 2027)", LONDON, utc(2026, 3, 3), None) == utc(
        2027, 1, 4, 9, 0
    )


# What a program's schedule may say (portal.domain.program.Schedule)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("cron(0 25 ? * MON *)", "a field is out of range or not understood"),
        ("rate(0 days)", "a rate must be at least 1"),
        ("cron(0 9 1 * MON *)", "give the day of the month or the weekday, and ? for the other"),
        ("rate(30 minutes)", "would run more than once an hour"),
        ("cron(0/15 9 ? * MON *)", "would run more than once an hour"),
        ("cron(0,30 9 ? * MON *)", "would run more than once an hour"),
    ],
)
def test_a_program_refuses_a_schedule_it_cannot_keep(expression: str, problem: str) -> None:
    from pydantic import ValidationError

    from portal.domain.program import Schedule

    with pytest.raises(ValidationError, match=re.escape(problem)):
        Schedule(rounds=expression)
    with pytest.raises(ValidationError, match=re.escape(problem)):
        Schedule(summary=expression)


@pytest.mark.parametrize(
    "expression",
    ["cron(0 9 ? * MON *)", "cron(30 9 ? * MON,THU *)", "cron(0 9 1 * ? *)", "rate(1 hour)",
     "rate(60 minutes)", "rate(7 days)", "cron(0 9 ? * 2#1 *)", "manual"],
)  # fmt: skip
def test_a_program_keeps_a_schedule_it_can_keep(expression: str) -> None:
    from portal.domain.program import Schedule

    assert Schedule(rounds=expression).rounds == expression
