"""The hourly reminder events: each email goes in its reader's morning, where they are, once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import functions.outbox
import functions.reminders
import portal.runtime as runtime
from portal.container import Services
from portal.domain.matches import MatchState
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.matches import StoredMatch
from portal.persistence.tables import OutboxRecord
from tests.conftest import FakeClock
from tests.factories import store_pair, stored_person
from tests.functions.conftest import scheduled_event

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"
TOKYO = "Asia/Tokyo"
LONDON = "Europe/London"


def zoned_pair(
    portal: Services,
    mentor: tuple[str, str],
    mentee: tuple[str, str],
    start: datetime,
    program: str = "demo",
) -> StoredMatch:
    """A mentor and mentee (peers in peer-circles), each (first name, time zone), matched at
    `start`."""
    peers = program == "peer-circles"
    people = [
        replace(stored_person(name, role, start, program), timezone=zone)
        for (name, zone), role in (
            (mentor, Role.PEER if peers else Role.MENTOR),
            (mentee, Role.PEER if peers else Role.MENTEE),
        )
    ]
    return store_pair(portal, program, people[0], people[1], start)


def outbox() -> set[tuple[str, str]]:
    """Who has which email queued: (recipient, template)."""
    return {(r.recipient, r.template) for r in OutboxRecord.scan()}


def hourly(
    clock: FakeClock, first: datetime, hours: int, program: str = "demo"
) -> tuple[dict[datetime, set[tuple[str, str]]], dict[datetime, int]]:
    """Deliver the hourly event `hours` times from `first`, each twice (EventBridge may):
    what each hour queued, and the matches each hour completed."""
    queued: dict[datetime, set[tuple[str, str]]] = {}
    completed: dict[datetime, int] = {}
    for hour in range(hours):
        at = first + timedelta(hours=hour)
        event = scheduled_event(at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        clock.now = runtime.event_time(event)
        before = outbox()
        for _ in range(2):
            result = functions.reminders.handler(event, None)
            (outcome,) = [o for o in result["reminders"] if o["program"] == program]
            assert outcome["status"] == "done"
            if outcome["completed"]:
                completed[at] = completed.get(at, 0) + outcome["completed"]
        new = outbox() - before
        if new:
            queued[at] = new
    return queued, completed


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "berlin_at", "new_york_at"),
    [
        # Winter: 07:00 in Berlin (CET) is 06:00 UTC, in New York (EST) 12:00 UTC.
        ("2026-01-05T09:00", "2026-01-19T06:00", "2026-01-19T12:00"),
        # Summer time in both: an hour earlier in UTC.
        ("2026-07-06T09:00", "2026-07-20T05:00", "2026-07-20T11:00"),
        # Day 14 is the Sunday New York's clocks go forward; Berlin's go three weeks later.
        ("2026-02-22T09:00", "2026-03-08T06:00", "2026-03-08T11:00"),
    ],
)
def test_each_reminder_goes_once_at_seven_where_its_reader_is_not_at_seven_utc(
    lambda_services: Callable[..., Services],
    clock: FakeClock,
    mailbox: MemorySender,
    start: str,
    berlin_at: str,
    new_york_at: str,
) -> None:
    portal = lambda_services()
    zoned_pair(portal, ("Nia", NEW_YORK), ("Ben", BERLIN), utc(start))
    day14 = utc(start).replace(hour=0) + timedelta(days=14)

    # Two whole days of hourly events, each delivered twice: day 14 (the reminder's) and 15.
    queued, _ = hourly(clock, day14, 48)
    functions.outbox.handler(scheduled_event(), None)

    assert queued == {
        utc(berlin_at): {("ben@example.org", "checkin_reminder")},
        utc(new_york_at): {("nia@example.org", "checkin_reminder")},
    }
    # Not at 07:00 UTC, which is 02:00 or 03:00 in New York.
    assert utc(new_york_at).hour != 7
    assert Counter(to for to, _ in mailbox.sent) == {"ben@example.org": 1, "nia@example.org": 1}


def test_partners_in_different_zones_both_get_their_closing_survey_before_the_match_completes(
    lambda_services: Callable[..., Services], clock: FakeClock, mailbox: MemorySender
) -> None:
    portal = lambda_services()
    start = utc("2026-11-02T09:00")  # a Monday; day 84, the cycle's last, is 25 January
    match = zoned_pair(portal, ("Kenji", TOKYO), ("Nia", NEW_YORK), start)

    queued, completed = hourly(clock, utc("2027-01-24T00:00"), 72)
    functions.outbox.handler(scheduled_event(), None)

    # Day 84 starts at midnight in London, the program's zone: New York's 07:00 that day is
    # 12:00 UTC, Tokyo's is 22:00 UTC (the 07:00 there on the 25th came before day 84).
    assert queued == {
        utc("2027-01-25T12:00"): {("nia@example.org", "survey")},
        utc("2027-01-25T22:00"): {("kenji@example.org", "survey")},
    }
    # Completed once both were queued, not at the program's 07:00 nor after Nia's alone.
    assert completed == {utc("2027-01-25T22:00"): 1}
    stored = portal.rounds.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.status is MatchState.COMPLETED
    subjects = {to: str(m["Subject"]) for to, m in mailbox.sent}
    assert subjects == {
        "nia@example.org": "Your 12 weeks with Kenji: a last look back",
        "kenji@example.org": "Your 12 weeks with Nia: a last look back",
    }


def test_the_organizers_are_alerted_in_the_programs_morning(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    peers = portal.programs.get("peer-circles")
    assert peers is not None
    assert peers.timezone == NEW_YORK
    # Two peers in London; their program is in New York. Day 28 (the alert's) is 2 February.
    zoned_pair(portal, ("Ana", LONDON), ("Bea", LONDON), utc("2026-01-05T15:00"), "peer-circles")

    queued, _ = hourly(clock, utc("2026-02-02T00:00"), 24, "peer-circles")

    alerts: dict[datetime, Any] = {
        at: {template for _, template in new} for at, new in queued.items()
    }
    assert alerts == {utc("2026-02-02T12:00"): {"organizer_digest"}}  # 07:00 in New York
