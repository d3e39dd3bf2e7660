"""When is a program's round or summary due? EventBridge expressions, read in the program's zone."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

from croniter import croniter

_CRON = re.compile(r"^cron\((.+)\)$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def _to_croniter(fields: str) -> tuple[str, str]:
    """EventBridge's six fields (with ? and a year) as croniter's five, and the year field."""
    minute, hour, day, month, weekday, *rest = fields.split()

    def shift(token: str) -> str:
        # EventBridge numbers weekdays 1-7 from Sunday, cron 0-6; the n of "2#1" (the first
        # Monday) is not a weekday. "6L" (the last Friday) is croniter's "L5".
        last = re.fullmatch(r"(\d)L", token)
        if last:
            return f"L{int(last.group(1)) - 1}"
        return re.sub(r"(?<!#)\b\d+", lambda m: str(int(m.group()) - 1), token)

    weekday = "*" if weekday == "?" else shift(weekday)
    day = "*" if day == "?" else day
    return f"{minute} {hour} {day} {month} {weekday}", (rest[0] if rest else "*")


def rate_of(expression: str) -> tuple[int, str] | None:
    """A `rate(...)` expression's number and unit ("minute", "hour" or "day"); None if it is
    not a rate."""
    rate = _RATE.match(expression)
    return (int(rate.group(1)), rate.group(2).rstrip("s")) if rate else None


def more_than_hourly(expression: str) -> bool:
    """Whether a schedule expression would fire more than once in some hour."""
    rate = rate_of(expression)
    if rate is not None:
        number, unit = rate
        return unit == "minute" and number < 60
    cron = _CRON.match(expression)
    if cron:
        return not cron.group(1).split()[0].isdigit()
    return False


def expression_problem(expression: str) -> str | None:
    """What is wrong with a well-shaped schedule expression's values, or None: a rate of 0, a
    cron field out of range (hour 25), an impossible combination croniter cannot read."""
    rate = rate_of(expression)
    if rate is not None:
        return "a rate must be at least 1" if rate[0] < 1 else None
    cron = _CRON.match(expression)
    if not cron:
        return None
    fields = cron.group(1).split()
    if len(fields) != 6:
        return "a cron expression has six fields: minutes, hours, day, month, weekday, year"
    if fields[2] != "?" and fields[4] != "?":
        return "give the day of the month or the weekday, and ? for the other"
    try:
        spec, _ = _to_croniter(cron.group(1))
        valid = croniter.is_valid(spec)
    except (ValueError, IndexError):
        valid = False
    return None if valid else "a field is out of range or not understood"


def _year_allowed(spec: str, year: int) -> bool:
    """Whether an EventBridge year field ("*", "2027", "2026-2028", "2026,2028") allows `year`."""
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        first, _, last = part.partition("-")
        if first.isdigit() and int(first) <= year <= int(last or first):
            return True
    return False


def last_due(
    expression: str, timezone: str, now: datetime, last_run: datetime | None
) -> datetime | None:
    """The most recent time at or before `now` the schedule fired, if no run has covered it.

    Cron expressions are read in the program's time zone ("cron(0 9 ? * MON *)" is 9:00 on
    Mondays where the program is). `rate(...)` is due when that long has passed since the last
    run (or at once if there was none). "manual" is never due.
    """
    if expression == "manual":
        return None
    rate = _RATE.match(expression)
    if rate:
        period = timedelta(seconds=int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")])
        if last_run is None or now - last_run >= period:
            return now.astimezone(UTC).replace(second=0, microsecond=0)
        return None
    cron = _CRON.match(expression)
    if not cron:
        raise ValueError(f"not a schedule expression: {expression!r}")
    local_now = now.astimezone(zoneinfo.ZoneInfo(timezone))
    fields, years = _to_croniter(cron.group(1))
    fired: datetime = croniter(fields, local_now + timedelta(seconds=1)).get_prev(datetime)
    if not _year_allowed(years, fired.year):
        return None
    fired = fired.astimezone(UTC)
    if last_run is not None and last_run >= fired:
        return None
    return fired


def recent_fire(
    expression: str, timezone: str, now: datetime, window: timedelta
) -> datetime | None:
    """When the schedule last fired, if that was within `window` before `now` (or at `now`).

    For a run that checks every hour whether something (a weekly summary) is due: the fire
    time names the occurrence, so that repeated runs within the window find the same one.
    `rate(...)` fires at whole multiples of its period since 1970-01-01 00:00 UTC.
    """
    if expression == "manual":
        return None
    rate = _RATE.match(expression)
    if rate:
        period = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
        epoch = int(now.timestamp())
        fired = datetime.fromtimestamp(epoch - epoch % period, UTC)
    else:
        found = last_due(expression, timezone, now, None)
        if found is None:
            return None
        fired = found
    return fired if now - fired < window else None


def next_due(
    expression: str, timezone: str, now: datetime, last_run: datetime | None
) -> datetime | None:
    """When the schedule fires next after `now` (in UTC); None for "manual" or when never.

    Cron expressions are read in the program's time zone, as in `last_due`. `rate(...)` is
    due a period after the last run (or at once if there was none, or if it is overdue).
    """
    if expression == "manual":
        return None
    rate = _RATE.match(expression)
    if rate:
        period = timedelta(seconds=int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")])
        due = now if last_run is None else max(now, last_run + period)
        return due.astimezone(UTC).replace(second=0, microsecond=0)
    cron = _CRON.match(expression)
    if not cron:
        raise ValueError(f"not a schedule expression: {expression!r}")
    fields, years = _to_croniter(cron.group(1))
    runs = croniter(fields, now.astimezone(zoneinfo.ZoneInfo(timezone)))
    last_year = max((int(y) for y in re.findall(r"\d{4}", years)), default=None)
    for _ in range(1000):  # a year field may skip years: look ahead a while, then give up
        fired: datetime = runs.get_next(datetime)
        if _year_allowed(years, fired.year):
            return fired.astimezone(UTC)
        if last_year is not None and fired.year > last_year:
            return None  # every year it names is over
    return None
