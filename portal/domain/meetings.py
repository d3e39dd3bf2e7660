"""A pair's first meeting: times they share, a time as each reader sees it, a proposal checked.

Pure: zones, weekly slots and instants come in; instants and refusals (codes with their
parameters) come out. The words are portal.presenters.meetings', in the reader's language.
A participant's weekly availability is a set of (day, block) slots in their own time zone
(portal.domain.participants: DAYS, BLOCKS, SLOTS). Matching compares it in UTC with the
offset of the moment it runs; here each date is read in each person's zone as they live it
on that date (zoneinfo, never a fixed offset), so a daylight-saving change between now and
the meeting moves the shared time the way their clocks do. Instants are aware datetimes;
results are in UTC. An unknown zone name is read as UTC, and named so (as the rest of the
portal does for a zone the time-zone database does not know).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

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


def _is_free(zone: str, slots: Iterable[str], start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies inside one free stretch of the person's, on their clocks."""
    return any(
        opens <= start and end <= closes
        for opens, closes in _free(zone_of(zone), slots, start, end)
    )


def weekly_hours(slots: Iterable[str]) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    """Each day's free hours on the person's own clock, adjoining blocks joined, Monday first.

    (("tue", ((17, 21),)), ("thu", ((8, 12),))): the presenter says it in words.
    """
    wanted = set(slots)
    days: list[tuple[str, tuple[tuple[int, int], ...]]] = []
    for key in _DAY_KEYS:
        hours: list[tuple[int, int]] = []
        for block, (begin, finish) in _BLOCK_HOURS.items():
            if f"{key}-{block}" not in wanted:
                continue
            if hours and hours[-1][1] == begin:
                hours[-1] = (hours[-1][0], finish)
            else:
                hours.append((begin, finish))
        if hours:
            days.append((key, tuple(hours)))
    return tuple(days)


@dataclass(frozen=True)
class Refusal:
    """Why a meeting action was refused: a code and what the words about it need.

    Codes of a proposed time: "past" and "too_soon" (params: not_before, a timedelta),
    "too_far" (horizon), "outside" (start, end, and `people`: for each person whose
    availability the time misses, in the pair's order, a dict of name, zone and slots).
    The service adds its own (portal.services.meetings). The words are the presenter's
    (portal.presenters.meetings.refusal_text).
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def check_proposal(
    moment: datetime,
    a_zone: str,
    a_slots: Iterable[str],
    b_zone: str,
    b_slots: Iterable[str],
    now: datetime,
    *,
    a_name: str = "",
    b_name: str = "",
    horizon: timedelta | None = DEFAULT_HORIZON,
    length: timedelta = DEFAULT_LENGTH,
    not_before: timedelta = DEFAULT_NOT_BEFORE,
) -> Refusal | None:
    """None when `moment` can be proposed to the pair, else the Refusal saying what is wrong.

    Any minute is accepted (only the proposals are put on the hour or half hour); `horizon`
    None takes times however far ahead. The names are data for the words of an "outside".
    """
    start, now = _aware(moment, "moment"), _aware(now, "now")
    end = start + length
    if start < now:
        return Refusal("past", {"not_before": not_before})
    if start < now + not_before:
        return Refusal("too_soon", {"not_before": not_before})
    if horizon is not None and start > now + horizon:
        return Refusal("too_far", {"horizon": horizon})
    people = ((a_name, a_zone, tuple(a_slots)), (b_name, b_zone, tuple(b_slots)))
    outside = [
        {"name": name, "zone": zone_of(zone).key, "slots": slots}
        for name, zone, slots in people
        if not _is_free(zone, slots, start, end)
    ]
    if not outside:
        return None
    return Refusal("outside", {"start": start, "end": end, "people": tuple(outside)})


# -- a pair's meeting, as stored on its match -----------------------------------------------

PROPOSED = "proposed"
BOOKED = "booked"
CANCELLED = "cancelled"
STATES = (PROPOSED, BOOKED, CANCELLED)


@dataclass(frozen=True)
class Proposal:
    """A time one of the pair proposed, waiting for the other to accept it."""

    id: str
    start: datetime  # UTC
    by: str  # the proposer's participant id
    at: datetime  # when it was proposed
    link: str | None = None  # a link pasted with it: the meeting's once it is accepted


@dataclass(frozen=True)
class Meeting:
    """A pair's first meeting: open proposals, and the booked time once one is accepted.

    `version` grows on every change (each write is conditional on it); `uid` names the
    calendar event across reschedules and `sequence` counts its changes (0 when first booked).
    """

    state: str | None = None  # None (nothing yet) | proposed | booked | cancelled
    version: int = 0
    proposals: tuple[Proposal, ...] = ()
    start: datetime | None = None  # the booked start, UTC
    length_minutes: int = 45
    link: str | None = None
    uid: str | None = None
    sequence: int = 0
    booked_at: datetime | None = None
    by: str | None = None  # who accepted the booked time
    room: str | None = None  # the random id a program's link pattern is filled with
    moved: bool = False  # booked by moving a booked time (its invite says "Moved")

    @property
    def length(self) -> timedelta:
        """How long the meeting lasts."""
        return timedelta(minutes=self.length_minutes)

    @property
    def end(self) -> datetime | None:
        """When the booked meeting ends; None unless booked."""
        return self.start + self.length if self.state == BOOKED and self.start else None

    def proposal(self, proposal_id: str) -> Proposal | None:
        """The open proposal with this id, if there is one."""
        return next((p for p in self.proposals if p.id == proposal_id), None)


def booked_start(meeting: Meeting | None) -> datetime | None:
    """The start of the pair's booked meeting; None when none is booked (or it was cancelled)."""
    if meeting is None or meeting.state != BOOKED:
        return None
    return meeting.start
