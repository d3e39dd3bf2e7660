"""Things several tiers of tests build the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from portal.domain.participants import Participant, Role, Status
from portal.local.demo import demo_participants
from portal.persistence.matches import ACTIVATED, StoredMatch, match_id
from portal.services import Services
from tests.conftest import FakeClock

ROUND = "2026-03-02T0900Z"


def store_pair(
    services: Services, program: str, mentor: Participant, mentee: Participant, now: datetime
) -> StoredMatch:
    """Save two confirmed people and match them as a round would (peers: two peers)."""
    for person in (mentor, mentee):
        services.participants.save(person)
    outcome = services.rounds.matches.activate(
        program,
        ROUND,
        mentor=mentor.email,
        mentee=mentee.email,
        mentor_capacity=1,
        mentee_capacity=1,
        score=80,
        reasons=("both speak English", "covers 2 of 2 goals: python, sql"),
        now=now,
    )
    assert outcome == ACTIVATED
    stored = services.rounds.matches.get(program, match_id(ROUND, mentor.email, mentee.email))
    assert stored is not None
    return stored


def matched_pair(services: Services, clock: FakeClock, program: str = "demo") -> StoredMatch:
    """A confirmed mentor and mentee of a shipped program in an active match."""
    definition = services.programs.get(program)
    assert definition is not None
    people = demo_participants(definition, clock())
    mentor = next(p for p in people if p.role is Role.MENTOR)
    mentee = next(p for p in people if p.role is Role.MENTEE)
    confirmed = {"status": Status.CONFIRMED, "active_matches": 0}
    return store_pair(
        services, program, replace(mentor, **confirmed), replace(mentee, **confirmed), clock()
    )
