"""Everything the portal holds about one person, across programs, as one JSON document.

The person downloads it from their own page (route "web"), or an organizer answering an
emailed request runs `portal export --email` (route "cli"); each export is logged, and the
log is part of the next export. Its sections are the categories of
portal.domain.personal_data, the same list the privacy notice shows. Nothing here scans a
table: sign-ups are found by the address's digest in `addresses`, matches by the people's
indexes, check-ins and goals by match, emails by the outbox's by-recipient index.

The shape (`format` "mentor-portal-export", `version` 2: version 1 had no `groups`) is
documented in README.md ("Your data"); a change to it is a new version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.catalog.programs import ProgramCatalog
from portal.domain.checkins import Checkin, Goal, Kind, match_ref
from portal.domain.clock import Clock
from portal.domain.matches import Match
from portal.domain.participants import Participant
from portal.domain.personal_data import CATEGORIES
from portal.persistence.checkins import CheckinRepository, GoalRepository
from portal.persistence.exports import ExportEntry, ExportLog
from portal.persistence.matches import MatchRepository
from portal.persistence.outbox import OutboxRepository
from portal.persistence.participants import ParticipantRepository
from portal.persistence.preferences import PreferenceRepository
from portal.persistence.roster_imports import RosterStore, StoredEntry
from portal.persistence.suppressions import SuppressionRepository

FORMAT = "mentor-portal-export"
# 2: `groups`; 3: `roster`; 4: `console_language` and a sign-up's `language`; 5: a sign-up's
# `rounds_waited`
VERSION = 5
WEB = "web"
CLI = "cli"
BY_THE_PERSON = "the person"
BY_AN_ORGANIZER = "organizer via CLI"
FORMER = "a former participant"  # a partner whose sign-up is gone


class UnknownPerson(LookupError):
    """No program holds a sign-up for the address: there is nothing to export."""


@dataclass(frozen=True)
class Export:
    """One export: the document, its JSON text and when it was made."""

    document: dict[str, Any]
    exported_at: datetime

    @property
    def text(self) -> str:
        """The document as the file holds it: UTF-8 JSON, indented, keys in a stable order."""
        return json.dumps(self.document, indent=2, ensure_ascii=False) + "\n"

    @property
    def filename(self) -> str:
        return f"mentor-portal-data-{self.exported_at.date().isoformat()}.json"


def _moment(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _roster_entry(stored: StoredEntry) -> dict[str, Any]:
    entry = stored.entry
    return {
        "address": entry.mailbox,
        "employee_id": entry.employee_id,
        "name": entry.name,
        "title": entry.title,
        "department": entry.department,
        "manager_email": entry.manager_email,
        "manager_id": entry.manager_id,
        "location": entry.location,
        "timezone": entry.timezone,
        "seniority": entry.seniority,
        "active": entry.active,
        "invited_at": _moment(entry.invited_at),
        "invitations_sent": entry.invitations_sent,
        "inactive_since": _moment(stored.gone_at),
    }


class ExportService:
    def __init__(
        self,
        *,
        participants: ParticipantRepository,
        matches: MatchRepository,
        checkins: CheckinRepository,
        goals: GoalRepository,
        outbox: OutboxRepository,
        suppressions: SuppressionRepository,
        log: ExportLog,
        programs: ProgramCatalog,
        clock: Clock,
        roster: RosterStore | None = None,
        preferences: PreferenceRepository | None = None,
    ) -> None:
        self.roster = roster or RosterStore()
        self.preferences = preferences or PreferenceRepository()
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.goals = goals
        self.outbox = outbox
        self.suppressions = suppressions
        self.log = log
        self.programs = programs
        self.clock = clock

    def export(self, email: str, *, route: str, requested_by: str) -> Export:
        """Log an export of the address's data, then gather it (the log included); UnknownPerson
        if no program has a sign-up for it and it chose no console language as an organizer
        (nothing is logged then)."""
        people = self.participants.everywhere(email)
        if not people and self.preferences.of(email) is None:
            raise UnknownPerson("No program holds a sign-up for that address.")
        now = self.clock()
        self.log.record(
            email,
            ExportEntry(
                exported_at=now,
                route=route,
                requested_by=requested_by,
                programs=tuple(person.program for person in people),
            ),
        )
        return Export(self._document(email, people, now), now)

    def _document(self, email: str, people: list[Participant], now: datetime) -> dict[str, Any]:
        preference = self.preferences.of(email)
        sections: dict[str, Any] = {
            "sign_ups": [self._sign_up(person) for person in people],
            "matches": [],
            "checkins": [],
            "groups": [],
            "ratings": [],
            "goals": [],
            "private_notes": [],
        }
        for person in people:
            mine = self.matches.for_person(person.program, person.email)
            for match in mine:
                self._add_match(sections, person, match)
            self._add_groups(sections, person, mine)
        sections["emails"] = [
            {
                "subject": mail.subject,
                "template": mail.template,
                "program": mail.program,
                "status": mail.status,
                "queued_at": _moment(mail.queued_at),
                "sent_at": _moment(mail.sent_at),
            }
            for mail in self.outbox.to_address(email)
        ]
        suppression = self.suppressions.of(email)
        sections["suppression"] = (
            {"suppressed": False}
            if suppression is None
            else {
                "suppressed": True,
                "reason": suppression.reason,
                "since": _moment(suppression.since),
            }
        )
        sections["roster"] = [
            {"program": program, **_roster_entry(stored)}
            for program, stored in self.roster.live_entries_of(email)
        ]
        sections["console_language"] = (
            None
            if preference is None
            else {"language": preference.language, "chosen_at": _moment(preference.updated_at)}
        )
        sections["exports"] = [
            {
                "exported_at": _moment(entry.exported_at),
                "route": entry.route,
                "requested_by": entry.requested_by,
                "programs": list(entry.programs),
            }
            for entry in self.log.of(email)
        ]
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": _moment(now),
            "address": people[0].mailbox if people else email,
            "categories": [
                {"name": category.name, "description": category.description}
                for category in CATEGORIES
            ],
            **{category.name: sections[category.name] for category in CATEGORIES},
        }

    def _sign_up(self, person: Participant) -> dict[str, Any]:
        program = self.programs.get(person.program)
        return {
            "program": person.program,
            "program_title": program.title if program else person.program,
            "participant_id": person.participant_id,
            "role": person.role.value,
            "status": person.status.value,
            "name": person.name,
            "address": person.mailbox,
            "timezone": person.timezone,
            "languages": list(person.languages),
            "availability": list(person.availability),
            "skills": list(person.skills),
            "goals": list(person.goals),
            "department": person.department,
            "reports_to": person.reports_to,
            "seniority": person.seniority,
            "capacity": person.capacity,
            "bio": person.bio,
            "answers": dict(person.answers),
            "language": person.language,  # of the portal's pages and emails for them
            "signed_up_at": _moment(person.created_at),
            "updated_at": _moment(person.updated_at),
            "confirmed_at": _moment(person.confirmed_at),
            "consented_at": _moment(person.consented_at),
            "consent_version": person.consent_version or None,
            # Left waiting by a round: since when, and a fingerprint of the reason last told.
            "waiting_since": _moment(person.waiting_since),
            "waiting_told": person.waiting_told or None,
            "waiting_reason": person.waiting_reason,
            # Rounds in a row that left them waiting (a program may give priority by it).
            "rounds_waited": person.rounds_waited,
        }

    def _add_match(self, sections: dict[str, Any], person: Participant, match: Match) -> None:
        """The match from the person's side: of the other person, only their name."""
        me = person.email
        ref = match_ref(match.match_id)
        partner = self.participants.get_in(match.program, match.person_id(match.other(me)))
        ended_by = {me: "you", match.other(me): "your match"}.get(
            match.ended_by, "an organizer" if match.ended_by else None
        )
        sections["matches"].append(
            {
                "program": match.program,
                "match": ref,
                "your_role": person.role.value,
                "partner_name": partner.name if partner is not None else FORMER,
                "status": match.status.value,
                "matched_at": _moment(match.created_at),
                # Why the engine matched you, as stored: codes with their details (or the
                # sentences of an earlier version), and the score.
                "score": match.score,
                "reasons": list(match.reasons),
                "you_agreed_at": _moment(match.agreed(me)),
                "ended_at": _moment(match.ended_at),
                "end_reason": match.end_reason or None,
                "ended_by": ended_by,
                "first_meeting": _meeting(match, person.participant_id),
            }
        )
        goals = self.goals.for_match(match.match_id)
        for goal in goals:
            sections["goals"].append(self._goal(match, ref, goal, me))
        # Only what the person wrote: their match's check-ins are their match's data.
        for checkin in self.checkins.for_match(match.match_id):
            if checkin.author != me:
                continue
            self._add_checkin(sections, match, ref, checkin)

    def _goal(self, match: Match, ref: str, goal: Goal, me: str) -> dict[str, Any]:
        return {
            "program": match.program,
            "match": ref,
            "goal": match_ref(goal.goal_id),  # its id holds its author's participant id
            "text": goal.text,
            "state": goal.state.value,
            "added_by": "you" if goal.added_by == me else "your match",
            "added_at": _moment(goal.created_at),
            "updated_at": _moment(goal.updated_at),
        }

    def _add_checkin(
        self, sections: dict[str, Any], match: Match, ref: str, checkin: Checkin
    ) -> None:
        written = {
            "program": match.program,
            "match": ref,
            "written_at": _moment(checkin.created_at),
        }
        if checkin.kind is Kind.RATING:
            sections["ratings"].append({**written, "rating": checkin.satisfaction})
            return
        sections["checkins"].append(
            {
                **written,
                "kind": checkin.kind.value,
                "survey": checkin.survey or None,
                "met": checkin.met,
                "date": _moment(checkin.day),
                "minutes": checkin.minutes,
                "topics": list(checkin.topics),
                "goal_progress": {
                    match_ref(goal_id): state.value
                    for goal_id, state in checkin.goal_states.items()
                },
                "satisfaction": checkin.satisfaction,
                "fit": checkin.fit.value if checkin.fit else None,
                "has_private_note": bool(checkin.note),
            }
        )
        if checkin.note:
            sections["private_notes"].append({**written, "note": checkin.note})

    def _add_groups(self, sections: dict[str, Any], person: Participant, mine: list[Match]) -> None:
        """The groups the person was in (group programs): the other members' names only, and
        the group check-ins the person logged."""
        me = person.email
        for group_id in dict.fromkeys(m.group_id for m in mine if m.group_id):
            own = [m for m in mine if m.group_id == group_id]
            mentor_id = own[0].mentor_id
            # Everyone whose match carries the group's id: the mentor's matches hold them all.
            members = [
                m for m in self.matches.for_person_id(person.program, mentor_id)
                if m.group_id == group_id and m.mentor_id == mentor_id
            ]  # fmt: skip
            others = {m.mentor_id: m.mentor for m in members} | {
                m.mentee_id: m.mentee for m in members
            }
            others.pop(person.participant_id, None)
            names = []
            for participant_id in others:
                partner = self.participants.get_in(person.program, participant_id)
                names.append(partner.name if partner is not None else FORMER)
            written = [c for c in self.checkins.for_match(group_id) if c.author == me]
            sections["groups"].append(
                {
                    "program": person.program,
                    "group": match_ref(group_id),
                    "your_role": person.role.value,
                    "joined_at": _moment(min(m.created_at for m in own)),
                    "member_names": sorted(names),
                    "checkins": [
                        {
                            "written_at": _moment(c.created_at),
                            "met": c.met,
                            "date": _moment(c.day),
                            "minutes": c.minutes,
                            "topics": list(c.topics),
                        }
                        for c in written
                    ],
                }
            )


def _meeting(match: Match, me: str) -> dict[str, Any] | None:
    """The pair's first meeting as stored: its state, time and link, and open proposals."""
    meeting = match.meeting
    if meeting is None:
        return None
    return {
        "state": meeting.state,
        "start": _moment(meeting.start),
        "length_minutes": meeting.length_minutes,
        "link": meeting.link,
        "proposals": [
            {
                "start": _moment(p.start),
                "by": "you" if p.by == me else "your match",
                "link": p.link,
            }
            for p in meeting.proposals
        ],
    }
