"""A pair's first meeting: shared times through daylight-saving changes, times in each zone."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from portal.domain.meetings import (
    Refusal,
    check_proposal,
    propose_times,
    shared_times,
    weekly_hours,
)
from portal.domain.participants import BLOCKS, DAYS, SLOTS
from portal.domain.program import MeetingSettings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
AFTERNOONS = tuple(f"{day}-afternoon" for day in WEEKDAYS)
EVERYTHING = SLOTS


def at(text: str) -> datetime:
    """An instant written in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def in_zone(moment: datetime, zone: str) -> str:
    """The wall clock of `zone` at `moment`, and its abbreviation (the words are the
    presenter's, tested in tests/unit/presenters/test_meetings.py)."""
    there = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{there:%A} {there.day} {there:%B}, {there:%H:%M} ({zone}, {there.tzname()})"


def local(text: str, zone: str) -> datetime:
    """An instant written on a zone's clocks."""
    return datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))


# In 2026 the US changes its clocks on 8 March and 1 November, Europe on 29 March and
# 25 October: between those dates London is four hours ahead of New York, not five.


def test_a_london_and_a_new_york_afternoon_meet_only_while_their_clocks_disagree_in_march() -> None:
    # 12:00-17:00 in London and 12:00-17:00 in New York touch at 17:00 London most of the
    # year; in the three weeks between the changes they share 16:00-17:00 London time.
    proposals = propose_times(
        "Europe/London",
        AFTERNOONS,
        "America/New_York",
        AFTERNOONS,
        at("2026-03-01T12:00"),
        count=30,
        horizon=timedelta(days=42),
    )
    weekdays = [
        f"2026-03-{day:02d}T16:00" for day in (*range(9, 14), *range(16, 21), *range(23, 28))
    ]
    assert proposals == tuple(at(text) for text in weekdays)
    assert (
        in_zone(proposals[0], "America/New_York") == "Monday 9 March, 12:00 (America/New_York, EDT)"
    )
    assert in_zone(proposals[0], "Europe/London") == "Monday 9 March, 16:00 (Europe/London, GMT)"
    # After Europe's change (29 March) the hour is gone again.
    assert in_zone(proposals[-1], "Europe/London") == "Friday 27 March, 16:00 (Europe/London, GMT)"


def test_a_london_and_a_new_york_afternoon_meet_only_in_the_october_week_between_changes() -> None:
    proposals = propose_times(
        "Europe/London",
        AFTERNOONS,
        "America/New_York",
        AFTERNOONS,
        at("2026-10-10T12:00"),
        count=30,
        horizon=timedelta(days=42),
    )
    assert proposals == tuple(at(f"2026-10-{day}T16:00") for day in range(26, 31))
    assert in_zone(proposals[0], "Europe/London") == "Monday 26 October, 16:00 (Europe/London, GMT)"
    assert in_zone(proposals[0], "America/New_York") == (
        "Monday 26 October, 12:00 (America/New_York, EDT)"
    )


@pytest.mark.parametrize(
    ("monday", "london_hours"),
    [
        ("2026-03-02", ("13:00", "17:00")),  # GMT and EST: five hours apart
        ("2026-03-09", ("12:00", "16:00")),  # New York has changed, London not yet
        ("2026-03-23", ("12:00", "16:00")),
        ("2026-03-30", ("13:00", "17:00")),  # both changed: five hours again
        ("2026-10-19", ("13:00", "17:00")),
        ("2026-10-26", ("12:00", "16:00")),  # London has changed back, New York not yet
        ("2026-11-02", ("13:00", "17:00")),  # both changed back
    ],
)
def test_the_shared_stretch_moves_on_londons_clock_in_the_weeks_the_changes_differ(
    monday: str, london_hours: tuple[str, str]
) -> None:
    # Computed for a date weeks after "now", so the offsets are those of that date.
    shared = shared_times(
        "Europe/London",
        ["mon-afternoon"],
        "America/New_York",
        ["mon-morning"],
        at(f"{monday}T00:00"),
        at(f"{monday}T23:59"),
    )
    zone = zoneinfo.ZoneInfo("Europe/London")
    assert [
        (s.astimezone(zone).strftime("%H:%M"), e.astimezone(zone).strftime("%H:%M"))
        for s, e in shared
    ] == [london_hours]


def test_proposals_computed_before_a_change_use_the_clocks_of_their_own_date() -> None:
    # Chosen on 1 March, for a London afternoon and a New York morning on Mondays: the start
    # nearest the middle of each shared stretch, once per Monday.
    proposals = propose_times(
        "Europe/London",
        ["mon-afternoon"],
        "America/New_York",
        ["mon-morning"],
        at("2026-03-01T12:00"),
        horizon=timedelta(days=35),
    )
    assert [in_zone(p, "America/New_York") for p in proposals] == [
        "Monday 2 March, 09:30 (America/New_York, EST)",
        "Monday 9 March, 09:30 (America/New_York, EDT)",
        "Monday 16 March, 09:30 (America/New_York, EDT)",
    ]
    assert [in_zone(p, "Europe/London") for p in proposals] == [
        "Monday 2 March, 14:30 (Europe/London, GMT)",
        "Monday 9 March, 13:30 (Europe/London, GMT)",
        "Monday 16 March, 13:30 (Europe/London, GMT)",
    ]


def test_three_proposals_are_on_three_different_days_when_other_days_are_shared() -> None:
    # Both are free all week, in the same zone: each day has one shared stretch, 08:00-21:00,
    # whose middle start on the half-hour grid (08:00 to 20:00) is 14:00.
    proposals = propose_times(
        "Europe/Madrid", EVERYTHING, "Europe/Madrid", EVERYTHING, at("2026-05-04T06:00")
    )
    assert [in_zone(p, "Europe/Madrid") for p in proposals] == [
        "Tuesday 5 May, 14:00 (Europe/Madrid, CEST)",
        "Wednesday 6 May, 14:00 (Europe/Madrid, CEST)",
        "Thursday 7 May, 14:00 (Europe/Madrid, CEST)",
    ]


def test_with_one_shared_stretch_the_other_proposals_are_times_in_it_that_do_not_overlap() -> None:
    proposals = propose_times(
        "Europe/London",
        ["tue-morning"],
        "Europe/London",
        ["tue-morning"],
        at("2026-05-04T06:00"),  # a Monday: only Tuesday 5 May is in the next week
        horizon=timedelta(days=7),
    )
    assert proposals == (at("2026-05-05T07:00"), at("2026-05-05T08:30"), at("2026-05-05T09:30"))


def test_no_shared_time_gives_no_proposals() -> None:
    assert (
        propose_times(
            "Europe/London",
            ["mon-morning"],
            "Europe/London",
            ["mon-evening"],
            at("2026-05-04T06:00"),
        )
        == ()
    )
    assert (
        propose_times("Europe/London", [], "Europe/London", EVERYTHING, at("2026-05-04T06:00"))
        == ()
    )
    # Thirty minutes shared is less than a 45-minute meeting.
    assert (
        propose_times(
            "Europe/London",
            ["mon-morning"],
            "Asia/Kolkata",
            ["mon-evening"],
            at("2026-01-05T00:00"),
        )
        == ()
    )


def test_nothing_is_proposed_in_the_next_24_hours_or_beyond_the_two_weeks() -> None:
    now = local("2026-05-05T09:00", "Europe/London")  # a Tuesday morning, inside the stretch
    proposals = propose_times(
        "Europe/London", ["tue-morning"], "Europe/London", ["tue-morning"], now, count=10
    )
    assert proposals
    assert all(now + timedelta(hours=24) <= p <= now + timedelta(days=14) for p in proposals)
    assert {p.astimezone(zoneinfo.ZoneInfo("Europe/London")).day for p in proposals} == {12, 19}


def test_a_half_hour_zone_meets_on_the_hour_or_half_hour_on_both_clocks() -> None:
    # Kolkata's evening (17:00-21:00 IST) is 11:30-15:30 UTC; London's afternoon in January is
    # 12:00-17:00 GMT: they share 12:00-15:30 London time.
    proposals = propose_times(
        "Europe/London", ["mon-afternoon"], "Asia/Kolkata", ["mon-evening"], at("2026-01-01T00:00")
    )
    # The middle of each Monday's stretch; the third is another start that Monday.
    assert proposals == (at("2026-01-05T12:00"), at("2026-01-05T13:00"), at("2026-01-12T13:00"))
    assert in_zone(proposals[1], "Asia/Kolkata") == "Monday 5 January, 18:30 (Asia/Kolkata, IST)"
    names = {"a_name": "Priya", "b_name": "Ada"}
    now = at("2026-01-01T00:00")
    # The last start that ends at 21:00 in Kolkata, and the one after it.
    assert (
        check_proposal(
            at("2026-01-05T14:45"),
            "Asia/Kolkata",
            ["mon-evening"],
            "Europe/London",
            ["mon-afternoon"],
            now,
            **names,
        )
        is None
    )
    refused = check_proposal(
        at("2026-01-05T15:00"),
        "Asia/Kolkata",
        ["mon-evening"],
        "Europe/London",
        ["mon-afternoon"],
        now,
        **names,
    )
    assert refused == Refusal(
        "outside",
        {
            "start": at("2026-01-05T15:00"),
            "end": at("2026-01-05T15:45"),
            "people": ({"name": "Priya", "zone": "Asia/Kolkata", "slots": ("mon-evening",)},),
        },
    )


def test_a_quarter_hour_zone_still_gets_a_time_on_the_hour_on_its_own_clock() -> None:
    # Kathmandu (+05:45) evening is 11:15-15:15 UTC; London's morning 08:00-12:00 GMT: exactly
    # 45 minutes shared, from 17:00 in Kathmandu.
    proposals = propose_times(
        "Asia/Kathmandu", ["mon-evening"], "Europe/London", ["mon-morning"], at("2026-01-01T00:00")
    )
    assert proposals == (at("2026-01-05T11:15"), at("2026-01-12T11:15"))
    assert in_zone(proposals[0], "Asia/Kathmandu") == (
        "Monday 5 January, 17:00 (Asia/Kathmandu, +0545)"
    )


def test_tokyos_evening_is_europes_morning_and_follows_europes_change() -> None:
    # 17:00-21:00 in Tokyo is 08:00-12:00 UTC all year; London's morning is 08:00-12:00 GMT
    # in March, then 07:00-11:00 UTC once London is on BST.
    def shared_on(day: str) -> list[tuple[str, str]]:
        stretches = shared_times(
            "Asia/Tokyo",
            ["tue-evening"],
            "Europe/London",
            ["tue-morning"],
            at(f"{day}T00:00"),
            at(f"{day}T23:59"),
        )
        tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
        return [
            (s.astimezone(tokyo).strftime("%H:%M"), e.astimezone(tokyo).strftime("%H:%M"))
            for s, e in stretches
        ]

    assert shared_on("2026-03-24") == [("17:00", "21:00")]
    assert shared_on("2026-03-31") == [("17:00", "20:00")]


def test_tuesday_evening_in_los_angeles_is_wednesday_morning_in_tokyo() -> None:
    # Each person's slots are read on their own calendar: across midnight the days differ.
    # 17:00-21:00 PST (UTC-8) is 10:00-14:00 JST the next day; from 8 March, PDT makes it
    # 09:00-13:00 JST.
    now = at("2026-02-28T00:00")
    proposals = propose_times(
        "America/Los_Angeles",
        ["tue-evening"],
        "Asia/Tokyo",
        ["wed-morning"],
        now,
        count=2,
        horizon=timedelta(days=14),
    )
    assert [in_zone(p, "Asia/Tokyo") for p in proposals] == [
        "Wednesday 4 March, 10:30 (Asia/Tokyo, JST)",
        "Wednesday 11 March, 10:00 (Asia/Tokyo, JST)",
    ]
    assert [in_zone(p, "America/Los_Angeles") for p in proposals] == [
        "Tuesday 3 March, 17:30 (America/Los_Angeles, PST)",
        "Tuesday 10 March, 18:00 (America/Los_Angeles, PDT)",
    ]
    # On Tokyo's Tuesday, the Los Angeles person is on Monday: nothing shared.
    assert (
        propose_times("America/Los_Angeles", ["tue-evening"], "Asia/Tokyo", ["tue-morning"], now)
        == ()
    )


ADA = ("Europe/London", ("tue-evening", "thu-morning"))
BEN = ("America/New_York", tuple(f"{day}-{block[0]}" for day, _ in DAYS for block in BLOCKS))
NOW = at("2026-03-02T12:00")  # a Monday


def check(moment: datetime, now: datetime = NOW) -> Refusal | None:
    return check_proposal(moment, *ADA, *BEN, now, a_name="Ada", b_name="Ben")


def test_a_time_inside_both_windows_is_accepted() -> None:
    assert check(local("2026-03-03T18:00", "Europe/London")) is None


def test_a_time_in_the_past_is_refused() -> None:
    assert check(local("2026-02-24T18:00", "Europe/London")) == Refusal(
        "past", {"not_before": timedelta(hours=24)}
    )


def test_a_time_sooner_than_a_day_or_beyond_two_weeks_is_refused() -> None:
    assert check(NOW + timedelta(hours=6)) == Refusal(
        "too_soon", {"not_before": timedelta(hours=24)}
    )
    assert check(local("2026-03-19T09:00", "Europe/London")) == Refusal(
        "too_far", {"horizon": timedelta(days=14)}
    )


def test_a_time_outside_one_persons_window_names_them_and_when_they_are_free() -> None:
    # 13:00 in London is 08:00 in New York, where Ben's morning starts.
    refused = check(local("2026-03-03T13:00", "Europe/London"))
    assert refused is not None
    assert refused.code == "outside"
    assert refused.params["people"] == ({"name": "Ada", "zone": ADA[0], "slots": ADA[1]},)
    assert refused.params["start"] == at("2026-03-03T13:00")
    assert refused.params["end"] == at("2026-03-03T13:45")


def test_a_time_outside_the_other_persons_window_names_them() -> None:
    # 21:00 EDT is as Ben's evening (17:00-21:00) closes; it is 01:00 on Wednesday in London,
    # hours before Ada's morning there.
    moment = local("2026-03-10T21:00", "America/New_York")
    message = check_proposal(
        moment,
        "America/New_York",
        ["tue-evening"],
        "Europe/London",
        ["wed-morning"],
        NOW,
        a_name="Ben",
        b_name="Ada",
    )
    assert message is not None
    assert message.code == "outside"
    assert [person["name"] for person in message.params["people"]] == ["Ben", "Ada"]
    assert in_zone(message.params["start"], "America/New_York") == (
        "Tuesday 10 March, 21:00 (America/New_York, EDT)"
    )
    assert in_zone(message.params["start"], "Europe/London") == (
        "Wednesday 11 March, 01:00 (Europe/London, GMT)"
    )


def test_a_proposal_exactly_at_a_window_edge() -> None:
    # Ada's Tuesday evening is 17:00-21:00 London time; Ben is free all week.
    assert check(local("2026-03-03T17:00", "Europe/London")) is None  # starts as it opens
    assert check(local("2026-03-03T20:15", "Europe/London")) is None  # ends as it closes
    assert check(local("2026-03-03T16:45", "Europe/London")) is not None  # a minute too early
    late = check(local("2026-03-03T20:16", "Europe/London"))
    assert late is not None
    assert late.params["end"] == local("2026-03-03T21:01", "Europe/London")


def test_a_person_with_no_availability_is_told_so() -> None:
    message = check_proposal(
        local("2026-03-03T18:00", "Europe/London"),
        *ADA,
        "America/New_York",
        (),
        NOW,
        a_name="Ada",
        b_name="Ben",
    )
    assert message is not None
    assert message.params["people"] == ({"name": "Ben", "zone": "America/New_York", "slots": ()},)


def test_a_morning_and_an_afternoon_together_are_one_stretch() -> None:
    # 11:30-12:15 crosses from the morning block into the afternoon one.
    assert (
        check_proposal(
            local("2026-03-10T11:30", "Europe/London"),
            "Europe/London",
            ["tue-morning", "tue-afternoon"],
            "Europe/London",
            ["tue-morning", "tue-afternoon"],
            NOW,
            a_name="Ada",
            b_name="Ben",
        )
        is None
    )


def test_weekly_hours_join_adjoining_blocks_day_by_day() -> None:
    assert weekly_hours(("tue-evening", "thu-morning")) == (
        ("tue", ((17, 21),)),
        ("thu", ((8, 12),)),
    )
    assert weekly_hours(("mon-morning", "mon-afternoon", "mon-evening", "sun-evening")) == (
        ("mon", ((8, 21),)),
        ("sun", ((17, 21),)),
    )
    assert weekly_hours(("wed-morning", "wed-evening")) == (("wed", ((8, 12), (17, 21))),)
    assert weekly_hours(()) == ()


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        propose_times("Europe/London", SLOTS, "Europe/London", SLOTS, datetime(2026, 3, 2, 12))  # noqa: DTZ001


# --- a property, checked against an independent reading of the slots ---

ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "UTC",
)
_HOURS = {key: (start, end) for key, _, start, end in BLOCKS}


def free_at(zone: str, slots: frozenset[str], moment: datetime) -> bool:
    """Whether the quarter hour from `moment` is in one of the person's slots, on their clock."""
    there = moment.astimezone(zoneinfo.ZoneInfo(zone))
    day = DAYS[there.weekday()][0]
    return any(
        f"{day}-{block}" in slots and start <= there.hour < end
        for block, (start, end) in _HOURS.items()
    )


def suits(zone: str, slots: frozenset[str], start: datetime, length: timedelta) -> bool:
    quarters = int(length / timedelta(minutes=15))
    return all(free_at(zone, slots, start + timedelta(minutes=15) * q) for q in range(quarters))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a_zone=st.sampled_from(ZONES),
    b_zone=st.sampled_from(ZONES),
    a_slots=st.frozensets(st.sampled_from(SLOTS), max_size=8),
    b_slots=st.frozensets(st.sampled_from(SLOTS), max_size=8),
    now=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    count=st.integers(min_value=1, max_value=5),
)
def test_every_proposal_is_inside_both_windows_ahead_and_within_two_weeks(
    a_zone: str,
    b_zone: str,
    a_slots: frozenset[str],
    b_slots: frozenset[str],
    now: datetime,
    count: int,
) -> None:
    length = timedelta(minutes=45)
    proposals = propose_times(a_zone, a_slots, b_zone, b_slots, now, count=count)
    assert len(proposals) <= count
    assert list(proposals) == sorted(set(proposals))
    for moment in proposals:
        assert moment.utcoffset() == timedelta(0)
        assert now + timedelta(hours=24) <= moment <= now + timedelta(days=14)
        assert suits(a_zone, a_slots, moment, length)
        assert suits(b_zone, b_slots, moment, length)
        assert moment.astimezone(zoneinfo.ZoneInfo(a_zone)).minute in (0, 30) or (
            moment.astimezone(zoneinfo.ZoneInfo(b_zone)).minute in (0, 30)
        )
        assert (
            check_proposal(moment, a_zone, a_slots, b_zone, b_slots, now, a_name="A", b_name="B")
            is None
        )
    if not proposals:
        # Nothing proposed only when no quarter hour in the two weeks suits both.
        soonest = now + timedelta(hours=24)
        first = soonest.replace(
            minute=soonest.minute - soonest.minute % 15, second=0, microsecond=0
        )
        if first < soonest:
            first += timedelta(minutes=15)
        starts = (first + timedelta(minutes=15) * q for q in range(13 * 24 * 4 + 1))
        assert not any(
            suits(a_zone, a_slots, s, length) and suits(b_zone, b_slots, s, length)
            for s in starts
            if s <= now + timedelta(days=14)
        )


# --- a program's meeting settings ---


def test_a_programs_meeting_room_is_https_and_named_per_pair() -> None:
    settings = MeetingSettings(link_pattern="https://meet.jit.si/mentor-portal-{room}")
    assert settings.room_link("a1b2") == "https://meet.jit.si/mentor-portal-a1b2"
    assert settings.length_minutes == 45
    assert MeetingSettings().room_link("a1b2") is None
    assert MeetingSettings(link_pattern="").link_pattern is None


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("http://meet.jit.si/{room}", "https"),
        ("meet.jit.si/{room}", "https"),
        ("https://meet.jit.si/our-room", "room"),
    ],
)
def test_a_meeting_room_that_is_not_https_or_shared_by_everyone_is_refused(
    pattern: str, problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        MeetingSettings(link_pattern=pattern)


@pytest.mark.parametrize("minutes", [14, 181])
def test_a_meeting_length_outside_15_to_180_minutes_is_refused(minutes: int) -> None:
    with pytest.raises(ValidationError, match="length_minutes"):
        MeetingSettings(length_minutes=minutes)
