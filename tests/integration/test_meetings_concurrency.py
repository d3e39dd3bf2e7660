"""Two proposals accepted at once on DynamoDB Local: only one becomes the meeting.

moto does not apply conditional writes atomically across threads, so this race lives here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord
from portal.services.meetings import MeetingChanged, MeetingView
from tests.conftest import FakeClock
from tests.factories import store_pair, stored_person
from tests.integration.test_rounds_concurrency import at_once

pytestmark = pytest.mark.integration
AFTERNOONS = tuple(f"{day}-afternoon" for day in ("mon", "tue", "wed", "thu", "fri"))


def test_two_proposals_accepted_at_once_make_one_meeting(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    now = clock()
    ben = replace(stored_person("Ben", Role.MENTOR, now), availability=AFTERNOONS)
    ada = replace(stored_person("Ada", Role.MENTEE, now), availability=AFTERNOONS)
    match = store_pair(services, "demo", ben, ada, now)
    meetings = services.meetings
    first, second = meetings.view("demo", match.match_id, ben.participant_id).suggestions[:2]
    meetings.propose("demo", match.match_id, ben.participant_id, first, expected_version=0)
    view = meetings.propose("demo", match.match_id, ada.participant_id, second, expected_version=1)
    bens = next(p for p in view.proposals if p.by == ben.participant_id)
    adas = next(p for p in view.proposals if p.by == ada.participant_id)

    # Ada accepts Ben's time while Ben accepts Ada's, each from a page showing version 2.
    results = at_once(
        [
            lambda: meetings.accept(
                "demo", match.match_id, ada.participant_id, bens.id, expected_version=2
            ),
            lambda: meetings.accept(
                "demo", match.match_id, ben.participant_id, adas.id, expected_version=2
            ),
        ]
    )

    won = [r for r in results if isinstance(r, MeetingView)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1, results
    assert len(lost) == 1
    assert isinstance(lost[0], MeetingChanged)
    stored = meetings.view("demo", match.match_id, ada.participant_id)
    assert stored.state == "booked"
    assert stored.version == 3
    assert stored.start == won[0].start
    assert stored.start in (first, second)
    # One invite to each of them, for the meeting that was booked.
    invites = Counter(r.template for r in OutboxRecord.scan())
    assert invites["meeting_invite"] == 2
