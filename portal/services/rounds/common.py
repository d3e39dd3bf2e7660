"""What the parts of a round share: the services a round uses, its outcome, names of rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portal.catalog.programs import ProgramCatalog
from portal.domain.clock import Clock
from portal.domain.participants import Participant
from portal.persistence.matches import MatchRepository, RoundRepository
from portal.persistence.participants import ParticipantRepository
from portal.services.magic_links import MagicLinks, Purpose
from portal.services.mail import MailService

ORGANIZE = Purpose.ORGANIZE  # magic links that let an organizer review a program's rounds
CHOOSE = Purpose.CHOOSE  # magic links with which a mentee picks one of their suggestions
ME = Purpose.ME  # magic links to a participant's own page
ROUND_ID_FORMAT = "%Y-%m-%dT%H%MZ"


@dataclass(frozen=True)
class RoundOutcome:
    """What one call did, for the CLI and the function's log (no personal data)."""

    program: str
    round_id: str
    status: str  # done | repeated | busy | nobody | failed
    pairs: int = 0
    refused: int = 0  # pairs the database refused: someone was taken by a concurrent round
    unmatched: int = 0
    emails: int = 0
    notes: list[str] = field(default_factory=list)


def round_id_for(moment: datetime) -> str:
    """Rounds are named by the minute they were due, in UTC: a repeated event gets the same name."""
    return moment.strftime(ROUND_ID_FORMAT)


def is_round_id(text: str) -> bool:
    """Whether `text` is a name `round_id_for` gives (round ids also come from URLs)."""
    due = due_time(text)
    return due is not None and round_id_for(due) == text


class RoundParts:
    """The services every part of a round uses; `RoundService` is made of its subclasses."""

    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        rounds: RoundRepository,
        mail: MailService,
        clock: Clock,
        base_url: str,
        content_dir: Path,
        links: MagicLinks | None = None,
    ) -> None:
        self.programs = programs
        self.participants = participants
        self.matches = matches
        self.rounds = rounds
        self.mail = mail
        self.clock = clock
        self.base_url = base_url
        self.content_dir = content_dir
        self.links = links


def person_context(person: Participant) -> dict[str, Any]:
    """What an email shows of a person."""
    return {
        "name": person.name,
        "first_name": person.first_name,
        "email": person.mailbox,  # shown and written to: as the person typed it
        "role": person.role.value,
        "bio": person.bio,
        "languages": list(person.languages),
        "timezone": person.timezone,
        "department": person.department,
    }


def due_time(round_id: str) -> datetime | None:
    """The minute a round was due, from its name (see `round_id_for`)."""
    try:
        return datetime.strptime(round_id, ROUND_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
