"""Sign-up and email confirmation.

Each submission of a sign-up form is stored with the link emailed for it: the link's record
holds the answers exactly as submitted, and only using the link writes them into the person's
participant record. Nobody who merely knows an address can change what a link confirms, or
change a confirmed person's record.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from portal.domain.clock import Clock
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from portal.mail.catalog import EMAILS, Recipient
from portal.persistence.outbox import OutboxItem
from portal.persistence.participants import ParticipantRepository
from portal.persistence.signups import SignupStore, Submitted
from portal.persistence.tokens import NewToken
from portal.services.limits import ATTEMPTS, Limits, Refusal, pause_before_retry
from portal.services.magic_links import SIGNUP_KEPT_FOR, LinkGrant, MagicLinks, Purpose, token_hash
from portal.services.mail import MailService
from portal.services.parallel import together

log = logging.getLogger(__name__)

CONFIRM = Purpose.CONFIRM
# One email per address and program per window: repeated submissions (or someone typing
# another person's address) cannot flood an inbox. A submission within the window of an
# email already sent stores nothing; the link in that email confirms the answers it was sent
# for, and nothing else.
MAIL_WINDOW_MINUTES = 10
# A sign-up nobody confirms is deleted after this; its confirmation links expire by then.
# The confirmation email, README and the privacy notice say 7 days.
PENDING_FOR = SIGNUP_KEPT_FOR
# Statuses of someone who takes part: a sign-up form or link never changes their record.
TAKING_PART = (Status.CONFIRMED, Status.PAUSED)

CONFIRM_SIGNUP = EMAILS["confirm_signup"]
ALREADY_REGISTERED = EMAILS["already_registered"]


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
    privacy_version: str = ""  # the privacy notice shown with the form (Page.version)
    language: str = "en"  # of the portal's pages and emails for them (as Participant's)

    @property
    def mailbox(self) -> str:
        """The address to write to: as typed, else the comparison form."""
        return self.address or self.email


@dataclass(frozen=True)
class Emailed:
    """Where a stored sign-up's email went, and whether it is new.

    `earlier` when an email about this address and program was sent within the window: then
    nothing new was sent, and the next sign-up with the address gets an email from `next_at`.
    """

    to: str
    earlier: bool
    next_at: datetime


@dataclass(frozen=True)
class Confirmation:
    program: Program
    participant: Participant


@dataclass(frozen=True)
class _Prepared:
    """A sign-up read and composed, ready to store: nothing is written yet."""

    key: str  # the email's outbox key
    link: NewToken
    email: OutboxItem | None
    now: datetime
    create: Participant | None  # a new pending sign-up, where the address has none
    expect: Participant | None  # the sign-up read, which must not have changed meanwhile
    emailed: bool  # an email with this key was queued before: count, and store nothing else


class SignupBusyError(Exception):
    """A sign-up that could not be stored: what it read kept changing as it wrote."""

    def __init__(self, program: Program) -> None:
        super().__init__(f"sign-up for {program.slug} not stored: its records kept changing")
        self.program = program


class SignupError(Exception):
    """A link that cannot confirm anything (its program or its answers are gone)."""


class AlreadySignedUpError(SignupError):
    """The address takes part in the program already: a confirmation link changes nothing."""

    def __init__(self, program: Program) -> None:
        super().__init__("already signed up")
        self.program = program


def _window(now: datetime) -> str:
    return now.strftime("%Y%m%d%H") + f"{now.minute // MAIL_WINDOW_MINUTES}"


def _window_end(now: datetime) -> datetime:
    """When the window `now` falls in ends: from then a sign-up gets an email again."""
    start = now.replace(
        minute=now.minute - now.minute % MAIL_WINDOW_MINUTES, second=0, microsecond=0
    )
    return start + timedelta(minutes=MAIL_WINDOW_MINUTES)


def _address_key(email: str) -> str:
    # Outbox keys show up in logs and consoles: keep the address out of them.
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def _payload(application: Application, now: datetime) -> dict[str, Any]:
    """The answers as the link's record keeps them (the address is the link's subject)."""
    return {
        "role": application.role.value,
        "name": application.name,
        "timezone": application.timezone,
        "languages": list(application.languages),
        "availability": list(application.availability),
        "skills": list(application.skills),
        "goals": list(application.goals),
        "department": application.department,
        "reports_to": application.reports_to,
        "seniority": application.seniority,
        "capacity": application.capacity,
        "bio": application.bio,
        "answers": dict(application.answers),
        "address": application.mailbox,
        "privacy_version": application.privacy_version,
        "language": application.language,
        "submitted_at": now.isoformat(),
    }


def _answers_of(grant: LinkGrant) -> tuple[Application, datetime]:
    """The application a confirmation link was sent for, and when it was submitted."""
    data = grant.payload
    if not isinstance(data, dict):
        raise SignupError("This link holds no sign-up.")  # e.g. one issued before links did
    try:
        application = Application(
            role=Role(data["role"]),
            name=str(data["name"]),
            email=grant.subject,
            timezone=str(data["timezone"]),
            languages=tuple(data["languages"]),
            availability=tuple(data["availability"]),
            skills=tuple(data["skills"]),
            goals=tuple(data["goals"]),
            department=str(data["department"]),
            reports_to=str(data["reports_to"]),
            seniority=str(data["seniority"]),
            capacity=int(data["capacity"]),
            bio=str(data["bio"]),
            answers=dict(data["answers"]),
            address=str(data.get("address", "")),
            privacy_version=str(data.get("privacy_version", "")),  # none in older links
            language=str(data.get("language") or "en"),  # none in older links: English
        )
        submitted_at = datetime.fromisoformat(data["submitted_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SignupError("This link's sign-up cannot be read.") from exc
    return application, submitted_at


def _participant(
    program: Program,
    application: Application,
    *,
    status: Status,
    participant_id: str,
    created_at: datetime,
    consented_at: datetime,
    now: datetime,
) -> Participant:
    return Participant(
        program=program.slug,
        email=application.email,
        participant_id=participant_id,
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
        status=status,
        created_at=created_at,
        updated_at=now,
        consented_at=consented_at,
        consent_version=application.privacy_version,
        confirmed_at=now if status is Status.CONFIRMED else None,
        expires_at=now + PENDING_FOR if status is Status.PENDING else None,
        address=application.mailbox,
        language=application.language,
    )


class SignupService:
    def __init__(
        self,
        participants: ParticipantRepository,
        store: SignupStore,
        links: MagicLinks,
        mail: MailService,
        clock: Clock,
        base_url: str,
        limits: Limits | None = None,
    ) -> None:
        self.participants = participants
        self.store = store
        self.limits = limits
        self.links = links
        self.mail = mail
        self.clock = clock
        self.base_url = base_url

    @property
    def confirm_ttl(self) -> timedelta:
        """How long a confirmation link works: never longer than the sign-up is kept."""
        return self.links.lifetime(CONFIRM)

    def sign_up(
        self, program: Program, application: Application, source: str | None = None
    ) -> Refusal | Emailed:
        """Store the answers with a new confirmation link, and queue the email with the link.

        Whatever the address (new, pending, confirmed, or emailed minutes ago) the work is the
        same: three reads at once (the sign-up, the address's suppression, the email's key),
        one transaction, one email handed to the mail service to send. So neither the page nor
        its timing tells a stranger whether an address is known.

        With a `source` (the client's address) the transaction also counts the sign-up
        against the limits per source and per recipient: past one, nothing is stored or
        counted, and the Refusal is returned. Else where the email went, and whether one was
        sent already in this window (then nothing new was).
        """
        counters = (
            self.limits.for_signup(source, application.email)
            if source is not None and self.limits is not None
            else ()
        )
        counting = self.limits.writes(counters) if self.limits is not None else []
        key, now = "", self.clock()
        for attempt in range(ATTEMPTS):
            prepared = self._prepare(program, application)
            key, now = prepared.key, prepared.now
            submission = self.store.submit(
                link=prepared.link,
                email=prepared.email,
                now=prepared.now,
                create=prepared.create,
                expect=prepared.expect,
                emailed=prepared.key if prepared.emailed else None,
                counters=counting,
            )
            if submission.outcome is Submitted.LIMITED:
                assert self.limits is not None
                return self.limits.refusal(counters, [counters[i] for i in submission.full])
            if submission.outcome is Submitted.BUSY:
                pause_before_retry(attempt)
            elif submission.outcome is not Submitted.CHANGED:
                break
        else:
            # The sign-up changed under us every time (a confirmation at that very moment,
            # or a crowd signing up from one network): nothing was stored.
            raise SignupBusyError(program)
        self.mail.dispatch(key)
        earlier = submission.outcome is Submitted.EMAILED_ALREADY
        return Emailed(to=application.mailbox, earlier=earlier, next_at=_window_end(now))

    def _prepare(self, program: Program, application: Application) -> _Prepared:
        """Read the address's sign-up and compose what to store and email (writes nothing)."""
        now = self.clock()
        who, window = _address_key(application.email), _window(now)
        # Which of the two emails goes out depends on the sign-up, read at the same time as
        # whether either was sent in this window: so both keys are read.
        confirm_key = CONFIRM_SIGNUP.key_for(program=program.slug, address=who, window=window)
        again_key = ALREADY_REGISTERED.key_for(program=program.slug, address=who, window=window)
        (existing, known_id), suppressed, emailed = together(
            lambda: self.participants.find(program.slug, application.email),
            lambda: self.mail.suppression(application.mailbox),
            lambda: self.store.emailed_already(confirm_key, again_key),
        )
        key = confirm_key
        language: str | None = None
        if existing is not None and existing.status in TAKING_PART:
            key = again_key
            # Losing one's link is the usual reason to sign up again: send a fresh one.
            token, link = self.links.prepare(Purpose.ME, program.slug, application.email)
            template = "already_registered"
            # Written in the language on their record: the form's choice changes nothing.
            language = existing.language
            context: dict[str, Any] = {
                "name": application.name,
                "program": program,
                "role": existing.role.value,  # the role on record, not the one just typed
                "program_url": f"{self.base_url}/programs/{program.slug}",
                "page_url": self.links.page_url_of(token),
                "expires_days": self.links.lifetime(Purpose.ME).days,
            }
        else:
            token, link = self.links.prepare(
                CONFIRM,
                program.slug,
                application.email,
                payload=_payload(application, now),
            )
            template = "confirm_signup"
            language = application.language
            context = {
                "name": application.name,
                "program": program,
                "role": application.role.value,
                "confirm_url": self.links.confirm_url(token),
                "expires_hours": int(self.confirm_ttl.total_seconds() // 3600),
            }
        email = self.mail.compose(
            key,
            to=application.mailbox,
            template=template,
            recipient=Recipient.APPLICANT,
            context=context,
            program=program.slug,
            suppressed=suppressed,
            language=language,
        )
        create = None
        if existing is None:
            # The first sign-up of an address: pending until a link is used, deleted if never.
            create = _participant(
                program,
                application,
                status=Status.PENDING,
                # An address keeps its id, even once its pending sign-up expired.
                participant_id=known_id or uuid.uuid4().hex,
                created_at=now,
                consented_at=now,
                now=now,
            )
        return _Prepared(key, link, email, now, create, existing, key in emailed)

    def pending_confirmation(self, token: str, programs: dict[str, Program]) -> Confirmation:
        """What a confirmation link would confirm, without using it (GET)."""
        grant = self.links.check(token, CONFIRM)
        return self._resolve(grant, programs, self.clock())

    def confirm(self, token: str, programs: dict[str, Program]) -> Confirmation:
        """Use the link and store the answers it was sent for as a confirmed sign-up (POST)."""
        for _ in range(3):
            grant = self.links.check(token, CONFIRM)  # says why a used or expired link fails
            now = self.clock()
            try:
                pending = self._resolve(grant, programs, now)
            except AlreadySignedUpError:
                self.links.check(token, CONFIRM)  # this link, pressed twice at once: "used"
                raise
            confirmed = replace(
                pending.participant,
                status=Status.CONFIRMED,
                confirmed_at=now,
                updated_at=now,
                expires_at=None,
            )
            if self.store.confirm(
                token_hash=token_hash(token), purpose=CONFIRM, participant=confirmed, now=now
            ):
                self._one_language(confirmed, now)
                return Confirmation(program=pending.program, participant=confirmed)
            # Refused: the link was used meanwhile, the address joined by another link, or
            # another write held an item at that moment. Look again to say which.
        raise RuntimeError("a confirmation kept colliding with other writes")

    def _one_language(self, confirmed: Participant, now: datetime) -> None:
        """One person reads one language: the one just confirmed becomes their other
        sign-ups' too (their latest choice), so every page and email to them uses it."""
        for other in self.participants.everywhere(confirmed.email):
            if other.program != confirmed.program and other.language != confirmed.language:
                self.participants.set_language(other, confirmed.language, now)

    def _resolve(
        self, grant: LinkGrant, programs: dict[str, Program], now: datetime
    ) -> Confirmation:
        program = programs.get(grant.program)
        if program is None:
            raise SignupError("This sign-up no longer exists.")
        application, submitted_at = _answers_of(grant)
        existing, known_id = self.participants.find(grant.program, grant.subject)
        if existing is not None and existing.status in TAKING_PART:
            raise AlreadySignedUpError(program)
        participant = _participant(
            program,
            application,
            status=Status.PENDING,
            # Someone who left, or whose address someone else signed up, keeps the id.
            participant_id=known_id or uuid.uuid4().hex,
            created_at=(existing.created_at or now) if existing else now,
            consented_at=submitted_at,
            now=now,
        )
        return Confirmation(program=program, participant=participant)
