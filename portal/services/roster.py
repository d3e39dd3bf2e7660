"""The console's people: find participants, read one person's file, and act on them.

Every read is a Query on the program's keys or an index (the program's participants, a
person's matches by the mentor and mentee indexes, a match's check-ins) or a get by key; the
suppressions of a page of people come in batched gets. Every action is conditional on what
the organizer saw when they confirmed it (the person's status, the reason email was off),
and is recorded in the audit log once it is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from portal.domain.audit import AuditEntry
from portal.domain.checkins import Checkin
from portal.domain.clock import Clock
from portal.domain.matches import MatchState
from portal.domain.participants import Participant, Status
from portal.i18n import N_, gettext, ngettext, pgettext
from portal.persistence.checkins import CheckinRepository
from portal.persistence.matches import MatchRepository, StoredMatch
from portal.persistence.participants import ParticipantRepository
from portal.persistence.suppressions import Suppression, SuppressionRepository
from portal.services.audit import AuditLog
from portal.services.limits import Refusal
from portal.services.organizers import Organizers
from portal.services.participation import STOPS_MATCHES, ParticipationService
from portal.services.signin import SignInService

PAGE = 50  # people per page of the list
SEARCH_MAX = 200  # characters of a search: longer is a typing slip, not a name or address
GONE = "a former participant"  # a partner or author no longer in the program


class Matching(StrEnum):
    """The list's filter on matches: someone in an active match, or confirmed and without."""

    MATCHED = "matched"
    WAITING = "waiting"


# Why email to someone is off (portal.persistence.suppressions), in the console's words.
# Marked for translation, and translated where shown (the console's pages).
SUPPRESSION_WORDS = {
    "unsubscribe": N_("They unsubscribed from program email"),
    "bounce": N_("Email to their address bounced: the mail server said it cannot be delivered"),
    "complaint": N_("They marked an email from the portal as spam"),
}
# Only an unsubscribe can be lifted from the console. The suppressions store only SES's
# permanent bounces (portal.services.ses_feedback drops transient ones): a hard bounce, as a
# complaint, says that writing again would hurt the delivery of everyone's email.
LIFTABLE = frozenset({"unsubscribe"})


class Action(StrEnum):
    """What an organizer can do to a person, as the confirm page's address names it."""

    PAUSE = "pause"
    RESUME = "resume"
    REMOVE = "remove"
    RESEND_LINK = "resend-link"
    EMAIL_ON = "email-on"


# Each status change: the status it leads to, and the statuses it may be made from.
STATUS_CHANGES: dict[Action, tuple[Status, frozenset[Status]]] = {
    Action.PAUSE: (Status.PAUSED, frozenset({Status.CONFIRMED})),
    Action.RESUME: (Status.CONFIRMED, frozenset({Status.PAUSED})),
    Action.REMOVE: (Status.LEFT, frozenset({Status.CONFIRMED, Status.PAUSED})),
}


def status_word(status: Status) -> str:
    """A person's status as a sentence of the console says it ("paused", "en pausa")."""
    if status is Status.PENDING:
        return pgettext("person status", "pending")
    if status is Status.CONFIRMED:
        return pgettext("person status", "confirmed")
    if status is Status.PAUSED:
        return pgettext("person status", "paused")
    return pgettext("person status", "left")


def _suppression(reason: str) -> str:
    """Why email to someone is off, in the console's words; an unknown reason as it is."""
    return gettext(SUPPRESSION_WORDS[reason]) if reason in SUPPRESSION_WORDS else reason


def _cannot(action: Action, seen: Status) -> str:
    """Why `action` cannot be done to someone whose status is `seen`."""
    if action is Action.PAUSE:
        said = N_("Nothing was changed: someone who is %(status)s cannot be paused.")
    elif action is Action.RESUME:
        said = N_("Nothing was changed: someone who is %(status)s cannot be resumed.")
    else:
        said = N_("Nothing was changed: someone who is %(status)s cannot be removed.")
    return gettext(said, status=status_word(seen))


class RosterError(Exception):
    """An action that cannot be done as asked; the message says why and what was kept."""


class StaleAction(RosterError):
    """The person changed since the organizer opened the page: nothing was changed."""


@dataclass(frozen=True)
class Filters:
    """What the list was asked for: a search and filters, each "" for all."""

    search: str = ""
    role: str = ""
    status: str = ""
    matching: str = ""
    email: str = ""  # "off": unsubscribed, bounced or complained
    page: int = 1


@dataclass(frozen=True)
class Row:
    """One person in the list, and why email to them is off (None if it is on)."""

    person: Participant
    email_off: str | None


@dataclass(frozen=True)
class RosterPage:
    """A page of the people found: `found` of the program's `total`, page `page` of `pages`."""

    rows: list[Row]
    found: int
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class MatchLine:
    """One of a person's matches, with their partner's name (GONE once erased)."""

    match: StoredMatch
    partner_id: str
    partner_name: str
    partner_here: bool


@dataclass(frozen=True)
class CheckinLine:
    """A check-in in one of a person's matches: who wrote it, and with whom the match was."""

    checkin: Checkin
    author: str
    with_whom: str


@dataclass(frozen=True)
class PersonFile:
    """What the console shows about one person."""

    person: Participant
    matches: list[MatchLine]
    checkins: list[CheckinLine]  # newest first
    suppression: Suppression | None
    audit: list[AuditEntry]

    @property
    def actions(self) -> list[Action]:
        """The actions their status and email allow now."""
        found = [a for a, (_, sources) in STATUS_CHANGES.items() if self.person.status in sources]
        if self.person.status is not Status.PENDING and self.email_allows_link:
            found.append(Action.RESEND_LINK)
        if self.suppression is not None and self.suppression.reason in LIFTABLE:
            found.append(Action.EMAIL_ON)
        return found

    @property
    def email_allows_link(self) -> bool:
        """Whether a sign-in link reaches them (it goes through an unsubscribe, no further)."""
        return self.suppression is None or self.suppression.reason == "unsubscribe"


@dataclass(frozen=True)
class StatusChange:
    """A done status change, and the matches it ended (each partner was told by email)."""

    person: Participant
    status: Status
    ended: list[StoredMatch]


def _matches(person: Participant, filters: Filters) -> bool:
    if filters.role and person.role.value != filters.role:
        return False
    if filters.status and person.status.value != filters.status:
        return False
    if filters.matching == Matching.MATCHED and person.active_matches <= 0:
        return False
    if filters.matching == Matching.WAITING and not (
        person.status is Status.CONFIRMED and person.active_matches <= 0
    ):
        return False
    needle = filters.search.casefold()
    return not needle or any(
        needle in text.casefold() for text in (person.name, person.mailbox, person.email)
    )


class Roster:
    def __init__(
        self,
        *,
        participants: ParticipantRepository,
        matches: MatchRepository,
        checkins: CheckinRepository,
        suppressions: SuppressionRepository,
        participation: ParticipationService,
        signin: SignInService,
        audit: AuditLog,
        clock: Clock,
        organizers: Organizers,
    ) -> None:
        self.organizers = organizers
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.suppressions = suppressions
        self.participation = participation
        self.signin = signin
        self.audit = audit
        self.clock = clock

    # -- the list -------------------------------------------------------------------------

    def search(self, program: str, filters: Filters, size: int = PAGE) -> RosterPage:
        """The program's people the filters keep, by name, one page of them."""
        everyone = list(self.participants.for_program(program))
        found = [p for p in everyone if _matches(p, filters)]
        off: dict[str, str] = {}
        if filters.email == "off":
            off = self.suppressions.reasons(p.email for p in found)
            found = [p for p in found if p.email in off]
        found.sort(key=lambda p: (p.name.casefold(), p.participant_id))
        pages = max(1, -(-len(found) // size))
        page = min(max(1, filters.page), pages)
        shown = found[(page - 1) * size : page * size]
        if filters.email != "off":
            off = self.suppressions.reasons(p.email for p in shown)
        rows = [Row(p, off.get(p.email)) for p in shown]
        return RosterPage(rows=rows, found=len(found), total=len(everyone), page=page, pages=pages)

    # -- one person -----------------------------------------------------------------------

    def person(self, program: str, participant_id: str) -> Participant | None:
        """The participant with this id in the program, or None."""
        return self.participants.get_in(program, participant_id)

    def file(self, program: str, participant_id: str) -> PersonFile | None:
        """Everything the console shows about the person, or None if there is no such person."""
        person = self.participants.get_in(program, participant_id)
        if person is None:
            return None
        names: dict[str, str] = {person.email: person.name}
        lines = []
        for match in self.matches.for_person_id(program, participant_id):
            if match.status is MatchState.SUGGESTED:
                continue  # one of a mentee's options to choose from, not a match
            partner_id = match.mentee_id if match.mentor == person.email else match.mentor_id
            partner = self.participants.get_in(program, partner_id)
            if partner is not None:
                names[partner.email] = partner.name
            lines.append(
                MatchLine(match, partner_id, partner.name if partner else GONE, partner is not None)
            )
        return PersonFile(
            person=person,
            matches=list(reversed(lines)),  # the current match first
            checkins=self._checkins(person, lines, names),
            suppression=self.suppressions.of(person.email),
            audit=self.audit.about(program, participant_id),
        )

    def _checkins(
        self, person: Participant, lines: Iterable[MatchLine], names: dict[str, str]
    ) -> list[CheckinLine]:
        """The check-ins of the person's matches, theirs and their partners', newest first;
        in a group, only the person's own (the group's are the whole group's)."""
        found: list[CheckinLine] = []
        groups: set[str] = set()
        for line in lines:
            if line.match.status is MatchState.PROPOSED:
                continue
            found += [
                CheckinLine(c, names.get(c.author, GONE), line.partner_name)
                for c in self.checkins.for_match(line.match.match_id)
            ]
            group = line.match.group_id
            if group and group not in groups:
                groups.add(group)
                found += [
                    CheckinLine(c, person.name, "their group")
                    for c in self.checkins.for_match(group)
                    if c.author == person.email
                ]
        return sorted(found, key=lambda line: line.checkin.created_at, reverse=True)

    # -- actions --------------------------------------------------------------------------

    def _get(self, program: str, participant_id: str) -> Participant:
        person = self.participants.get_in(program, participant_id)
        if person is None:
            raise RosterError(
                gettext("This person is no longer in the program: nothing was changed.")
            )
        return person

    def change_status(
        self, program: str, participant_id: str, action: Action, seen: Status, organizer: str
    ) -> StatusChange:
        """Pause, resume or remove the person if their status is still `seen`; pausing and
        removing end their active matches and tell each partner, as their own pause or
        leaving does."""
        target, sources = STATUS_CHANGES[action]
        person = self._get(program, participant_id)
        if seen not in sources:
            raise RosterError(_cannot(action, seen))
        if not self.participants.set_status(program, person.email, target, self.clock(), seen=seen):
            now = self._get(program, participant_id)
            raise StaleAction(
                gettext(
                    "Nothing was changed: %(name)s is %(now)s now, not %(seen)s as when you "
                    "opened the page (someone changed it meanwhile, perhaps in another tab). "
                    "Here is how things stand.",
                    name=now.name,
                    now=status_word(now.status),
                    seen=status_word(seen),
                )
            )
        ended = (
            self.participation.end_all(program, person.email, target.value)
            if target in STOPS_MATCHES
            else []
        )
        plural = "" if len(ended) == 1 else "es"
        detail = f"{len(ended)} active match{plural} ended" if ended else ""
        self.audit.record(
            program,
            organizer,
            action.value,
            subject_kind="participant",
            subject=participant_id,
            detail=detail,
        )
        return StatusChange(person, target, ended)

    def resend_link(
        self, program: str, participant_id: str, organizer: str, source: str
    ) -> Refusal | None:
        """Email the person the sign-in form's email, counted against its limits; the Refusal
        past a limit (nothing sent, nothing recorded)."""
        person = self._get(program, participant_id)
        if person.status is Status.PENDING:
            raise RosterError(
                gettext(
                    "%(name)s has not confirmed their sign-up: they have no page to sign in to "
                    "yet. The confirmation email they were sent is the link they need.",
                    name=person.name,
                )
            )
        reason = self.suppressions.reason(person.email)
        if reason is not None and reason != "unsubscribe":
            raise RosterError(
                gettext(
                    "No link was sent: email to %(name)s is off. %(why)s.",
                    name=person.name,
                    why=_suppression(reason),
                )
            )
        refusal = self.signin.request(person.email, person.mailbox, source)
        if refusal is None:
            self.audit.record(
                program,
                organizer,
                "resend_link",
                subject_kind="participant",
                subject=participant_id,
            )
        return refusal

    def email_on(
        self, program: str, participant_id: str, seen: str, why: str, organizer: str
    ) -> Participant:
        """Lift the person's unsubscribe if it is still what the organizer saw, recording why."""
        person = self._get(program, participant_id)
        if seen not in LIFTABLE:
            raise RosterError(gettext("Only an unsubscribe can be lifted from the console."))
        # Email is stopped by address, for every program at once: only someone who organizes
        # each program the address is in may start it again.
        elsewhere = [
            slug
            for slug in self.participants.programs_of(person.email)
            if slug != program and not self.organizers.organizes(organizer, slug)
        ]
        if elsewhere:
            raise RosterError(
                ngettext(
                    "Nothing was changed: %(name)s is also in %(num)s other program you do not "
                    "organize, and turning email back on would reach them there too. Ask a site "
                    "admin (PORTAL_ADMINS), who organizes every program, to do it.",
                    "Nothing was changed: %(name)s is also in %(num)s other programs you do not "
                    "organize, and turning email back on would reach them there too. Ask a site "
                    "admin (PORTAL_ADMINS), who organizes every program, to do it.",
                    len(elsewhere),
                    name=person.name,
                )
            )
        if not self.suppressions.remove_if(person.email, seen):
            now = self.suppressions.reason(person.email)
            raise StaleAction(
                gettext(
                    "Nothing was changed: email to them is on already, since you opened the page "
                    "(someone changed it meanwhile). Here is how things stand."
                )
                if now is None
                else gettext(
                    "Nothing was changed: email to them is off for another reason now, since "
                    "you opened the page (someone changed it meanwhile): %(why)s. Here is how "
                    "things stand.",
                    why=_suppression(now),
                )
            )
        self.audit.record(
            program,
            organizer,
            "lift_unsubscribe",
            subject_kind="participant",
            subject=participant_id,
            detail=why,
        )
        return person
