"""Synthetic but realistic populations for the matching benchmark and property tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from portal.domain.participants import SENIORITY_KEYS, SLOTS, Participant, Role, Status
from portal.domain.program import Program

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LANGUAGES = ("English", "Spanish", "Portuguese", "French", "German", "Hindi")
# English for almost everyone, the others in realistic minorities.
LANGUAGE_SHARE = (0.92, 0.18, 0.08, 0.10, 0.07, 0.06)
TIMEZONES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "America/Mexico_City", "America/Bogota", "Europe/London",
    "Europe/Lisbon", "Europe/Madrid", "Europe/Berlin", "Europe/Warsaw", "Europe/Athens",
    "Africa/Lagos", "Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
    "Asia/Tokyo", "Australia/Sydney",
)  # fmt: skip
TIMEZONE_SHARE = (4, 2, 4, 8, 3, 2, 1, 14, 2, 4, 8, 3, 2, 3, 2, 2, 6, 3, 2, 2)
DEPARTMENTS = tuple(f"Department {n}" for n in range(1, 25))
TOPICS = tuple(f"topic {n:02d}" for n in range(1, 61))


def topic_weights(count: int = len(TOPICS)) -> list[float]:
    """A long tail: the first topics are wanted far more often than the last."""
    return [1.0 / (rank + 1) ** 0.9 for rank in range(count)]


def bench_program(
    fmt: str = "one-on-one",
    *,
    objective: str = "participation",
    fairness: str = "none",
    capacity: int = 4,
    max_gap: float | None = 8,
) -> Program:
    matching = {
        "objective": objective,
        "fairness": fairness,
        "weights": {
            "languages": "must",
            "skills": "high",
            "timezone": "medium",
            "availability": "medium",
            "seniority": "low",
        },
        "exclude_same_department": True,
        "no_repeat_pairs": True,
        # The benchmarks measure the solver over everything the rules allow (their figures
        # predate the floor); the portal's default of 40 would hold the weakest pairs.
        "min_score": 0,
    }
    if max_gap is not None:
        matching["max_timezone_gap_hours"] = max_gap
    return Program.model_validate(
        {
            "title": "Benchmark",
            "slug": "bench",
            "format": fmt,
            "organizers": ["bench@example.org"],
            "capacity": 1 if fmt == "peer" else capacity,
            "approval": "auto",
            "topics": list(TOPICS),
            "languages": list(LANGUAGES),
            "questions": [
                {
                    "key": "industry",
                    "label": "Industry?",
                    "type": "choice",
                    "choices": ["Tech", "Finance", "Health", "Public", "Retail"],
                    "match": "same",
                    "weight": "low",
                }
            ],
            "matching": matching,
        }
    )


def population(
    program: Program, size: int, *, seed: int = 1, mentor_share: float = 0.3
) -> list[Participant]:
    """`size` people; in bipartite programs `mentor_share` of them mentors with capacity 1 to 4."""
    rng = random.Random(seed)
    weights = topic_weights(len(program.topics))
    industries = ["Tech", "Finance", "Health", "Public", "Retail"]
    people = []
    peer = program.format.value == "peer"
    for index in range(size):
        mentor = rng.random() < mentor_share
        role = Role.PEER if peer else (Role.MENTOR if mentor else Role.MENTEE)
        languages = [
            lang
            for lang, share in zip(LANGUAGES, LANGUAGE_SHARE, strict=True)
            if rng.random() < share
        ]
        if not languages:
            languages = [rng.choice(LANGUAGES[1:])]
        topics = rng.choices(program.topics, weights=weights, k=8)
        unique = list(dict.fromkeys(topics))
        offers = unique[: rng.randint(2, 5)] if role is not Role.MENTEE else []
        seeks = unique[: rng.randint(1, 4)] if role is not Role.MENTOR else []
        if peer:
            rest = [t for t in unique if t not in offers] or unique
            seeks = rest[: rng.randint(1, 3)]
        level = rng.randint(2, 5) if role is Role.MENTOR else rng.randint(0, 3)
        people.append(
            Participant(
                program=program.slug,
                email=f"p{index:06d}@example.org",
                participant_id=f"{index:032x}",
                role=role,
                name=f"Person {index}",
                timezone=rng.choices(TIMEZONES, weights=TIMEZONE_SHARE, k=1)[0],
                languages=tuple(languages),
                availability=tuple(sorted(rng.sample(SLOTS, k=rng.randint(2, 8)))),
                skills=tuple(offers),
                goals=tuple(seeks),
                department=rng.choice(DEPARTMENTS),
                seniority=SENIORITY_KEYS[level],
                capacity=rng.randint(1, 4) if role is Role.MENTOR else 1,
                answers={"industry": rng.choice(industries)},
                status=Status.CONFIRMED,
            )
        )
    return people


# An ERG-style population (a staff network across several departments): categorical answers
# only, so that a pair's score takes four values (same profession, shared identity, both,
# neither) and each mentee has hundreds of candidates tied at the same score.
PROFESSIONS = ("Policy", "Operations", "Digital", "Finance", "Legal", "Science")
PROFESSION_SHARE = (30, 30, 15, 12, 7, 6)
IDENTITIES = ("Black", "Asian", "Mixed", "Other ethnic group")
IDENTITY_SHARE = (35, 35, 20, 10)
ORGANISATIONS = tuple(f"Department {n}" for n in range(1, 13))
ORGANISATION_SHARE = (20, 15, 12, 10, 9, 8, 7, 6, 5, 4, 2, 2)


def erg_questions() -> list[dict[str, Any]]:
    """An ERG's two categorical questions, both matched on the same answer: same profession
    (high) and shared identity (medium), so a pair scores one of four values."""
    return [
        {
            "key": "profession",
            "label": "Profession?",
            "type": "choice",
            "choices": list(PROFESSIONS),
            "match": "same",
            "weight": "high",
        },
        {
            "key": "identity",
            "label": "Which part of the network do you identify with?",
            "type": "choice",
            "choices": list(IDENTITIES),
            "match": "same",
            "weight": "medium",
        },
    ]


def erg_program(*, objective: str = "participation", fairness: str = "none") -> Program:
    """Same profession (high) and shared identity (medium) score; department and grade rule."""
    return Program.model_validate(
        {
            "title": "ERG benchmark",
            "slug": "bench-erg",
            "format": "one-on-one",
            "organizers": ["bench@example.org"],
            "capacity": 4,
            "approval": "auto",
            "topics": ["Career"],  # required by the program; skills are off here
            "languages": ["English"],
            "questions": erg_questions(),
            "matching": {
                "objective": objective,
                "fairness": fairness,
                # Seniority `must`: the mentor is at least one grade above (a hard rule that
                # adds no points); every other criterion off, so only the answers score.
                "weights": {
                    "languages": "off",
                    "skills": "off",
                    "timezone": "off",
                    "availability": "off",
                    "seniority": "must",
                },
                "exclude_same_department": True,
                "no_repeat_pairs": True,
                "min_score": 0,
            },
        }
    )


def erg_population(
    program: Program, size: int, *, seed: int = 1, mentor_share: float = 0.3
) -> list[Participant]:
    """`size` people of one time zone and language, every answer categorical and given."""
    rng = random.Random(seed)
    people = []
    for index in range(size):
        role = Role.MENTOR if rng.random() < mentor_share else Role.MENTEE
        level = rng.randint(2, 5) if role is Role.MENTOR else rng.randint(0, 3)
        people.append(
            Participant(
                program=program.slug,
                email=f"e{index:06d}@example.org",
                participant_id=f"{index:032x}",
                role=role,
                name=f"Person {index}",
                timezone="Europe/London",
                languages=("English",),
                department=rng.choices(ORGANISATIONS, weights=ORGANISATION_SHARE, k=1)[0],
                seniority=SENIORITY_KEYS[level],
                capacity=rng.randint(1, 4) if role is Role.MENTOR else 1,
                answers={
                    "profession": rng.choices(PROFESSIONS, weights=PROFESSION_SHARE, k=1)[0],
                    "identity": rng.choices(IDENTITIES, weights=IDENTITY_SHARE, k=1)[0],
                },
                status=Status.CONFIRMED,
            )
        )
    return people
