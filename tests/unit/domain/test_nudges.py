"""The inactivity ladder, the surveys and the track step: which email is due on which day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from portal.domain.nudges import (
    Step,
    ladder_step_due,
    match_day,
    offers_rematch,
    pair_week,
    survey_days,
    survey_due,
)
from portal.domain.program import Schedule
from portal.domain.tracks import Track

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday morning in London
LONDON = "Europe/London"
DEFAULT = Schedule()


@dataclass(frozen=True)
class Seen:
    created_at: datetime
    author: str = "ana@example.org"
    survey: str = ""


def on_day(day: int, hour: int = 7) -> datetime:
    """07:00 UTC on match day `day` (the daily run's time)."""
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


def step_on(
    day: int, checkins: list[Seen] | None = None, schedule: Schedule = DEFAULT
) -> Step | None:
    due = ladder_step_due(
        schedule,
        cycle_weeks=12,
        timezone=LONDON,
        started=START,
        checkins=checkins or [],
        now=on_day(day),
    )
    return due.step if due else None


def test_a_silent_pair_climbs_the_ladder_on_the_configured_days() -> None:
    steps = {day: step_on(day) for day in range(0, 60)}
    first = {}
    for day, step in steps.items():
        if step is not None and step not in first:
            first[step] = day
    assert first == {Step.REMINDER: 14, Step.NUDGE: 21, Step.ALERT: 28, Step.OFFER: 35}
    assert all(steps[day] is None for day in range(0, 14))
    # After the offer, the stretch is over: nothing more after a while.
    assert steps[35 + 15] is None


def test_the_key_stays_the_same_through_a_step_and_changes_with_the_next_one() -> None:
    def key(day: int) -> str:
        due = ladder_step_due(
            DEFAULT, cycle_weeks=12, timezone=LONDON, started=START, checkins=[], now=on_day(day)
        )
        assert due is not None
        return due.key

    assert key(14) == key(15) == key(20)
    assert key(21) != key(20)
    assert key(14).startswith("reminder:")


def test_a_checkin_starts_the_ladder_again_with_a_new_key() -> None:
    checkin = Seen(on_day(16, hour=18))
    assert step_on(15) is Step.REMINDER
    assert step_on(17, [checkin]) is None
    assert step_on(16 + 13, [checkin]) is None
    assert step_on(16 + 14, [checkin]) is Step.REMINDER
    before = ladder_step_due(
        DEFAULT, cycle_weeks=12, timezone=LONDON, started=START, checkins=[], now=on_day(15)
    )
    after = ladder_step_due(
        DEFAULT,
        cycle_weeks=12,
        timezone=LONDON,
        started=START,
        checkins=[checkin],
        now=on_day(30),
    )
    assert before is not None
    assert after is not None
    assert before.key != after.key
    assert after.since == checkin.created_at
    assert after.quiet_days == 14


def test_a_checkin_in_the_future_of_the_clock_is_not_counted() -> None:
    assert step_on(14, [Seen(on_day(20))]) is Step.REMINDER


def test_nothing_is_due_after_the_cycle_ends() -> None:
    last = [Seen(on_day(60))]
    assert step_on(74, last) is Step.REMINDER
    assert step_on(83, last) is Step.NUDGE  # the last day of the cycle
    assert step_on(84, last) is None  # 24 days quiet, but the 12-week cycle is over
    assert step_on(120, last) is None
    assert step_on(120) is None


def test_a_run_that_missed_days_sends_the_step_reached_not_the_ones_missed() -> None:
    assert step_on(30) is Step.ALERT


def test_days_are_counted_where_the_program_is() -> None:
    # 22:30 UTC on a summer evening is already the next day in Berlin, not in London.
    started = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    assert match_day(started, datetime(2026, 6, 2, 7, tzinfo=UTC), "Europe/London") == 1
    assert match_day(started, datetime(2026, 6, 2, 7, tzinfo=UTC), "Europe/Berlin") == 0
    assert pair_week(START, on_day(0), LONDON) == 1
    assert pair_week(START, on_day(6), LONDON) == 1
    assert pair_week(START, on_day(7), LONDON) == 2


# Surveys


def test_milestone_surveys_fall_on_day_30_then_every_60_days_within_the_cycle() -> None:
    assert survey_days(DEFAULT, 12) == [30]
    assert survey_days(DEFAULT, 26) == [30, 90, 150]
    assert survey_days(Schedule(first_survey_day=0), 26) == []
    assert survey_days(Schedule(survey_every_days=0), 52) == [30]


def survey_on(day: int, answered: tuple[str, ...] = (), cycle_weeks: int = 12) -> str | None:
    due = survey_due(
        DEFAULT,
        cycle_weeks=cycle_weeks,
        timezone=LONDON,
        started=START,
        answered=answered,
        now=on_day(day),
    )
    return due.name if due else None


def test_each_survey_is_due_from_its_day_until_answered() -> None:
    assert survey_on(29) is None
    assert survey_on(30) == "day-30"
    assert survey_on(31) == "day-30"
    assert survey_on(31, answered=("day-30",)) is None
    assert survey_on(45) is None  # more than 14 days late: dropped, not sent late
    assert survey_on(84) == "closing"
    assert survey_on(90) == "closing"
    assert survey_on(84, answered=("closing",)) is None
    assert survey_on(91, cycle_weeks=26) == "day-90"


# Settings


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"second_nudge_days": 14},
            "second_nudge_days (14) must be more than checkin_reminder_days (14)",
        ),
        (
            {"organizer_alert_days": 20},
            "organizer_alert_days (20) must be more than second_nudge_days (21)",
        ),
        (
            {"rematch_offer_days": 28},
            "rematch_offer_days (28) must be more than organizer_alert_days (28)",
        ),
        ({"second_nudge_days": 0}, "greater than or equal to 1"),
        ({"survey_every_days": -1}, "greater than or equal to 0"),
        ({"nudge_days": 3}, "Extra inputs are not permitted"),
    ],
)
def test_a_ladder_out_of_order_is_refused_with_a_reason(
    settings: dict[str, int], message: str
) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Schedule.model_validate(settings)


# Learning tracks


def track(*weeks: int) -> Track:
    return Track.model_validate(
        {
            "title": "T",
            "slug": "t",
            "steps": [{"week": w, "title": f"Week {w}", "text": "Do it."} for w in weeks],
        }
    )


def test_the_track_step_is_the_latest_one_the_pair_has_reached() -> None:
    t = track(1, 2, 4, 6)
    assert [t.step_for(w).title if t.step_for(w) else None for w in (1, 2, 3, 4, 5, 9)] == [
        "Week 1",
        "Week 2",
        "Week 2",
        "Week 4",
        "Week 4",
        "Week 6",
    ]
    assert track(2).step_for(1) is None


def test_track_steps_out_of_order_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"steps\[2\]: week 3 must come after week 4"):
        track(1, 4, 3)


def test_a_program_with_no_next_match_ends_the_ladder_at_the_organizers_alert() -> None:
    def step(day: int, *, offer: bool) -> Step | None:
        due = ladder_step_due(
            DEFAULT,
            cycle_weeks=12,
            timezone=LONDON,
            started=START,
            checkins=[],
            now=on_day(day),
            offer=offer,
        )
        return due.step if due else None

    assert step(35, offer=True) is Step.OFFER
    assert step(35, offer=False) is Step.ALERT
    assert step(28 + 14, offer=False) is Step.ALERT
    assert step(28 + 15, offer=False) is None  # the alert was long ago: nothing more


def test_match_once_and_archived_programs_offer_no_rematch() -> None:
    from tests.factories import program

    assert offers_rematch(program())
    assert not offers_rematch(program(match_once=True))
    archived = program().model_copy(update={"archived": True, "signup_open": False})
    assert not offers_rematch(archived)


# -- a booked first meeting holds the ladder back until it, and restarts the quiet clock ----


def due_with_meeting(
    now: datetime,
    meeting: datetime | None,
    *,
    started: datetime = START,
    timezone: str = LONDON,
    checkins: list[Seen] | None = None,
) -> Step | None:
    due = ladder_step_due(
        DEFAULT,
        cycle_weeks=12,
        timezone=timezone,
        started=started,
        checkins=checkins or [],
        now=now,
        meeting=meeting,
    )
    return due.step if due else None


def test_a_pair_with_a_meeting_booked_ahead_is_not_nudged_before_it() -> None:
    meeting = on_day(20, hour=18)
    assert step_on(14) is Step.REMINDER  # without the meeting
    assert due_with_meeting(on_day(14), meeting) is None
    assert due_with_meeting(on_day(20, hour=17), meeting) is None  # an hour before it
    # After it, the quiet stretch starts at the meeting: 14 days from match day 20.
    assert due_with_meeting(on_day(21), meeting) is None
    assert due_with_meeting(on_day(33), meeting) is None
    assert due_with_meeting(on_day(34), meeting) is Step.REMINDER
    # A check-in after the meeting restarts it again, as ever.
    assert due_with_meeting(on_day(34), meeting, checkins=[Seen(on_day(25))]) is None


def test_a_cancelled_or_no_meeting_leaves_the_ladder_as_it_was() -> None:
    assert due_with_meeting(on_day(14), None) is Step.REMINDER


@pytest.mark.parametrize(
    ("zone", "started", "meeting", "not_yet", "due"),
    [
        # Europe's March change (29 March): 14 days on London's calendar, 23:30 BST is still
        # the 10th (22:30 UTC), 00:30 BST the 11th (23:30 UTC on the 10th).
        (
            LONDON,
            "2026-03-02T09:30",
            "2026-03-28T18:00",
            "2026-04-10T22:30",
            "2026-04-10T23:30",
        ),
        # Europe's October change (25 October): back on GMT, midnight is midnight UTC.
        (
            LONDON,
            "2026-10-01T09:00",
            "2026-10-24T18:00",
            "2026-11-06T23:30",
            "2026-11-07T00:30",
        ),
        # The US March change (8 March): a meeting at 20:00 EST on the 7th; the 21st starts
        # at 04:00 UTC (EDT), not 05:00.
        (
            "America/New_York",
            "2026-03-02T14:00",
            "2026-03-08T01:00",
            "2026-03-21T03:30",
            "2026-03-21T04:30",
        ),
        # The US November change (1 November): the 15th starts at 05:00 UTC (EST).
        (
            "America/New_York",
            "2026-10-01T14:00",
            "2026-10-31T22:00",
            "2026-11-14T04:30",
            "2026-11-14T05:30",
        ),
    ],
)
def test_the_quiet_days_after_a_meeting_are_counted_on_the_programs_calendar_through_a_change(
    zone: str, started: str, meeting: str, not_yet: str, due: str
) -> None:
    def utc(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    assert due_with_meeting(utc(not_yet), utc(meeting), started=utc(started), timezone=zone) is None
    assert (
        due_with_meeting(utc(due), utc(meeting), started=utc(started), timezone=zone)
        is Step.REMINDER
    )
