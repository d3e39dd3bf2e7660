"""The emails of a pair's first meeting: each in its reader's language, times in their zone.

`MeetingMail` is the part of `portal.services.meetings.Meetings` that writes them: the
proposal to the partner, the invite and the cancellation (with the .ics in each person's own
zone) to both. Each is queued once under a key naming its version, and each says whether it
was queued or why not (the address's suppression), so the page never promises an email.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from portal.domain.checkins import match_ref
from portal.domain.clock import Clock
from portal.domain.matches import Match
from portal.domain.meetings import BOOKED, CANCELLED, Meeting, Proposal
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.mail.calendar import invite
from portal.mail.catalog import Recipient
from portal.presenters.meetings import times_for
from portal.services.mail import MailService
from portal.services.rounds.common import person_context


class MeetingMail:
    """Queue a meeting's emails; the service (`Meetings`) sets these attributes."""

    mail: MailService
    clock: Clock
    base_url: str

    def page_url(self, program: str, match_id: str) -> str:
        """The pair's meeting page (a signed-out reader is asked to sign in first)."""
        return f"{self.base_url}/me/programs/{program}/matches/{match_ref(match_id)}/meeting"

    @staticmethod
    def _key(program: Program, match: Match, person: Participant, **parts: str) -> dict[str, str]:
        return {
            "program": program.slug,
            "match": match_ref(match.match_id),
            "person": person.participant_id,
            **parts,
        }

    def _context(
        self,
        program: Program,
        match: Match,
        person: Participant,
        other: Participant,
        meeting: Meeting,
    ) -> dict[str, Any]:
        """What every meeting email shows; its times in the reader's zone and language."""
        when, when_other = (
            times_for(meeting.start, person.timezone, other.timezone, person.language, self.clock())
            if meeting.start
            else ("", "")
        )
        return {
            "program": program,
            "person": person_context(person),
            "other": person_context(other),
            "when": when,
            "when_other": when_other,
            "length_minutes": meeting.length_minutes,
            "link": meeting.link,
            "page_url": self.page_url(program.slug, match.match_id),
            "cancelled_by_me": meeting.by == person.participant_id,
        }

    def _proposed(
        self,
        program: Program,
        match: Match,
        reader: Participant,
        partner: Participant,
        meeting: Meeting,
        proposal: Proposal,
    ) -> str | None:
        """Tell the partner of the proposal; None if emailed, else why not (see `_send`)."""
        context = self._context(program, match, partner, reader, meeting)
        # The email is about the proposed time; a booked meeting it would replace is named too.
        proposed = self._context(
            program, match, partner, reader, replace(meeting, start=proposal.start)
        )
        context["booked_when"] = context["when"]
        context["when"], context["when_other"] = proposed["when"], proposed["when_other"]
        # A booked meeting that has started is not replaced: the time is a new meeting.
        context["rescheduling"] = (
            meeting.state == BOOKED and meeting.start is not None and meeting.start > self.clock()
        )
        context["proposed_link"] = proposal.link
        return self._send(
            "meeting_proposed",
            partner,
            self._key(program, match, partner, proposal=proposal.id),
            context=context,
            program=program.slug,
            language=partner.language,
        )

    def _send(
        self, template: str, person: Participant, key: dict[str, str], **options: Any
    ) -> str | None:
        """Queue one email to `person` once; None if it is queued (now or before), else why
        not: the address's suppression ("unsubscribe", "bounce", ...)."""
        if self.mail.queue_once(
            template, Recipient.PARTICIPANT, to=person.mailbox, key=key, **options
        ) or self.mail.queued(template, Recipient.PARTICIPANT, key):
            return None
        return self.mail.suppression(person.mailbox) or "not_sent"

    def _not_invited(
        self, program: Program, match: Match, person: Participant, meeting: Meeting
    ) -> str | None:
        """Why the booked meeting's invite (this version of it) was not queued for `person`;
        None if it is in the outbox (sent or on its way)."""
        key = self._key(
            program, match, person, uid=meeting.uid or "", sequence=str(meeting.sequence)
        )
        if self.mail.queued("meeting_invite", Recipient.PARTICIPANT, key):
            return None
        return self.mail.suppression(person.mailbox) or "not_sent"

    def _calendar_email(
        self,
        template: str,
        program: Program,
        match: Match,
        person: Participant,
        other: Participant,
        meeting: Meeting,
    ) -> str | None:
        """An invite or a cancellation, with the .ics in the person's own zone (an invite
        that moved a booked meeting says so); None if queued, else why not."""
        assert meeting.start is not None
        assert meeting.uid is not None
        context = self._context(program, match, person, other, meeting)
        context["rescheduled"] = meeting.moved and meeting.state == BOOKED
        calendar = invite(
            uid=meeting.uid,
            sequence=meeting.sequence,
            start=meeting.start,
            length=meeting.length,
            zone=person.timezone,
            cancelled=meeting.state == CANCELLED,
            summary_of=(program.title, other.name),
            link=meeting.link,
            organizer=self.mail.mail_from,
            attendees=(person.mailbox, other.mailbox),
            stamp=self.clock(),
            language=person.language,
        )
        return self._send(
            template,
            person,
            self._key(program, match, person, uid=meeting.uid, sequence=str(meeting.sequence)),
            context=context,
            program=program.slug,
            language=person.language,
            calendar=calendar,
        )
