"""A roster import's invitations: the link, who it is for, and the two reminders at most.

The link carries a signed token naming the program and the address's digest, never the
address; it opens a sign-up form pre-filled with what the live import holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from portal.domain.addresses import address_digest
from portal.domain.clock import Clock
from portal.domain.participants import Status
from portal.domain.program import Program
from portal.domain.roster_plan import RosterEntry, seniority_key
from portal.mail.catalog import Recipient
from portal.persistence.participants import ParticipantRepository
from portal.persistence.roster_imports import RosterStore, StoredEntry
from portal.services.mail import MailService

# Reminders of an invitation: a week after it, and a week after the first reminder.
REMIND_AFTER = timedelta(days=7)
MOST_INVITATIONS = 3  # the invitation and two reminders


@dataclass(frozen=True)
class Invitee:
    """A roster person opening their invitation: what the sign-up form is pre-filled with."""

    program: str
    email: str  # comparison form
    address: str  # as the roster wrote it
    name: str
    department: str
    reports_to: str  # the manager's address (comparison form), or ""
    timezone: str  # an IANA zone, or ""
    seniority: str  # a portal seniority key, or ""


@dataclass(frozen=True)
class Awaiting:
    """Someone invited who has not signed up: what the organizer's follow-up list shows."""

    name: str
    address: str
    invited_at: datetime | None
    sent: int  # the invitation and the reminders sent so far
    stopped: str  # why email to them is stopped ("unsubscribe", "bounce"...), or ""


@dataclass(frozen=True)
class FollowUp:
    """The live import's invitations: how many went out, how many signed up, who has not."""

    invited: int
    signed_up: int
    awaiting: tuple[Awaiting, ...]


class RosterInvitations:
    """Invitations of the people a roster import names who have not signed up."""

    def __init__(
        self,
        *,
        store: RosterStore,
        programs: Callable[[str], Program | None],
        participants: ParticipantRepository,
        mail: MailService,
        clock: Clock,
        secret_key: str,
        base_url: str,
    ) -> None:
        self.store = store
        self.program_of = programs
        self.participants = participants
        self.mail = mail
        self.clock = clock
        self.base_url = base_url.rstrip("/")
        self._tokens = URLSafeSerializer(secret_key, salt="roster-invitation")

    def url(self, program_slug: str, email: str) -> str:
        """The invitation's link: a signed token naming the program and the address's digest."""
        token = self._tokens.dumps([program_slug, address_digest(email)])
        return f"{self.base_url}/programs/{program_slug}/invited/{token}"

    def invitee(self, program: Program, token: str) -> Invitee | None:
        """Who an invitation link is for, as the live roster has them; None if the link is
        bad, for another program, the person is no longer active in the roster, or has
        signed up already (the link then shows nothing of what the roster says)."""
        try:
            slug, digest = self._tokens.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if slug != program.slug or not isinstance(digest, str):
            return None
        head = self.store.head(program.slug)
        if head is None or head.import_id is None:
            return None
        stored = self.store.entry_by_digest(program.slug, head.import_id, digest)
        if stored is None or not stored.entry.active:
            return None
        entry = stored.entry
        signed_up = self.participants.get(program.slug, entry.email)
        if signed_up is not None and signed_up.status is not Status.PENDING:
            return None
        return Invitee(
            program=program.slug,
            email=entry.email,
            address=entry.mailbox,
            name=entry.name,
            department=entry.department,
            reports_to=entry.manager_email,
            timezone=entry.timezone,
            seniority=seniority_key(entry.seniority) or "" if entry.seniority else "",
        )

    def invite(self, slug: str, entry: RosterEntry, n: int) -> bool:
        """Queue invitation number `n` (1, or 2 and 3 for the reminders) unless the person
        signed up meanwhile or left the roster; True if queued."""
        program = self.program_of(slug)
        if program is None or not entry.active or not program.signup_open:
            return False
        if self.participants.get(slug, entry.email) is not None:
            return False
        organizers = program.organizers
        return self.mail.queue_once(
            "invitation",
            Recipient.INVITEE,
            to=entry.mailbox,
            key={"program": slug, "address": address_digest(entry.email), "n": str(n)},
            context=lambda: {
                "program": program,
                "name": entry.name,
                "link": self.url(slug, entry.email),
                "n": n,
            },
            program=slug,
            reply_to=organizers[0] if organizers else None,
            # The invitee has no profile yet: the program's own language.
            language=program.language,
        )

    def follow_up(self, program_slug: str, entries: Iterable[StoredEntry]) -> FollowUp:
        """Of the live import's `entries`: who was invited, who signed up, who has not yet
        (with whether email to them is stopped), for the Import people page."""
        invited = [s.entry for s in entries if s.entry.invitations_sent > 0 and s.entry.active]
        if not invited:
            return FollowUp(0, 0, ())
        signed_up = {p.email for p in self.participants.for_program(program_slug)}
        waiting = [entry for entry in invited if entry.email not in signed_up]
        stopped = (
            self.mail.suppressions.reasons([e.email for e in waiting])
            if (self.mail.suppressions)
            else {}
        )
        awaiting = tuple(
            Awaiting(
                name=entry.name,
                address=entry.mailbox,
                invited_at=entry.invited_at,
                sent=entry.invitations_sent,
                stopped=stopped.get(entry.email, ""),
            )
            for entry in sorted(waiting, key=lambda e: (str(e.invited_at), e.email))
        )
        return FollowUp(len(invited), len(invited) - len(waiting), awaiting)

    def remind(self, program: Program, import_id: str, entries: Iterable[StoredEntry]) -> int:
        """Queue the invitation reminders that are due among the live import's `entries`: a
        week after the invitation and a week after the first reminder, to people who have
        not signed up. The number queued."""
        if not program.signup_open:
            return 0
        now = self.clock()
        due = [stored.entry for stored in entries if _reminder_due(stored, now)]
        if not due:
            return 0
        signed_up = {person.email for person in self.participants.for_program(program.slug)}
        queued = 0
        for entry in due:
            if entry.email in signed_up:
                continue
            sent = entry.invitations_sent
            # Counted first: two runs at once send one reminder, and a reminder that cannot
            # go (an unsubscribe) is not tried again.
            if self.store.note_invitation(program.slug, import_id, entry.email, sent=sent):
                queued += self.invite(program.slug, entry, sent + 1)
        return queued


def _reminder_due(stored: StoredEntry, now: datetime) -> bool:
    entry = stored.entry
    return (
        entry.active
        and not stored.todo
        and entry.invited_at is not None
        and 0 < entry.invitations_sent < MOST_INVITATIONS
        and now >= entry.invited_at + REMIND_AFTER * entry.invitations_sent
    )
