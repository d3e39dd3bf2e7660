"""Taking part after sign-up: the agreement, pausing, leaving, ending a match, the profile."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from portal.catalog.programs import ProgramCatalog
from portal.domain.checkins import match_ref
from portal.domain.clock import Clock
from portal.domain.matches import EndReason, MatchState
from portal.domain.network import Network, network
from portal.domain.participants import Participant, Status
from portal.i18n import gettext
from portal.mail.catalog import Recipient
from portal.persistence.matches import MatchRepository
from portal.persistence.matches import StoredMatch as StoredMatch  # the match callers are given
from portal.persistence.participants import ParticipantRepository
from portal.presenters.words import match_state_word
from portal.services.magic_links import MagicLinks
from portal.services.mail import MailService

log = logging.getLogger(__name__)


def ending_words(reason: str, ender: str) -> str:
    """Why a match ended, as its email says it to the other person, in their language."""
    if reason == "rematch":
        return gettext(
            "%(name)s felt it was not the right fit and asked for a new match.", name=ender
        )
    if reason == "paused":
        return gettext("%(name)s is taking a break from the program.", name=ender)
    if reason == "left":
        return gettext("%(name)s has left the program.", name=ender)
    if reason == EndReason.CLOSED.value:
        return gettext("the program's organizers closed it.")
    return gettext("it was closed early.")


# Reminders are read days later than sign-up confirmations: their links last longer.


class ParticipationError(Exception):
    """Something a participant asked for cannot be done; the message says why."""


class MatchChangedError(ParticipationError):
    """A match an organizer acted on changed meanwhile; the message says how."""


# The statuses that end a person's active matches: they no longer take part for now.
STOPS_MATCHES = frozenset({Status.PAUSED, Status.LEFT})


class ParticipationService:
    def __init__(
        self,
        *,
        participants: ParticipantRepository,
        matches: MatchRepository,
        links: MagicLinks,
        clock: Clock,
        base_url: str,
        mail: MailService,
        programs: ProgramCatalog,
    ) -> None:
        self.participants = participants
        self.matches = matches
        self.links = links
        self.clock = clock
        self.base_url = base_url
        self.mail = mail
        self.programs = programs

    def page_url(self, program: str, email: str) -> str:
        """A magic link to the person's own page."""
        return self.links.me_url(program, email)

    # -- reading --------------------------------------------------------------------------

    def person(self, program: str, email: str) -> Participant | None:
        """The participant with this address in the program, if they signed up."""
        return self.participants.get(program, email)

    def people(self, program: str) -> list[Participant]:
        """Everyone who signed up to the program, whatever their status."""
        return list(self.participants.for_program(program))

    def network(self, program: str) -> Network:
        """Who the program's rounds linked to whom, by department, time zone and language
        (one Query of its participants, one of its matches)."""
        return network(self.people(program), self.matches.for_program(program), self.clock())

    def active_matches(self, program: str, email: str) -> list[StoredMatch]:
        return [m for m in self.matches.for_person(program, email) if m.holds_places]

    def _active_match(self, program: str, match_id: str, email: str) -> StoredMatch:
        match = self.matches.get(program, match_id)
        if match is None or email not in (match.mentor, match.mentee):
            raise ParticipationError(gettext("This match is not one of yours."))
        if match.status is MatchState.COMPLETED:
            raise ParticipationError(
                gettext("This match has completed its cycle: it can change no more.")
            )
        if not match.holds_places:
            raise ParticipationError(gettext("This match has ended."))
        return match

    # -- the agreement --------------------------------------------------------------------

    def agree(self, program: str, match_id: str, email: str) -> bool:
        """Accept the program's agreement for this match; False if accepted before."""
        match = self._active_match(program, match_id, email)
        return self.matches.agree(program, match.match_id, email, self.clock())

    # -- pausing, leaving, asking for another match ---------------------------------------

    def end_match(self, program: str, match_id: str, email: str, reason: str) -> StoredMatch:
        """End one of the person's matches (a re-match request, or closing it early)."""
        match = self._active_match(program, match_id, email)
        self.end(program, match, email, reason)
        return match

    def end(self, program: str, match: StoredMatch, by: str, reason: str) -> bool:
        """End the match and tell the other person; False if it had ended already."""
        if not self.matches.end(program, match.match_id, reason=reason, now=self.clock(), by=by):
            return False
        self._tell_partner(program, match, by, reason)
        return True

    def _tell_partner(self, program: str, match: StoredMatch, by: str, reason: str) -> None:
        ender = self.participants.get(program, by)
        if ender is None:
            return
        self._tell(program, match, match.other(by), reason, ender.first_name)

    def _tell(
        self, program: str, match: StoredMatch, email: str, reason: str, ender: str = ""
    ) -> None:
        """The kind email to one person of a match that has ended, once per person."""
        definition = self.programs.get(program)
        person = self.participants.get(program, email)
        other = self.participants.get(program, match.other(email))
        if definition is None or person is None or other is None:
            return
        if self.mail.queue_once(
            "match_ended",
            Recipient.PARTICIPANT,
            to=person.mailbox,
            key={
                "program": program,
                "match": match_ref(match.match_id),
                "person": person.participant_id,
            },
            # Made only for an email not queued before: no second link.
            context=lambda: {
                "program": definition,
                "person": person,
                "other": other,
                "because": ending_words(reason, ender),  # in the reader's language
                "back_in_pool": person.status is Status.CONFIRMED,
                "page_url": self.page_url(program, person.email),
                "organizers": ", ".join(definition.organizers),
            },
            program=program,
            language=person.language,
        ):
            log.info("queued the end of a match in %s", program)

    def end_by_organizer(
        self, program: str, match_id: str, *, seen: str, organizer: str
    ) -> StoredMatch:
        """An organizer ends an active match: both places freed, a kind email to each person.

        `seen` is the match's state the organizer saw; if it is no longer that, or the match
        is no longer active, MatchChangedError says what happened and nothing is changed.
        The organizer's reason is theirs, for the audit log: neither person is sent it.
        """
        match = self.matches.get(program, match_id)
        if match is None:
            raise ParticipationError(gettext("There is no such match in this program."))
        if match.status.value != seen or not match.holds_places:
            raise MatchChangedError(self._what_changed(program, match))
        now = self.clock()
        if not self.matches.end(
            program, match_id, reason=EndReason.CLOSED.value, now=now, by=organizer
        ):
            current = self.matches.get(program, match_id) or match
            raise MatchChangedError(self._what_changed(program, current))
        for email in (match.mentor, match.mentee):
            self._tell(program, match, email, EndReason.CLOSED.value)
        return match

    def _what_changed(self, program: str, match: StoredMatch) -> str:
        """What happened to a match since an organizer saw it, in words."""
        if match.status is MatchState.COMPLETED:
            return gettext("This match completed its cycle meanwhile: nothing was changed.")
        if match.status is MatchState.ENDED:
            ender = (
                self.participants.get(program, match.ended_by)
                if match.ended_by in (match.mentor, match.mentee)
                else None
            )
            if ender is None:
                return gettext(
                    "This match was ended meanwhile, by an organizer: nothing was changed."
                )
            return gettext(
                "This match was ended meanwhile, by %(name)s: nothing was changed.", name=ender.name
            )
        return gettext(
            "This match is %(state)s now, not active: nothing was changed.",
            state=match_state_word(match.status),
        )

    def end_all(self, program: str, email: str, reason: str) -> list[StoredMatch]:
        """End the person's active matches, telling each partner; those this call ended
        (one ended meanwhile by someone else is not among them)."""
        return [
            match
            for match in self.active_matches(program, email)
            if self.end(program, match, email, reason)
        ]

    def set_status(self, program: str, email: str, status: Status) -> list[StoredMatch]:
        """Pause, resume or leave; pausing and leaving end the person's active matches."""
        ended = self.end_all(program, email, status.value) if status in STOPS_MATCHES else []
        if not self.participants.set_status(program, email, status, self.clock()):
            raise ParticipationError(
                gettext("Your sign-up could not be changed: it is not confirmed.")
            )
        return ended

    # -- the profile ----------------------------------------------------------------------

    def update_profile(self, person: Participant, changes: dict[str, Any]) -> Participant:
        """Change what the person told us at sign-up (their email and role stay)."""
        updated = replace(person, **changes)
        if updated.capacity < person.active_matches:
            raise ParticipationError(
                gettext(
                    "You have %(num)s mentees now: choose at least that many.",
                    num=person.active_matches,
                )
            )
        if not self.participants.update_profile(updated, self.clock()):
            raise ParticipationError(
                gettext("Your profile could not be changed: you have left the program.")
            )
        return updated

    def set_language(self, email: str, language: str) -> int:
        """The language of the person's pages and emails (one the portal offers: the form's
        list checks it), on every sign-up of the address: one person reads one language.
        How many sign-ups were changed."""
        now = self.clock()
        return sum(
            self.participants.set_language(person, language, now)
            for person in self.participants.everywhere(email)
        )

    def language_at(self, digest: str) -> str | None:
        """The saved language of whoever signed up with the address of this digest, if anyone."""
        found = self.participants.by_digest(digest)
        return found[0].language if found else None
