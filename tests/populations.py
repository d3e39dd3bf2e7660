"""Tie-heavy populations for checking that matching is exactly optimal.

An ERG-style program scores a pair from two categorical answers only (same profession, shared
identity), so a pair's score takes one of four values; with few departments, grades and
answers, many people share the same profile, and each has dozens of candidates tied at the
same score. A cut to each person's best K candidates is then arbitrary (people with the same
profile all keep the same K), which is where an engine that is not exact loses points.
"""

from __future__ import annotations

import random
from typing import Any

from bench.population import (
    IDENTITIES,
    IDENTITY_SHARE,
    ORGANISATION_SHARE,
    ORGANISATIONS,
    PROFESSION_SHARE,
    PROFESSIONS,
    erg_questions,
)
from portal.domain.participants import SENIORITY_KEYS, Participant, Role, Status
from portal.domain.program import Program


def tie_program_data(
    fmt: str = "one-on-one",
    *,
    objective: str = "participation",
    capacity: int = 1,
    seniority_gap: dict[str, int] | None = None,
    slug: str = "ties",
) -> dict[str, Any]:
    """The settings of a tie-heavy program, as a program file holds them."""
    peer = fmt == "peer"
    matching: dict[str, Any] = {
        "objective": objective,
        "fairness": "none",
        # Only the answers score; seniority is a hard rule (the mentor ahead) unless a band
        # says how far ahead, and off for peers.
        "weights": {
            "languages": "off",
            "skills": "off",
            "timezone": "off",
            "availability": "off",
            "seniority": "off" if peer or seniority_gap else "must",
        },
        "exclude_same_department": True,
        "no_repeat_pairs": True,
        "min_score": 0,  # every pair the rules allow counts, even with 0 points
    }
    if seniority_gap is not None:
        matching["seniority_gap"] = seniority_gap
    return {
        "title": "Tie-heavy network",
        "slug": slug,
        "format": fmt,
        "organizers": ["organizer@example.org"],
        "capacity": 1 if peer else capacity,
        "approval": "auto",
        "topics": ["Career"],
        "languages": ["English"],
        "questions": erg_questions(),
        "matching": matching,
    }


def tie_program(fmt: str = "one-on-one", **settings: Any) -> Program:
    """A tie-heavy program (see `tie_program_data`)."""
    return Program.model_validate(tie_program_data(fmt, **settings))


def tie_population(
    program: Program, size: int, *, seed: int, mentor_share: float = 0.5
) -> list[Participant]:
    """`size` people of few profiles: three departments, five grades, six pairs of answers."""
    rng = random.Random(seed)
    peer = program.format.value == "peer"
    people = []
    for index in range(size):
        mentor = not peer and rng.random() < mentor_share
        role = Role.PEER if peer else (Role.MENTOR if mentor else Role.MENTEE)
        # Mentors mostly further on (reverse programs turn the rule around, so they find
        # their pairs among the mentors early in their careers).
        level = rng.randint(1, 4) if role is Role.MENTOR else rng.randint(0, 3)
        people.append(
            Participant(
                program=program.slug,
                email=f"t{index:05d}@example.org",
                participant_id=f"{index:032x}",
                role=role,
                name=f"Person {index}",
                timezone="Europe/London",
                languages=("English",),
                department=rng.choices(ORGANISATIONS, weights=ORGANISATION_SHARE)[0],
                seniority=SENIORITY_KEYS[level],
                capacity=rng.randint(1, 3) if role is Role.MENTOR else 1,
                answers={
                    "profession": rng.choices(PROFESSIONS, weights=PROFESSION_SHARE)[0],
                    "identity": rng.choices(IDENTITIES, weights=IDENTITY_SHARE)[0],
                },
                status=Status.CONFIRMED,
            )
        )
    return people
