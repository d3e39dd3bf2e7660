"""Recording what organizers do in the console, and reading it back (the audit page)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.audit import AuditEntry
from portal.domain.clock import Clock
from portal.i18n import gettext
from portal.persistence.audit import AuditTrail
from portal.persistence.matches import MatchRepository
from portal.persistence.participants import ParticipantRepository

PAGE = 50  # entries per page of the audit log


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first, each with whom it was about in words; and where the
    next (older) page starts, if any."""

    rows: list[tuple[AuditEntry, str]]
    older: str | None


class AuditLog:
    def __init__(
        self,
        trail: AuditTrail,
        clock: Clock,
        participants: ParticipantRepository,
        matches: MatchRepository,
    ) -> None:
        self.trail = trail
        self.clock = clock
        self.participants = participants
        self.matches = matches

    def record(
        self,
        program: str,
        organizer: str,
        action: str,
        *,
        subject_kind: str = "",
        subject: str = "",
        detail: str = "",
    ) -> AuditEntry:
        """Record that an organizer did something now; the entry stored."""
        entry = self.entry(
            program, organizer, action, subject_kind=subject_kind, subject=subject, detail=detail
        )
        self.trail.add(entry)
        return entry

    def entry(
        self,
        program: str,
        organizer: str,
        action: str,
        *,
        subject_kind: str = "",
        subject: str = "",
        detail: str = "",
    ) -> AuditEntry:
        """An entry for something done now, not stored: for a write that stores it itself,
        in one transaction with what it records."""
        return AuditEntry(
            program=program,
            at=self.clock(),
            organizer=organizer,
            action=action,
            subject_kind=subject_kind,
            subject=subject,
            detail=detail,
        )

    def page(self, program: str, before: str | None = None, size: int = PAGE) -> AuditPage:
        """One page of the program's log, newest first."""
        entries, older = self.trail.newest(program, size, before)
        names: dict[str, str] = {}
        return AuditPage([(e, self._about(program, e, names)) for e in entries], older)

    def _name(self, program: str, participant_id: str, names: dict[str, str]) -> str:
        if participant_id not in names:
            person = self.participants.get_in(program, participant_id)
            # In the reader's language: the page is read in a request.
            names[participant_id] = (
                person.name if person else gettext("someone no longer in the program")
            )
        return names[participant_id]

    def _about(self, program: str, entry: AuditEntry, names: dict[str, str]) -> str:
        """Who or what the entry was about, by name while the person is still in the program
        (the log itself holds ids only, so an erased person leaves no name in it)."""
        if entry.subject_kind == "participant":
            return self._name(program, entry.subject, names)
        if entry.subject_kind == "match":
            match = self.matches.get(program, entry.subject)
            if match is None:
                return gettext("a match no longer held")
            mentor = self._name(program, match.mentor_id, names)
            mentee = self._name(program, match.mentee_id, names)
            return gettext("the match of %(mentor)s and %(mentee)s", mentor=mentor, mentee=mentee)
        if entry.subject_kind == "round":
            return gettext("round %(round)s", round=entry.subject)
        if entry.subject_kind == "version":
            return gettext("settings version %(version)s", version=entry.subject)
        return ""

    def about(self, program: str, subject: str) -> list[AuditEntry]:
        """What organizers did to one person or match, newest first."""
        return self.trail.of_subject(program, subject)
