"""Participants: who signed up, as what, and what they bring or seek."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"


class Status(StrEnum):
    PENDING = "pending"  # signed up, email not yet confirmed
    CONFIRMED = "confirmed"  # email confirmed, waiting for or in a match
    PAUSED = "paused"
    LEFT = "left"


# Ordered from least to most senior: matching compares positions in this tuple.
SENIORITY_LEVELS: tuple[tuple[str, str], ...] = (
    ("student", "Student or apprentice"),
    ("early", "Early career (0-2 years)"),
    ("mid", "Mid-level (3-5 years)"),
    ("senior", "Senior (6-10 years)"),
    ("lead", "Lead or principal (10+ years)"),
    ("executive", "Manager of managers or executive"),
)
SENIORITY_KEYS = tuple(key for key, _ in SENIORITY_LEVELS)

# Weekly availability is a set of (day, block) slots in the participant's own time zone;
# matching converts them to UTC hours before comparing.
DAYS: tuple[tuple[str, str], ...] = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
BLOCKS: tuple[tuple[str, str, int, int], ...] = (
    ("morning", "Morning (8:00-12:00)", 8, 12),
    ("afternoon", "Afternoon (12:00-17:00)", 12, 17),
    ("evening", "Evening (17:00-21:00)", 17, 21),
)
SLOTS: tuple[str, ...] = tuple(f"{day}-{block[0]}" for day, _ in DAYS for block in BLOCKS)


@dataclass(frozen=True)
class Participant:
    """One person in one program."""

    program: str
    email: str
    participant_id: str
    role: Role
    name: str
    timezone: str
    languages: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # topics offered (mentors and peers)
    goals: tuple[str, ...] = ()  # topics sought (mentees and peers)
    department: str = ""
    reports_to: str = ""  # the manager's email, for the reporting-line rule
    seniority: str = ""
    capacity: int = 1
    bio: str = ""
    answers: dict[str, str | list[str]] = field(default_factory=dict)
    status: Status = Status.PENDING
    created_at: datetime | None = None
    updated_at: datetime | None = None
    consented_at: datetime | None = None
    # Which privacy notice they agreed to: the version of content/pages/privacy.md shown with
    # the form (portal.catalog.pages.Page.version); "" for sign-ups older than the record.
    consent_version: str = ""
    confirmed_at: datetime | None = None
    active_matches: int = 0
    expires_at: datetime | None = None  # a pending sign-up is deleted after this time
    # The address as the person typed it, to write to and to show; `email` is its comparison
    # form (portal.domain.addresses.email_key), the key everything is stored under.
    address: str = ""
    # Waiting without a match: since the first round that left them so (cleared when they
    # are matched or change status), and the fingerprint of the reason they were last told
    # (portal.domain.waiting.situation).
    waiting_since: datetime | None = None
    waiting_told: str = ""
    # The engine's reason they were last told, as data (portal.domain.reasons), for the
    # organizers' console; None when they are not waiting or were told before it was kept.
    waiting_reason: dict[str, Any] | None = None
    # How many rounds in a row have left them waiting (0 once they are matched), and the last
    # round counted, so that a resumed round does not count twice; a program's
    # `matching.waiting_bonus` gives mentees and peers priority by it.
    rounds_waited: int = 0
    waited_round: str = ""
    # The language they chose for the portal's pages and every email to them ("en", "es").
    language: str = "en"

    @property
    def mailbox(self) -> str:
        """The address to write to and show (older records kept only the comparison form)."""
        return self.address or self.email

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name
