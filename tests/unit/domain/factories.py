"""Small programs and participants for the matching tests, built the way the engine sees them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program

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
    """A program with the engine's defaults unless a weight or matching setting is given."""
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
    timezone: str = "Europe/London",
    languages: Iterable[str] = ("English",),
    **fields: Any,
) -> Participant:
    """A confirmed participant whose email is the lower-cased name at example.org."""
    email = f"{name.lower()}@example.org"
    for key in ("availability", "skills", "goals"):
        if key in fields:
            fields[key] = tuple(fields[key])
    return Participant(
        program="test",
        email=email,
        participant_id=email,
        role=Role(role),
        name=name,
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
