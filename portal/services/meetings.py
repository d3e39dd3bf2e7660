"""A pair's first meeting: proposed by one, accepted by the other, with calendar invites.

The meeting lives on the pair's match (portal/persistence/meetings.py). Every action names
the version of the meeting its page showed (`expected_version`): if the meeting changed since
(the partner accepted another time a moment ago), nothing is written and MeetingChanged says
so; two accepts at once make one meeting, because the database takes one write per version.
Each email goes to a person in their language with every time in their zone, and only to an
address that has not unsubscribed (portal/mail/catalog.py): each action says whom it could not
email (`MeetingView.unreached`), so the page never promises an email nobody gets.

The meeting is written first and its emails queued after: a process that dies in between
leaves a meeting whose emails are missing, and the hourly reminder run queues them
(`catch_up`; each email's key names its version, so none is sent twice).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from portal.catalog.programs import ProgramCatalog
from portal.domain.checkins import match_ref
from portal.domain.clock import Clock
from portal.domain.matches import Match, MatchState
from portal.domain.meetings import (
    BOOKED,
    CANCELLED,
    DEFAULT_COUNT,
    PROPOSED,
    Meeting,
    Proposal,
    Refusal,
    check_proposal,
    propose_times,
)
from portal.domain.participants import Participant, Status
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.persistence.matches import MatchRepository
from portal.persistence.meetings import MeetingStore
from portal.persistence.participants import ParticipantRepository
from portal.services.failures import log_failure
from portal.services.mail import MailService
from portal.services.meeting_mail import MeetingMail

log = logging.getLogger(__name__)

MAX_LINK = 500
# The follow-up asks for the check-in the day after: from 20 hours after the meeting's end
# (the next morning, wherever they are) until a week after it, once.
FOLLOW_UP_AFTER = timedelta(hours=20)
FOLLOW_UP_UNTIL = timedelta(days=7)


class MeetingRefused(Exception):
    """The action was refused and nothing was stored; `refusal` says why (code and params)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


class MeetingChanged(MeetingRefused):
    """The meeting changed since the reader's page showed it: nothing was stored."""


@dataclass(frozen=True)
class MeetingView:
    """A pair's meeting as one of them sees it."""

    program: str
    match_id: str
    reader: Participant
    partner: Participant
    state: str | None
    version: int
    proposals: tuple[Proposal, ...]
    start: datetime | None
    length: timedelta
    link: str | None
    suggestions: tuple[datetime, ...]  # times both are free, in the next two weeks (UTC)
    # Who of the pair the action just taken could not email, and why (the address's
    # suppression: "unsubscribe", "bounce", ...), as (participant_id, reason) pairs.
    unreached: tuple[tuple[str, str], ...] = ()
    started: bool = False  # the booked meeting's start has passed: it can no longer change
    # Who of the pair the booked meeting's invite was not queued for, and why (as `unreached`):
    # the page says who received one from the outbox, not from a hope.
    uninvited: tuple[tuple[str, str], ...] = ()

    def why_unreached(self, participant_id: str) -> str | None:
        """Why the action's email to this person was not sent; None if it was."""
        return dict(self.unreached).get(participant_id)

    def why_uninvited(self, participant_id: str) -> str | None:
        """Why this person has no invite to the booked meeting; None if they were sent one."""
        return dict(self.uninvited).get(participant_id)


def _new_id() -> str:
    return secrets.token_hex(8)


def _started(meeting: Meeting, now: datetime) -> bool:
    """Whether the booked meeting's time has come: then it can be neither moved nor
    cancelled."""
    return meeting.state == BOOKED and meeting.start is not None and meeting.start <= now


def https_link(text: str | None) -> str | None:
    """A pasted meeting link, trimmed; None if empty; MeetingRefused unless it is https."""
    link = (text or "").strip()
    if not link:
        return None
    parts = urlsplit(link)
    if (
        parts.scheme.lower() != "https"
        or not parts.hostname
        or len(link) > MAX_LINK
        or any(c.isspace() for c in link)
    ):
        raise MeetingRefused(Refusal("link_not_https"))
    return link


class Meetings(MeetingMail):
    """Propose, accept and cancel a pair's first meeting; follow it up the day after."""

    def __init__(
        self,
        *,
        programs: ProgramCatalog,
        participants: ParticipantRepository,
        matches: MatchRepository,
        store: MeetingStore,
        mail: MailService,
        clock: Clock,
        base_url: str,
        checkin_url: Callable[[str, str, str], str],
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self.programs = programs
        self.participants = participants
        self.matches = matches
        self.store = store
        self.mail = mail
        self.clock = clock
        self.base_url = base_url
        self.checkin_url = checkin_url  # (program, match_id, email) -> a signed-in link
        self.new_id = new_id

    # -- reading -----------------------------------------------------------------------------

    def _pair(
        self, slug: str, match_id: str, by: str
    ) -> tuple[Program, Match, Participant, Participant, Meeting]:
        """The program, match, the acting person, their partner and the meeting as stored."""
        refused = MeetingRefused(Refusal("not_in_pair"))
        program = self.programs.get(slug)
        match = self.matches.get(slug, match_id) if program else None
        if program is None or match is None or match.status is not MatchState.ACTIVE:
            raise refused
        if by not in (match.mentor_id, match.mentee_id):
            raise refused
        other = match.mentee_id if by == match.mentor_id else match.mentor_id
        reader = self.participants.get_in(slug, by)
        partner = self.participants.get_in(slug, other)
        if reader is None or partner is None:
            raise refused
        meeting = match.meeting or Meeting(length_minutes=program.meetings.length_minutes)
        return program, match, reader, partner, meeting

    def _view(
        self,
        program: Program,
        match: Match,
        reader: Participant,
        partner: Participant,
        meeting: Meeting,
    ) -> MeetingView:
        now = self.clock()
        booked = meeting.state == BOOKED
        # Never suggested: the booked time (to move a meeting to where it is) or a time already
        # proposed; asked for that many more, so three are still offered when there are.
        taken = {proposal.start for proposal in meeting.proposals}
        if booked and meeting.start is not None:
            taken.add(meeting.start)
        suggestions = tuple(
            start
            for start in propose_times(
                reader.timezone,
                reader.availability,
                partner.timezone,
                partner.availability,
                now,
                count=DEFAULT_COUNT + len(taken),
                length=meeting.length,
            )
            if start not in taken
        )[:DEFAULT_COUNT]
        started = _started(meeting, now)
        uninvited = tuple(
            (person.participant_id, why)
            for person in (reader, partner)
            if booked
            and not started
            and (why := self._not_invited(program, match, person, meeting)) is not None
        )
        return MeetingView(
            program=program.slug,
            match_id=match.match_id,
            reader=reader,
            partner=partner,
            state=meeting.state,
            version=meeting.version,
            proposals=meeting.proposals,
            start=meeting.start if booked else None,
            length=meeting.length,
            # No room before the first proposal names one: an empty name is everyone's room.
            link=meeting.link
            or (program.meetings.room_link(meeting.room) if meeting.room else None),
            suggestions=suggestions,
            started=started,
            uninvited=uninvited,
        )

    def view(self, program: str, match_id: str, reader_id: str) -> MeetingView:
        """The pair's meeting as `reader_id` sees it; MeetingRefused if not one of the pair."""
        return self._view(*self._pair(program, match_id, reader_id))

    # -- acting ------------------------------------------------------------------------------

    def _write(
        self, program: Program, match: Match, meeting: Meeting, changed: Meeting, now: datetime
    ) -> Meeting:
        """Store `changed` as the version after `meeting`'s; MeetingChanged if it moved on."""
        written = replace(changed, version=meeting.version + 1)
        if not self.store.write(program.slug, match.match_id, written, now):
            raise MeetingChanged(Refusal("changed"))
        return written

    @staticmethod
    def _expect(meeting: Meeting, expected_version: int) -> None:
        if meeting.version != expected_version:
            raise MeetingChanged(Refusal("changed"))

    def propose(
        self,
        program: str,
        match_id: str,
        by: str,
        start: datetime,
        *,
        expected_version: int,
        link: str | None = None,
    ) -> MeetingView:
        """Propose `start` to the partner (a booked meeting stands until it is accepted)."""
        settings, match, reader, partner, meeting = self._pair(program, match_id, by)
        self._expect(meeting, expected_version)
        pasted = https_link(link)
        now = self.clock()
        if _started(meeting, now):
            raise MeetingRefused(Refusal("started_move"))
        refusal = check_proposal(
            start,
            reader.timezone,
            reader.availability,
            partner.timezone,
            partner.availability,
            now,
            a_name=reader.name,
            b_name=partner.name,
            length=meeting.length,
        )
        if refusal is not None:
            raise MeetingRefused(refusal)
        # A pasted link stays with its proposal: it becomes the meeting's only when the
        # partner accepts that time (a booked meeting keeps its link until then).
        proposal = Proposal(
            id=self.new_id(), start=start.astimezone(UTC), by=by, at=now, link=pasted
        )
        # One open proposal per person: a new one replaces the proposer's earlier one.
        kept = tuple(p for p in meeting.proposals if p.by != by)
        changed = replace(
            meeting,
            state=BOOKED if meeting.state == BOOKED else PROPOSED,
            proposals=(*kept, proposal),
            uid=meeting.uid or self.new_id(),
            room=meeting.room or self.new_id(),
        )
        written = self._write(settings, match, meeting, changed, now)
        why = self._proposed(settings, match, reader, partner, written, proposal)
        view = self._view(settings, match, reader, partner, written)
        return replace(view, unreached=((partner.participant_id, why),) if why else ())

    def accept(
        self, program: str, match_id: str, by: str, proposal_id: str, *, expected_version: int
    ) -> MeetingView:
        """Book the partner's proposal (or move the booked meeting to it); invites to both."""
        settings, match, reader, partner, meeting = self._pair(program, match_id, by)
        self._expect(meeting, expected_version)
        proposal = meeting.proposal(proposal_id)
        if proposal is None:
            raise MeetingRefused(Refusal("no_such_proposal"))
        if proposal.by == by:
            raise MeetingRefused(Refusal("own_proposal", {"partner": partner.name}))
        now = self.clock()
        if _started(meeting, now):
            # Moving it would shift an event both calendars already hold in the past.
            raise MeetingRefused(Refusal("started_move"))
        if proposal.start <= now:
            raise MeetingRefused(Refusal("proposal_passed"))
        # Moved only from a time still booked: after a cancellation it is booked afresh.
        moved = meeting.state == BOOKED
        changed = replace(
            meeting,
            state=BOOKED,
            proposals=(),
            start=proposal.start,
            uid=meeting.uid,
            # Booked before (then moved, or cancelled and booked again): the same event, changed.
            sequence=meeting.sequence + 1 if meeting.booked_at else 0,
            booked_at=now,
            by=by,
            link=proposal.link or meeting.link or settings.meetings.room_link(meeting.room or ""),
            moved=moved,
        )
        written = self._write(settings, match, meeting, changed, now)
        return self._acted(settings, match, reader, partner, written, "meeting_invite")

    def cancel(self, program: str, match_id: str, by: str, *, expected_version: int) -> MeetingView:
        """Cancel the booked meeting: both get a cancellation their calendar understands."""
        settings, match, reader, partner, meeting = self._pair(program, match_id, by)
        self._expect(meeting, expected_version)
        if meeting.state != BOOKED:
            raise MeetingRefused(Refusal("not_booked"))
        now = self.clock()
        if _started(meeting, now):
            # A cancellation would take a meeting that happened out of both calendars'
            # history, and stop the day-after request for its check-in.
            raise MeetingRefused(Refusal("started"))
        changed = replace(
            meeting, state=CANCELLED, proposals=(), sequence=meeting.sequence + 1, by=by
        )
        written = self._write(settings, match, meeting, changed, now)
        return self._acted(settings, match, reader, partner, written, "meeting_cancelled")

    def _acted(
        self,
        program: Program,
        match: Match,
        reader: Participant,
        partner: Participant,
        meeting: Meeting,
        template: str,
    ) -> MeetingView:
        """Queue the invite or cancellation to both; the view, saying whom it did not reach."""
        unreached = []
        for person, other in ((reader, partner), (partner, reader)):
            why = self._calendar_email(template, program, match, person, other, meeting)
            if why is not None:
                unreached.append((person.participant_id, why))
        view = self._view(program, match, reader, partner, meeting)
        return replace(view, unreached=tuple(unreached))

    # -- emails a stopped process left unqueued --------------------------------------------

    def catch_up(
        self, program_slug: str, *, now: datetime | None = None, matches: Iterable[Match]
    ) -> dict[str, int]:
        """Queue the meeting emails an action stored but did not queue; how many, by email.

        An action writes the meeting, then queues its emails: a process stopped in between
        (a timeout, a crash) leaves both people without them, and the page refuses a retry as
        changed. The reminder run calls this every hour: each email's key names its version
        (the proposal, or the event's uid and sequence), so one already queued is not again.
        """
        program = self.programs.get(program_slug)
        if program is None:
            return {}
        now = now or self.clock()
        queued: dict[str, int] = {}
        for match in matches:
            if match.meeting is None:
                continue
            try:
                for template in self._catch_up_pair(program, match, match.meeting, now):
                    queued[template] = queued.get(template, 0) + 1
            except Exception:
                log_failure(
                    log, "catching up the meeting emails of a pair of %s failed", program_slug
                )
        return queued

    def _due(
        self, match: Match, meeting: Meeting, now: datetime
    ) -> list[tuple[str, str, dict[str, str]]]:
        """The emails the meeting as stored calls for now: (template, to whom, key parts)."""
        due: list[tuple[str, str, dict[str, str]]] = []
        pair = (match.mentor_id, match.mentee_id)
        if meeting.uid and meeting.start is not None and meeting.start + meeting.length > now:
            # An invite matters until the meeting ends; a cancellation until it would have begun.
            template = {BOOKED: "meeting_invite", CANCELLED: "meeting_cancelled"}.get(
                meeting.state or ""
            )
            if template and (template == "meeting_invite" or meeting.start > now):
                for person in pair:
                    key = {"uid": meeting.uid, "sequence": str(meeting.sequence)}
                    due.append((template, person, key))
        for proposal in meeting.proposals:
            if proposal.start > now:
                partner = pair[1] if proposal.by == pair[0] else pair[0]
                due.append(("meeting_proposed", partner, {"proposal": proposal.id}))
        return due

    def _catch_up_pair(
        self, program: Program, match: Match, meeting: Meeting, now: datetime
    ) -> list[str]:
        """Queue one pair's missing meeting emails; the templates queued."""
        missing = [
            (template, person, parts)
            for template, person, parts in self._due(match, meeting, now)
            if not self.mail.queued(
                template,
                Recipient.PARTICIPANT,
                {
                    "program": program.slug,
                    "match": match_ref(match.match_id),
                    "person": person,
                    **parts,
                },
            )
        ]
        if not missing:
            return []  # the usual case: one read of the outbox per email, nothing more
        people = {
            pid: self.participants.get_in(program.slug, pid)
            for pid in (match.mentor_id, match.mentee_id)
        }
        queued = []
        for template, pid, parts in missing:
            person = people[pid]
            other = people[match.mentee_id if pid == match.mentor_id else match.mentor_id]
            if person is None or other is None:
                continue
            if template == "meeting_proposed":
                proposal = meeting.proposal(parts["proposal"])
                assert proposal is not None
                why = self._proposed(program, match, other, person, meeting, proposal)
            else:
                why = self._calendar_email(template, program, match, person, other, meeting)
            if why is None:
                queued.append(template)
        return queued

    # -- the day after -------------------------------------------------------------------------

    def follow_ups(
        self,
        program_slug: str,
        *,
        now: datetime | None = None,
        awake: Callable[[str], bool] | None = None,
        matches: Iterable[Match] | None = None,
    ) -> int:
        """Ask both people for the check-in the day after their meeting; how many were queued.

        The reminder run calls it with its `now`, the program's active `matches` it read, and
        `awake` (whether it is a person's morning where they live): each person is asked in
        their own morning, once, within a week of the meeting.
        """
        program = self.programs.get(program_slug)
        if program is None:
            return 0
        now = now or self.clock()
        queued = 0
        for match in self.matches.active(program_slug) if matches is None else matches:
            meeting = match.meeting
            end = meeting.end if meeting else None
            if (
                meeting is None
                or end is None
                or not end + FOLLOW_UP_AFTER <= now < end + FOLLOW_UP_UNTIL
            ):
                continue
            try:
                queued += self._follow_up_pair(program, match, meeting, awake)
            except Exception:
                # One pair's problem must not hold back the other pairs, nor the rest of the
                # reminder run that calls this (the organizers' digest comes after it).
                log_failure(log, "the meeting follow-up of a pair of %s failed", program_slug)
        return queued

    def _follow_up_pair(
        self,
        program: Program,
        match: Match,
        meeting: Meeting,
        awake: Callable[[str], bool] | None,
    ) -> int:
        """Ask each of one pair for the check-in, in their morning; how many were queued."""
        queued = 0
        pair = (
            self.participants.get_in(program.slug, match.mentor_id),
            self.participants.get_in(program.slug, match.mentee_id),
        )
        for person, other in ((pair[0], pair[1]), (pair[1], pair[0])):
            if person is None or other is None or person.status is not Status.CONFIRMED:
                continue
            if awake is not None and not awake(person.timezone):
                continue
            queued += self._follow_up(program, match, person, other, meeting)
        return queued

    def _follow_up(
        self,
        program: Program,
        match: Match,
        person: Participant,
        other: Participant,
        meeting: Meeting,
    ) -> bool:
        """Queue the day-after email to one of the pair, once per meeting."""

        def context() -> dict[str, Any]:
            # Made only when the email is new: the check-in link issues a token.
            return {
                **self._context(program, match, person, other, meeting),
                "checkin_url": self.checkin_url(program.slug, match.match_id, person.email),
            }

        return self.mail.queue_once(
            "meeting_follow_up",
            Recipient.PARTICIPANT,
            to=person.mailbox,
            key=self._key(program, match, person, uid=meeting.uid or ""),
            context=context,
            program=program.slug,
            language=person.language,
        )
