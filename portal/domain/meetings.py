"""A pair's first meeting: times they share, a time as each reader sees it, a proposal checked.

Pure: zones, weekly slots and instants come in; instants and English sentences come out.
A participant's weekly availability is a set of (day, block) slots in their own time zone
(portal.domain.participants: DAYS, BLOCKS, SLOTS). Matching compares it in UTC with the
offset of the moment it runs; here each date is read in each person's zone as they live it
on that date (zoneinfo, never a fixed offset), so a daylight-saving change between now and
the meeting moves the shared time the way their clocks do. Instants are aware datetimes;
results are in UTC. An unknown zone name is read as UTC, and named so (as the rest of the
portal does for a zone the time-zone database does not know).

This is the pure layer of the first-meeting booking being built for issue 16; Babel's
locale formatting comes later in that issue, so the words here are English.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from portal.domain.participants import BLOCKS, DAYS

DEFAULT_COUNT = 3
DEFAULT_HORIZON = timedelta(days=14)
DEFAULT_LENGTH = timedelta(minutes=45)
DEFAULT_NOT_BEFORE = timedelta(hours=24)

# Every zone's offset is a whole number of quarter hours, so a start on a quarter hour in
# UTC can be on the hour or half hour where each reader is (Nepal's +05:45 needs the
# quarters: on UTC's half hours it would always be quarter past or to there).
QUARTER = timedelta(minutes=15)
_EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday at midnight, on every grid

_DAY_NAMES = dict(DAYS)
_DAY_KEYS = tuple(key for key, _ in DAYS)  # in date.weekday() order, Monday first
_BLOCK_HOURS = {key: (start, end) for key, _, start, end in BLOCKS}

Stretch = tuple[datetime, datetime]  # [start, end) in UTC


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """The zone called `name`, or UTC when the time-zone database does not know it."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _aware(moment: datetime, what: str) -> datetime:
    """`moment` in UTC; a naive datetime is a caller's mistake, not a person's."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _free(
    zone: zoneinfo.ZoneInfo, slots: Iterable[str], start: datetime, end: datetime
) -> list[Stretch]:
    """The person's free stretches touching [start, end), in UTC, adjoining blocks joined."""
    wanted = set(slots)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    stretches: list[Stretch] = []
    day = first
    while day <= last:
        key = _DAY_KEYS[day.weekday()]
        for block, (begin, finish) in _BLOCK_HOURS.items():
            if f"{key}-{block}" not in wanted:
                continue
            # The wall-clock hours of that date in that zone, turned into instants then.
            opens = datetime.combine(day, time(begin), tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, time(finish), tzinfo=zone).astimezone(UTC)
            if closes > start and opens < end:
                stretches.append((opens, closes))
        day += timedelta(days=1)
    stretches.sort()
    joined: list[Stretch] = []
    for opens, closes in stretches:
        if joined and opens <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], closes))
        else:
            joined.append((opens, closes))
    return joined


def shared_times(
    a_zone: str,
    a_slots: Iterable[str],
    b_zone: str,
    b_slots: Iterable[str],
    start: datetime,
    end: datetime,
) -> tuple[Stretch, ...]:
    """The stretches in [start, end) inside both people's weekly availability, in UTC."""
    start, end = _aware(start, "start"), _aware(end, "end")
    a = _free(zone_of(a_zone), a_slots, start, end)
    b = _free(zone_of(b_zone), b_slots, start, end)
    shared: list[Stretch] = []
    i = j = 0
    while i < len(a) and j < len(b):
        opens = max(a[i][0], b[j][0], start)
        closes = min(a[i][1], b[j][1], end)
        if opens < closes:
            shared.append((opens, closes))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(shared)


def _ceil(moment: datetime) -> datetime:
    """The first quarter hour (UTC) at or after `moment`."""
    return _EPOCH - ((_EPOCH - moment) // QUARTER) * QUARTER


def _round_in(moment: datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether `moment` is on the hour or half hour on the zone's clocks."""
    local = moment.astimezone(zone)
    return local.minute % 30 == 0 and local.second == 0 and local.microsecond == 0


def _starts(
    stretch: Stretch,
    a: zoneinfo.ZoneInfo,
    b: zoneinfo.ZoneInfo,
    earliest: datetime,
    latest: datetime,
    length: timedelta,
) -> list[datetime]:
    """The starts a meeting of `length` can have in `stretch`, on the hour or half hour.

    On it in both zones when any start is (always, unless one zone is a quarter hour off the
    other), else in one of them.
    """
    moment = _ceil(max(stretch[0], earliest))
    last = min(stretch[1] - length, latest)
    both: list[datetime] = []
    either: list[datetime] = []
    while moment <= last:
        in_a, in_b = _round_in(moment, a), _round_in(moment, b)
        if in_a and in_b:
            both.append(moment)
        elif in_a or in_b:
            either.append(moment)
        moment += QUARTER
    return both or either


def propose_times(
    a_zone: str,
    a_slots: Iterable[str],
    b_zone: str,
    b_slots: Iterable[str],
    now: datetime,
    *,
    count: int = DEFAULT_COUNT,
    horizon: timedelta = DEFAULT_HORIZON,
    length: timedelta = DEFAULT_LENGTH,
    not_before: timedelta = DEFAULT_NOT_BEFORE,
) -> tuple[datetime, ...]:
    """Up to `count` meeting starts (UTC, sorted) inside both people's availability, spread out.

    A start is at least `not_before` after `now` and at most `horizon` after it, and the whole
    meeting (`length`) lies in a stretch both are free, each on their own clocks that date. It
    is on the hour or half hour in both zones (in one when the zones are a quarter hour apart).
    Within a shared stretch the start nearest its middle is taken (the earlier of two), so
    neither person is asked for the first or last minutes of their block. Spreading: first,
    soonest first, one per shared stretch on a day that is new for both people (each counts
    days on their own calendar), so no one sees two proposals on one day while other days
    are free; then the other stretches, soonest first; last, when the pair shares too few
    stretches, other starts in them that do not overlap a time already proposed. Empty when
    they share no time.
    """
    now = _aware(now, "now")
    if count <= 0:
        return ()
    a, b = zone_of(a_zone), zone_of(b_zone)
    earliest, latest = now + not_before, now + horizon
    stretches = shared_times(a_zone, a_slots, b_zone, b_slots, earliest, latest + length)
    options = [_starts(s, a, b, earliest, latest, length) for s in stretches]
    options = [starts for starts in options if starts]
    middles = [starts[(len(starts) - 1) // 2] for starts in options]

    chosen: list[datetime] = []
    a_days: set[date] = set()
    b_days: set[date] = set()
    for moment in middles:
        a_day, b_day = moment.astimezone(a).date(), moment.astimezone(b).date()
        if len(chosen) < count and a_day not in a_days and b_day not in b_days:
            chosen.append(moment)
            a_days.add(a_day)
            b_days.add(b_day)
    for moment in middles:
        if len(chosen) < count and moment not in chosen:
            chosen.append(moment)
    for starts in options:
        for moment in starts:
            if len(chosen) < count and all(abs(moment - c) >= length for c in chosen):
                chosen.append(moment)
    return tuple(sorted(chosen))


def zone_label(moment: datetime, zone: str) -> str:
    """The zone named for a reader at `moment`: "Europe/London, BST"; "Asia/Dubai, UTC+04"."""
    place = zone_of(zone)
    abbreviation = _aware(moment, "moment").astimezone(place).tzname() or ""
    if abbreviation and abbreviation[0] in "+-":
        # zoneinfo has no letters for many zones: "+04", "+0545" become "UTC+04", "UTC+05:45".
        digits = abbreviation[1:]
        abbreviation = f"UTC{abbreviation[0]}{digits[:2]}" + (
            f":{digits[2:]}" if digits[2:] else ""
        )
    if not abbreviation or abbreviation == place.key:
        return place.key
    return f"{place.key}, {abbreviation}"


def in_zone(moment: datetime, zone: str, *, now: datetime | None = None) -> str:
    """What a reader in `zone` sees: "Tuesday 10 March, 18:00 (Europe/London, GMT)".

    The year is said when it differs from `now`'s there. English, 24-hour clock: Babel's
    locale formatting replaces this later in issue 16.
    """
    local = _aware(moment, "moment").astimezone(zone_of(zone))
    said = f"{local:%A} {local.day} {local:%B}"
    if now is not None and _aware(now, "now").astimezone(zone_of(zone)).year != local.year:
        said += f" {local.year}"
    return f"{said}, {local:%H:%M} ({zone_label(moment, zone)})"


def weekly_words(slots: Iterable[str]) -> str:
    """Weekly availability in words: "Monday to Friday 08:00-12:00 and Saturday 17:00-21:00"."""
    wanted = set(slots)
    ranges: list[tuple[tuple[int, int], ...]] = []
    for key in _DAY_KEYS:
        hours: list[tuple[int, int]] = []
        for block, (begin, finish) in _BLOCK_HOURS.items():
            if f"{key}-{block}" not in wanted:
                continue
            if hours and hours[-1][1] == begin:
                hours[-1] = (hours[-1][0], finish)
            else:
                hours.append((begin, finish))
        ranges.append(tuple(hours))
    # Days next to each other with the same hours are said once: "Monday to Wednesday".
    runs: list[tuple[int, int]] = []
    for index, said in enumerate(ranges):
        if not said:
            continue
        if runs and runs[-1][1] == index - 1 and ranges[runs[-1][0]] == said:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    parts = []
    for first, last in runs:
        days = _DAY_NAMES[_DAY_KEYS[first]]
        if last == first + 1:
            days += f" and {_DAY_NAMES[_DAY_KEYS[last]]}"
        elif last > first:
            days += f" to {_DAY_NAMES[_DAY_KEYS[last]]}"
        hours_said = " and ".join(
            f"{begin:02d}:00-{finish:02d}:00" for begin, finish in ranges[first]
        )
        parts.append(f"{days} {hours_said}")
    if any(len(ranges[first]) > 1 for first, _ in runs):
        # "Monday 08:00-12:00 and 17:00-21:00; Sunday 12:00-17:00": an "and" is taken.
        return "; ".join(parts)
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def _duration(span: timedelta) -> str:
    """A duration as people say it: "24 hours", "14 days", "45 minutes"."""
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 2 * 24 * 60:
        amount, unit = minutes // (24 * 60), "day"
    elif minutes % 60 == 0 and minutes >= 60:
        amount, unit = minutes // 60, "hour"
    else:
        amount, unit = minutes, "minute"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def _is_free(zone: str, slots: Iterable[str], start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies inside one free stretch of the person's, on their clocks."""
    return any(
        opens <= start and end <= closes
        for opens, closes in _free(zone_of(zone), slots, start, end)
    )


def _outside(name: str, zone: str, slots: frozenset[str], start: datetime, end: datetime) -> str:
    """Why [start, end) does not suit `name`: what it is for them, and when they are free."""
    label = zone_of(zone).key
    if not slots:
        return f"{name} has not given any weekly availability yet."
    local_start, local_end = start.astimezone(zone_of(zone)), end.astimezone(zone_of(zone))
    return (
        f"For {name} it is {local_start:%A} {local_start.day} {local_start:%B}, "
        f"{local_start:%H:%M} to {local_end:%H:%M} ({zone_label(start, zone)}), and {name} is "
        f"free {weekly_words(slots)}, {label} time."
    )


def check_proposal(
    moment: datetime,
    a_zone: str,
    a_slots: Iterable[str],
    b_zone: str,
    b_slots: Iterable[str],
    now: datetime,
    *,
    a_name: str,
    b_name: str,
    horizon: timedelta | None = DEFAULT_HORIZON,
    length: timedelta = DEFAULT_LENGTH,
    not_before: timedelta = DEFAULT_NOT_BEFORE,
) -> str | None:
    """None when `moment` can be proposed to the pair, else a message saying what is wrong.

    Any minute is accepted (only the proposals are put on the hour or half hour); `horizon`
    None takes times however far ahead.
    """
    start, now = _aware(moment, "moment"), _aware(now, "now")
    end = start + length
    if start < now:
        soonest = _duration(not_before)
        return f"That time is in the past: please choose one at least {soonest} from now."
    if start < now + not_before:
        return (
            f"That time is too soon: a first meeting is proposed at least "
            f"{_duration(not_before)} ahead, so there is time to see it and answer."
        )
    if horizon is not None and start > now + horizon:
        return f"That time is too far ahead: please choose one in the next {_duration(horizon)}."
    people = ((a_name, a_zone, frozenset(a_slots)), (b_name, b_zone, frozenset(b_slots)))
    outside = [person for person in people if not _is_free(person[1], person[2], start, end)]
    if not outside:
        return None
    whose = " and ".join(f"{name}'s" for name, _, _ in outside)
    details = " ".join(_outside(name, zone, slots, start, end) for name, zone, slots in outside)
    return f"That time is outside {whose} availability. {details}"
