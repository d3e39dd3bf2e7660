"""The demo population: 40 plausible, valid people, the same on every machine."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest

from portal.catalog.programs import load_program
from portal.container import Services
from portal.domain.participants import SENIORITY_KEYS, SLOTS, Role, Status
from portal.domain.program import Program
from portal.local.demo import demo_participants, seed_demo
from tests.conftest import CONTENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> Program:
    return load_program(CONTENT / "programs" / "demo.md")


def test_forty_people_with_unique_emails_and_ids(demo: Program) -> None:
    people = demo_participants(demo, NOW)
    assert len(people) == 40
    assert len({person.email for person in people}) == 40
    assert len({person.participant_id for person in people}) == 40
    assert len({person.name for person in people}) == 40
    assert all(person.email.endswith("@demo.example.org") for person in people)
    assert all(person.email == person.email.lower() for person in people)


def test_there_are_mentors_and_mentees(demo: Program) -> None:
    roles = [person.role for person in demo_participants(demo, NOW)]
    assert roles.count(Role.MENTOR) == 16
    assert roles.count(Role.MENTEE) == 24


def test_every_answer_is_valid_for_the_demo_program(demo: Program) -> None:
    questions = {question.key: question for question in demo.questions}
    for person in demo_participants(demo, NOW):
        assert person.program == "demo"
        assert person.status is Status.CONFIRMED
        assert person.languages, person.name
        assert set(person.languages) <= set(demo.languages), person.name
        assert len(set(person.languages)) == len(person.languages)
        assert person.availability, person.name
        assert set(person.availability) <= set(SLOTS), person.name
        assert set(person.skills) <= set(demo.topics), person.name
        assert set(person.goals) <= set(demo.topics), person.name
        if person.role is Role.MENTOR:
            assert person.skills, person.name
            assert not person.goals, person.name
            assert 1 <= person.capacity <= demo.capacity
        else:
            assert person.goals, person.name
            assert not person.skills, person.name
        assert person.seniority in SENIORITY_KEYS
        zoneinfo.ZoneInfo(person.timezone)
        assert person.created_at is not None
        assert person.confirmed_at is not None
        assert person.created_at < person.confirmed_at
        assert person.created_at < NOW
        assert set(person.answers) <= set(questions), person.name
        for key, question in questions.items():
            if question.required:
                assert key in person.answers, f"{person.name} has no answer to {key}"
        for key, answer in person.answers.items():
            question = questions[key]
            if question.type == "choice":
                assert answer in question.choices
            else:
                assert isinstance(answer, list)
                assert answer
                assert set(answer) <= set(question.choices)


def test_the_same_people_on_every_call(demo: Program) -> None:
    assert demo_participants(demo, NOW) == demo_participants(demo, NOW)


def test_a_peer_program_gets_only_peers() -> None:
    peers = load_program(CONTENT / "programs" / "peer-circles.md")
    people = demo_participants(peers, NOW)
    assert {person.role for person in people} == {Role.PEER}
    assert all(person.skills and person.goals for person in people)
    assert all(set(person.languages) <= set(peers.languages) for person in people)


def test_seed_demo_seeds_once(services: Services, demo: Program) -> None:
    assert seed_demo(demo, services.participants, NOW) == 40
    stored = list(services.participants.for_program("demo"))
    assert len(stored) == 40
    assert sorted(stored, key=lambda p: p.email) == sorted(
        demo_participants(demo, NOW), key=lambda p: p.email
    )
    assert seed_demo(demo, services.participants, NOW) == 0
    assert len(list(services.participants.for_program("demo"))) == 40
