"""Synthetic participants for the demo program, the same on every machine."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from portal.domain.participants import SENIORITY_KEYS, SLOTS, Participant, Role, Status
from portal.domain.program import Program
from portal.persistence.participants import ParticipantRepository

FIRST_NAMES = (
    "Amara",
    "Bilal",
    "Chen",
    "Dalia",
    "Emeka",
    "Farah",
    "Gabriel",
    "Hana",
    "Ines",
    "Jonas",
    "Kavya",
    "Luis",
    "Maya",
    "Nikos",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomasz",
    "Uma",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zanele",
    "Aiko",
    "Bruno",
    "Camila",
    "Dev",
    "Elif",
    "Finn",
    "Grace",
    "Hamza",
    "Isla",
    "Javier",
    "Keiko",
    "Leila",
    "Marek",
    "Nadia",
)
LAST_NAMES = (
    "Okafor",
    "Haddad",
    "Wang",
    "Costa",
    "Nwosu",
    "Rahman",
    "Silva",
    "Kim",
    "Moreau",
    "Berg",
    "Iyer",
    "Ortega",
    "Cohen",
    "Papadakis",
    "Adeyemi",
    "Sharma",
    "Murphy",
    "Delgado",
    "Aziz",
    "Nowak",
    "Patel",
    "Rossi",
    "Zhang",
    "Flores",
    "Demir",
    "Dlamini",
    "Tanaka",
    "Ferreira",
    "Reyes",
    "Kapoor",
    "Yilmaz",
    "Larsen",
    "Mensah",
    "Qureshi",
    "Walsh",
    "Navarro",
    "Sato",
    "Karimi",
    "Novak",
    "Petrova",
)
TIMEZONES = (
    "Europe/London",
    "Europe/London",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Africa/Lagos",
)
DEPARTMENTS = ("Engineering", "Data", "Design", "Marketing", "Finance", "People", "Operations")
DEMO_SIZE = 40
MENTOR_SHARE = 0.4


def demo_participants(program: Program, now: datetime, seed: int = 7) -> list[Participant]:
    """About 40 confirmed people with realistic, varied answers."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not a secret
    people = []
    roles = [Role.PEER] if program.roles == ("peer",) else [Role.MENTOR, Role.MENTEE]
    for index in range(DEMO_SIZE):
        first, last = FIRST_NAMES[index], LAST_NAMES[index]
        if len(roles) == 1:
            role = roles[0]
        else:
            role = Role.MENTOR if index < DEMO_SIZE * MENTOR_SHARE else Role.MENTEE
        languages = ["English"] if "English" in program.languages else [program.languages[0]]
        extra = [lang for lang in program.languages if lang not in languages]
        languages += rng.sample(extra, k=min(len(extra), rng.choice((0, 0, 1, 1, 2))))
        seniority_range = SENIORITY_KEYS[3:] if role is Role.MENTOR else SENIORITY_KEYS[:3]
        answers: dict[str, str | list[str]] = {}
        for question in program.questions:
            if question.type == "choice":
                answers[question.key] = rng.choice(question.choices)
            elif question.type == "multi":
                answers[question.key] = sorted(rng.sample(question.choices, k=rng.randint(1, 2)))
        created = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
        people.append(
            Participant(
                program=program.slug,
                email=f"{first}.{last}@demo.example.org".lower(),
                participant_id=uuid.UUID(int=rng.getrandbits(128)).hex,
                role=role,
                name=f"{first} {last}",
                timezone=rng.choice(TIMEZONES),
                languages=tuple(languages),
                availability=tuple(sorted(rng.sample(SLOTS, k=rng.randint(3, 8)))),
                skills=tuple(rng.sample(program.topics, k=rng.randint(2, 4)))
                if role is not Role.MENTEE
                else (),
                goals=tuple(rng.sample(program.topics, k=rng.randint(1, 3)))
                if role is not Role.MENTOR
                else (),
                department=rng.choice(DEPARTMENTS),
                seniority=rng.choice(seniority_range),
                capacity=rng.randint(1, program.capacity) if role is Role.MENTOR else 1,
                bio=f"{first} works in {rng.choice(DEPARTMENTS).lower()} and likes to learn.",
                answers=answers,
                status=Status.CONFIRMED,
                created_at=created,
                updated_at=created,
                consented_at=created,
                confirmed_at=created + timedelta(minutes=rng.randint(2, 90)),
            )
        )
    return people


def seed_demo(program: Program, repository: ParticipantRepository, now: datetime) -> int:
    """Store the demo population unless the program already has participants; return how many."""
    if next(iter(repository.for_program(program.slug)), None) is not None:
        return 0
    people = demo_participants(program, now)
    for person in people:
        repository.save(person)
    return len(people)
