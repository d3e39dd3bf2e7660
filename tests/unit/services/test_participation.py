"""Taking part, apart from check-ins: refusals name what is wrong and change nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.container import Services
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from portal.services.participation import ParticipationError
from tests.conftest import FakeClock, links_in, table_snapshot
from tests.factories import matched_pair, stored_person


def test_a_match_is_ended_only_by_someone_in_it(services: Services, clock: FakeClock) -> None:
    match = matched_pair(services, clock)
    stranger = stored_person("Stella", Role.MENTEE, clock())
    services.participants.save(stranger)
    before = table_snapshot()

    with pytest.raises(ParticipationError, match="This match is not one of yours"):
        services.participation.end_match("demo", match.match_id, stranger.email, "rematch")

    assert table_snapshot() == before
    assert [m.match_id for m in services.participation.active_matches("demo", match.mentee)] == [
        match.match_id
    ]


def test_a_sign_up_not_yet_confirmed_cannot_be_paused(services: Services, clock: FakeClock) -> None:
    pending = replace(stored_person("Pat", Role.MENTEE, clock()), status=Status.PENDING)
    services.participants.save(pending)
    before = table_snapshot()

    with pytest.raises(ParticipationError, match="it is not confirmed"):
        services.participation.set_status("demo", pending.email, Status.PAUSED)

    assert table_snapshot() == before


def test_a_mentor_cannot_offer_fewer_places_than_their_mentees(
    services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    mentor = services.participation.person("demo", match.mentor)
    assert mentor is not None
    assert mentor.active_matches == 1
    before = table_snapshot()

    with pytest.raises(ParticipationError, match="You have 1 mentees now"):
        services.participation.update_profile(mentor, {"capacity": 0})

    assert table_snapshot() == before


def test_pausing_ends_the_match_and_tells_the_other_person_with_a_link_to_their_page(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)

    ended = services.participation.set_status("demo", match.mentee, Status.PAUSED)

    assert [m.match_id for m in ended] == [match.match_id]
    assert services.participation.active_matches("demo", match.mentor) == []
    services.mail.drain(per_second=1000)
    [(to, message)] = [(to, m) for to, m in mailbox.sent if "has ended" in m["Subject"]]
    assert to == match.mentor
    page_links = [u for u in links_in(message) if u.startswith(f"{services.settings.base_url}/me/")]
    assert page_links, links_in(message)
