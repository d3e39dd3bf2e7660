"""Reminder runs overlapping on DynamoDB Local: every email is queued once, whoever wins.

moto does not apply conditional writes atomically across threads, so this race lives here.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from portal.container import Services
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord
from tests.conftest import FakeClock
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
