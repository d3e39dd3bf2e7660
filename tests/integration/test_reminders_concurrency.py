"""Reminder runs overlapping on DynamoDB Local: every email is queued once, and every match
through its cycle completed once, whoever wins.

moto does not apply conditional writes atomically across threads, so this race lives here.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from portal.container import Services
from portal.domain.matches import MatchState
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord
from tests.conftest import FakeClock, plain
from tests.factories import pair
from tests.integration.test_rounds_concurrency import at_once

pytestmark = pytest.mark.integration
RACERS = 6


def test_overlapping_reminder_runs_send_each_reminder_once(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    now = clock()
    started = now - timedelta(days=14)
    for n in range(3):
        pair(services, f"Mentor{n}", f"Mentee{n}", started)

    results = at_once([lambda: services.reminders.remind(now) for _ in range(RACERS)])

    assert not [r for r in results if isinstance(r, Exception)], results
    queued = sum(
        outcome.queued.get("checkin_reminder", 0)
        for result in results
        if not isinstance(result, Exception)
        for outcome in result
    )
    assert queued == 6  # each of the six people once, across all the racers
    assert Counter(r.template for r in OutboxRecord.scan()) == {"checkin_reminder": 6}
    services.mail.drain(per_second=1000)
    assert sorted(to for to, _ in mailbox.sent) == sorted(
        f"{role}{n}@example.org" for n in range(3) for role in ("mentor", "mentee")
    )


def test_overlapping_runs_queue_one_organizer_digest_of_every_stalled_pair(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    now = clock()
    started = now - timedelta(days=28)
    for n in range(4):
        pair(services, f"Mentor{n}", f"Mentee{n}", started)

    results = at_once([lambda: services.reminders.remind(now) for _ in range(RACERS)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Counter(r.template for r in OutboxRecord.scan()) == {"organizer_digest": 1}
    services.mail.drain(per_second=1000)
    ((to, digest),) = mailbox.sent
    assert to == "organizer@example.org"
    assert all(f"Mentee{n} Example" in plain(digest) for n in range(4))


def test_overlapping_runs_at_the_end_of_the_cycle_complete_each_match_once(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    now = clock()
    started = now - timedelta(weeks=12, days=1)
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", started) for n in range(3)]

    results = at_once([lambda: services.reminders.remind(now) for _ in range(RACERS)])

    assert not [r for r in results if isinstance(r, Exception)], results
    completed = sum(
        outcome.completed
        for result in results
        if not isinstance(result, Exception)
        for outcome in result
    )
    assert completed == 3  # each match once, across all the racers
    for match in matches:
        stored = services.rounds.matches.get("demo", match.match_id)
        assert stored is not None
        assert (stored.status, stored.end_reason) == (MatchState.COMPLETED, "completed")
    # Each place freed once: a second decrement would have been refused, not gone below 0.
    assert {p.email: p.active_matches for p in services.participants.for_program("demo")} == {
        f"{role}{n}@example.org": 0 for n in range(3) for role in ("mentor", "mentee")
    }
    assert Counter(r.template for r in OutboxRecord.scan()) == {"survey": 6}


def test_a_match_ended_while_the_run_completes_it_leaves_active_once(
    services: Services, clock: FakeClock
) -> None:
    now = clock()
    match = pair(services, "Maria", "Tom", now - timedelta(weeks=12, days=1))
    demo = services.programs.get("demo")
    assert demo is not None

    results = at_once(
        [
            lambda: services.rounds.matches.complete(demo, match.match_id, now=now),
            lambda: services.rounds.matches.end(
                "demo", match.match_id, reason="left", now=now, by="tom@example.org"
            ),
        ]
        * (RACERS // 2)
    )

    assert results.count(True) == 1, results
    stored = services.rounds.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.status in (MatchState.COMPLETED, MatchState.ENDED)
    for email in ("maria@example.org", "tom@example.org"):
        person = services.participants.get("demo", email)
        assert person is not None
        assert person.active_matches == 0
