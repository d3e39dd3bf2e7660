"""Active pairs stored the way a round stores them, for the reminder and summary tests."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.message import EmailMessage

from portal.domain.participants import Participant, Role, Status
from portal.persistence.matches import StoredMatch
from portal.services import Services
from tests.factories import store_pair


def person(name: str, role: Role, now: datetime, program: str = "demo") -> Participant:
    email = f"{name.lower()}@example.org"
    return Participant(
        program=program,
        email=email,
        participant_id=hashlib.sha256(name.encode()).hexdigest()[:12],
        role=role,
        name=f"{name} Example",
        timezone="Europe/London",
        languages=("English",),
        status=Status.CONFIRMED,
        created_at=now,
        updated_at=now,
        confirmed_at=now,
    )


def pair(
    services: Services, mentor: str, mentee: str, now: datetime, program: str = "demo"
) -> StoredMatch:
    """A confirmed mentor and mentee (or two peers) in an active match since `now`."""
    peers = program == "peer-circles"
    a = person(mentor, Role.PEER if peers else Role.MENTOR, now, program)
    b = person(mentee, Role.PEER if peers else Role.MENTEE, now, program)
    return store_pair(services, program, a, b, now)


def plain(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def links(message: EmailMessage, path: str) -> list[str]:
    """The URLs under `path` (e.g. "/rate/") in the plain-text part, in order."""
    return [url for url in re.findall(r"https?://\S+", plain(message)) if path in url]


def token_of(url: str, path: str) -> str:
    found = re.search(rf"{re.escape(path)}([A-Za-z0-9_-]+)", url)
    assert found, url
    return found.group(1)
