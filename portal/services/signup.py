"""Sign-up and email confirmation."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from portal.domain.clock import Clock
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.persistence.participants import AlreadyConfirmedError, ParticipantRepository
from portal.services.magic_links import LinkGrant, MagicLinks
from portal.services.mail import MailService
from portal.services.rounds import ME

CONFIRM = "confirm"
# One confirmation email per address and program per window: repeated submissions (or
# someone typing another person's address) cannot flood an inbox. The link in the first
# email confirms whatever was submitted last.
MAIL_WINDOW_MINUTES = 10


@dataclass(frozen=True)
class Application:
    """What a person submitted on a sign-up form, already validated."""

    role: Role
    name: str
    email: str  # the comparison form, portal.domain.addresses.email_key
    timezone: str
    languages: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    department: str = ""
    reports_to: str = ""
    seniority: str = ""
    capacity: int = 1
    bio: str = ""
    answers: dict[str, str | list[str]] = field(default_factory=dict)
    address: str = ""  # as typed: what the emails are written to

    @property
    def mailbox(self) -> str:
        """The address to write to: as typed, else the comparison form."""
        return self.address or self.email


@dataclass(frozen=True)
class Confirmation:
    program: Program
    participant: Participant


class SignupError(Exception):
    """A link that cannot confirm anything (its program or sign-up is gone)."""


def _window(now: datetime) -> str:
    return now.strftime("%Y%m%d%H") + f"{now.minute // MAIL_WINDOW_MINUTES}"


def _address_key(email: str) -> str:
    # Outbox keys show up in logs and consoles: keep the address out of them.
    return hashlib.sha256(email.encode()).hexdigest()[:16]


class SignupService:
    def __init__(
        self,
        participants: ParticipantRepository,
        links: MagicLinks,
        mail: MailService,
        clock: Clock,
        base_url: str,
    ) -> None:
        self.participants = participants
        self.links = links
        self.mail = mail
        self.clock = clock
        self.base_url = base_url

    def sign_up(self, program: Program, application: Application) -> None:
        """Store a pending sign-up and email a confirmation link.

        The outcome looks the same to the caller whether or not the address was known.
        """
        now = self.clock()
        existing = self.participants.get(program.slug, application.email)
        participant = Participant(
            program=program.slug,
            email=application.email,
            participant_id=existing.participant_id if existing else uuid.uuid4().hex,
            role=application.role,
            name=application.name,
            timezone=application.timezone,
            languages=application.languages,
            availability=application.availability,
            skills=application.skills,
            goals=application.goals,
            department=application.department,
            reports_to=application.reports_to,
            seniority=application.seniority,
            capacity=application.capacity,
            bio=application.bio,
            answers=dict(application.answers),
            status=Status.PENDING,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            consented_at=now,
            address=application.mailbox,
        )
        window = _window(now)
        who = _address_key(application.email)
        try:
            self.participants.save_pending(participant)
        except AlreadyConfirmedError:
            key = f"already:{program.slug}:{who}:{window}"
            if self.mail.outbox.get(key) is not None:
                return
            page_url = ""
            if existing is not None and existing.status is not Status.PENDING:
                # Losing one's link is the usual reason to sign up again: send a fresh one.
                page_url = (
                    f"{self.base_url}/me/{self.links.issue(ME, program.slug, existing.email)}"
                )
            if self.mail.queue(
                key,
                to=application.mailbox,
                template="already_registered",
                context={
                    "name": application.name,
                    "program": program,
                    "role": existing.role.value if existing else application.role.value,
                    "program_url": f"{self.base_url}/programs/{program.slug}",
                    "page_url": page_url,
                    "expires_hours": int(self.links.ttl.total_seconds() // 3600),
                },
                program=program.slug,
            ):
                self.mail.deliver(key)
            return

        key = f"confirm:{program.slug}:{who}:{window}"
        if self.mail.outbox.get(key) is not None:
            return  # a link went out minutes ago; it confirms this latest version too
        token = self.links.issue(CONFIRM, program.slug, application.email)
        if self.mail.queue(
            key,
            to=application.mailbox,
            template="confirm_signup",
            context={
                "name": application.name,
                "program": program,
                "role": application.role.value,
                "confirm_url": f"{self.base_url}/confirm/{token}",
                "expires_hours": int(self.links.ttl.total_seconds() // 3600),
            },
            program=program.slug,
        ):
            self.mail.deliver(key)

    def pending_confirmation(self, token: str, programs: dict[str, Program]) -> Confirmation:
        """What a confirmation link is for, without using it (GET)."""
        return self._resolve(self.links.check(token, CONFIRM), programs)

    def confirm(self, token: str, programs: dict[str, Program]) -> Confirmation:
        """Use the link and mark the sign-up confirmed (POST)."""
        grant = self.links.consume(token, CONFIRM)
        confirmation = self._resolve(grant, programs)
        now = self.clock()
        self.participants.confirm(grant.program, grant.subject, now)
        confirmed = replace(
            confirmation.participant, status=Status.CONFIRMED, confirmed_at=now, updated_at=now
        )
        return Confirmation(program=confirmation.program, participant=confirmed)

    def _resolve(self, grant: LinkGrant, programs: dict[str, Program]) -> Confirmation:
        program = programs.get(grant.program)
        participant = self.participants.get(grant.program, grant.subject)
        if program is None or participant is None:
            raise SignupError("This sign-up no longer exists.")
        return Confirmation(program=program, participant=participant)
