"""The one place tests build programs, people and pairs, for every tier.

Two kinds: programs and people as the matching engine sees them (nothing stored), and people,
pairs and the shipped demo population as the portal stores them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from portal.container import Services
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.local.demo import demo_participants
from portal.mail.catalog import Recipient
from portal.persistence.matches import ACTIVATED, StoredMatch, match_id
from portal.persistence.programs import ProgramStore
from tests.conftest import FakeClock

ROUND = "2026-03-02T0900Z"

# -- Programs and people as the engine sees them ----------------------------------------------

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday; Europe and the US are on winter time
TOPICS = ("Python", "SQL", "leadership", "cloud", "UX", "negotiation")
CRITERIA = ("languages", "skills", "timezone", "availability", "seniority")


def program(
    fmt: str = "one-on-one",
    *,
    weights: Mapping[str, str] | None = None,
    capacity: int = 1,
    questions: Iterable[Mapping[str, Any]] = (),
    topics: Iterable[str] = TOPICS,
    **matching: Any,
) -> Program:
    """A program with the engine's defaults unless a weight or matching setting is given.

    Except `min_score`, 0 here: the engine's tests craft pairs that score what the case needs
    (often well below the portal's default floor of 40); a test of the floor sets it.
    """
    matching.setdefault("min_score", 0)
    return Program.model_validate(
        {
            "title": "Test program",
            "slug": "test",
            "format": fmt,
            "organizers": ["organizer@example.org"],
            "capacity": capacity,
            "approval": "auto",
            "topics": list(topics),
            "questions": list(questions),
            "matching": {"weights": dict(weights or {}), **matching},
        }
    )


def only(*weighted: str, weight: str = "high", fmt: str = "one-on-one", **settings: Any) -> Program:
    """A program scoring only the named criteria (every other weight off)."""
    weights = {name: (weight if name in weighted else "off") for name in CRITERIA}
    return program(fmt, weights=weights, **settings)


def person(
    name: str,
    role: str = "mentee",
    *,
    program: str = "test",
    full_name: str | None = None,
    timezone: str = "Europe/London",
    languages: Iterable[str] = ("English",),
    **fields: Any,
) -> Participant:
    """A confirmed participant whose email is the lower-cased name at example.org."""
    email = f"{name.lower()}@example.org"
    for key in ("availability", "skills", "goals"):
        if key in fields:
            fields[key] = tuple(fields[key])
    # Opaque, as the portal makes them: nothing keyed by it spells the address.
    fields.setdefault("participant_id", hashlib.sha256(email.encode()).hexdigest()[:16])
    return Participant(
        program=program,
        email=email,
        role=Role(role),
        name=full_name or name,
        timezone=timezone,
        languages=tuple(languages),
        status=Status.CONFIRMED,
        **fields,
    )


def mentor(name: str, **fields: Any) -> Participant:
    return person(name, "mentor", **fields)


def mentee(name: str, **fields: Any) -> Participant:
    return person(name, "mentee", **fields)


def peer(name: str, **fields: Any) -> Participant:
    return person(name, "peer", **fields)


# -- People and pairs as the portal stores them -----------------------------------------------


def stored_person(name: str, role: Role, now: datetime, program: str = "demo") -> Participant:
    """A person who signed up and confirmed at `now`, named "<name> Example"."""
    return person(
        name,
        role,
        program=program,
        full_name=f"{name} Example",
        participant_id=hashlib.sha256(name.encode()).hexdigest()[:12],
        created_at=now,
        updated_at=now,
        confirmed_at=now,
    )


def store_pair(
    services: Services, program: str, mentor: Participant, mentee: Participant, now: datetime
) -> StoredMatch:
    """Save two confirmed people and match them as a round would (peers: two peers)."""
    for someone in (mentor, mentee):
        services.participants.save(someone)
    outcome = services.rounds.matches.activate(
        program,
        ROUND,
        mentor=mentor.email,
        mentee=mentee.email,
        mentor_capacity=1,
        mentee_capacity=1,
        score=80,
        reasons=(
            {"code": "shared_language", "languages": ["English"]},
            {"code": "goals_covered", "topics": ["python", "sql"], "goals": 2},
            {"code": "time_zone_gap", "hours": 5},
        ),
        now=now,
    )
    assert outcome == ACTIVATED
    stored = services.rounds.matches.get(
        program, match_id(ROUND, mentor.participant_id, mentee.participant_id)
    )
    assert stored is not None
    return stored


def pair(
    services: Services, mentor: str, mentee: str, now: datetime, program: str = "demo"
) -> StoredMatch:
    """A confirmed mentor and mentee (or two peers), named by first name, matched at `now`."""
    peers = program == "peer-circles"
    a = stored_person(mentor, Role.PEER if peers else Role.MENTOR, now, program)
    b = stored_person(mentee, Role.PEER if peers else Role.MENTEE, now, program)
    return store_pair(services, program, a, b, now)


def matched_pair(services: Services, clock: FakeClock, program: str = "demo") -> StoredMatch:
    """A confirmed mentor and mentee of a shipped program in an active match."""
    definition = services.programs.get(program)
    assert definition is not None
    people = demo_participants(definition, clock())
    first_mentor = next(p for p in people if p.role is Role.MENTOR)
    first_mentee = next(p for p in people if p.role is Role.MENTEE)
    a, b = (
        replace(p, status=Status.CONFIRMED, active_matches=0) for p in (first_mentor, first_mentee)
    )
    return store_pair(services, program, a, b, clock())


def seed_demo_people(
    services: Services,
    program: Program | str,
    now: datetime,
    *,
    mentors: int | None = None,
    mentees: int | None = None,
    peers: int | None = None,
    mentor_capacity: int | None = None,
) -> list[Participant]:
    """Save a shipped program's demo people (portal.local.demo: 16 mentors and 24 mentees, or
    40 peers), or only the first few of a role; `mentor_capacity` changes what mentors offer."""
    if isinstance(program, str):
        found = services.programs.get(program)
        assert found is not None, program
        program = found
    everyone = demo_participants(program, now)
    first = {Role.MENTOR: mentors, Role.MENTEE: mentees, Role.PEER: peers}
    people = [p for role, n in first.items() for p in [q for q in everyone if q.role is role][:n]]
    if mentor_capacity is not None:
        people = [
            replace(p, capacity=mentor_capacity) if p.role is Role.MENTOR else p for p in people
        ]
    for someone in people:
        services.participants.save(someone)
    return people


def queue_confirmations(services: Services, count: int, program: str = "demo") -> list[str]:
    """Queue `count` sign-up confirmations, to person0@example.org and on; their outbox keys."""
    definition = services.programs.get(program)
    assert definition is not None
    keys = []
    for n in range(count):
        key = f"confirm:{program}:person{n}:0"
        assert services.mail.queue(
            key,
            to=f"person{n}@example.org",
            template="confirm_signup",
            recipient=Recipient.APPLICANT,
            context={
                "name": f"Person {n}",
                "program": definition,
                "role": "mentee",
                "confirm_url": f"http://portal.test/confirm/token{n:02d}abcdefghijklmnopqrstuvwxyz",
                "expires_hours": 48,
            },
            program=program,
        )
        keys.append(key)
    return keys


# -- Someone with a history in two programs, for exports ---------------------------------------

PARTNER_BIO = "Partner-only bio: twenty years of distributed systems at Zeta Corp."
PARTNER_DEPARTMENT = "Partner Department of Secrets"
PARTNER_NOTE = "Partner's own private note, for the organizers only."
ADA_NOTE = "Ada's private note: the pace is a little fast for me."
ADA_GOAL = "Ship a small side project in Python"


@dataclass(frozen=True)
class History:
    """Ada, mentee in demo (matched with Max) and peer in peer-circles, with a history."""

    ada: Participant
    ada_peer: Participant
    partner: Participant
    match: StoredMatch


def person_with_history(services: Services, clock: FakeClock) -> History:
    """Ada signed up in two programs, matched, with check-ins, a goal, a rating, a private note,
    emails sent to her and an unsubscribe; Max, her match, wrote a check-in and a note too."""
    from portal.services.checkins import CheckinAnswers

    now = clock()
    consent = {"consented_at": now, "consent_version": "notice-v1"}
    ada = replace(stored_person("Ada", Role.MENTEE, now), **consent, bio="Ada's own bio.")
    partner = replace(
        stored_person("Max", Role.MENTOR, now),
        **consent,
        bio=PARTNER_BIO,
        department=PARTNER_DEPARTMENT,
        participant_id="max-id-0000",
    )
    match = store_pair(services, "demo", partner, ada, now)
    ada_peer = replace(
        stored_person("Ada", Role.PEER, now, "peer-circles"),
        participant_id="ada-peer-id",
        **consent,
    )
    services.participants.save(ada_peer)
    clock.advance(days=7)
    services.checkins.add_goal("demo", match.match_id, ada.email, ADA_GOAL)
    clock.advance(minutes=1)
    services.checkins.record(
        "demo",
        match.match_id,
        ada.email,
        CheckinAnswers(met=True, day=clock().date(), minutes=45, topics=("python",), note=ADA_NOTE),
    )
    clock.advance(minutes=1)
    services.checkins.record(
        "demo", match.match_id, partner.email, CheckinAnswers(met=True, note=PARTNER_NOTE)
    )
    clock.advance(minutes=1)
    ((_, url), *_) = services.checkins.rating_urls("demo", match.match_id, ada.email)
    services.checkins.rate(url.split("/")[-2], 4, None)
    clock.advance(minutes=1)
    definition = services.programs.get("demo")
    for someone in (ada, partner):
        assert services.mail.queue_once(
            "match_ended",
            Recipient.PARTICIPANT,
            to=someone.email,
            key={"program": "demo", "match": "ref0", "person": someone.participant_id},
            context={
                "program": definition,
                "person": someone,
                "other": partner if someone is ada else ada,
                "because": "it was closed early.",
                "back_in_pool": True,
                "page_url": "http://portal.test/me/token",
                "organizers": "organizer@example.org",
            },
            program="demo",
        )
    services.mail.drain(per_second=1000)
    clock.advance(minutes=1)
    services.unsubscribes.suppressions.add(ada.email, "unsubscribe", clock())
    return History(ada=ada, ada_peer=ada_peer, partner=partner, match=match)


def store_behind_the_portals_back(program: Program, saved_at: datetime) -> None:
    """Write a program straight into the programs table as version 1, as no console save
    would if a file has its slug: the clash a deploy can make (docs/programs.md)."""
    ProgramStore().save(
        program.slug,
        program.model_dump(mode="json"),
        expected=0,
        saved_at=saved_at,
        saved_by="admin@example.org",
        change="written behind the portal's back",
    )
