"""Groups in group programs: who is in a person's group, and the group's check-ins.

What a group is, and its id, is the domain's (portal.domain.groups). A group check-in is a
check-in (portal.domain.checkins) kept under the group's id rather than a match's, keyed
`<time>#<author's participant id>` as a pair's are: every member sees it on the group's page,
from the day they joined. It holds whether the group met, when, for how long and what about;
it has no private note (the check-in of a member's own match has one, for the organizers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.domain.checkins import Checkin, Kind, checkin_id_for
from portal.domain.clock import Clock
from portal.domain.groups import Group, groups_of, is_group_program
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.i18n import gettext
from portal.persistence.checkins import CheckinRepository
from portal.persistence.matches import MatchRepository
from portal.persistence.participants import ParticipantRepository


class GroupError(Exception):
    """A group check-in cannot be recorded; the message says why."""


@dataclass(frozen=True)
class GroupCheckinAnswers:
    """What the group check-in form collected, already validated by the form."""

    met: bool
    day: date | None = None
    minutes: int | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupView:
    """A group as one of its members sees it."""

    group: Group
    viewer: str  # the member's email
    members: tuple[Participant, ...]  # the mentor first; a member whose sign-up is gone is left out
    checkins: tuple[Checkin, ...]  # newest first, those logged since the viewer joined
    authors: dict[str, str]  # a check-in author's email -> their name (or "a former participant")


FORMER = "a former participant"


class GroupService:
    def __init__(
        self,
        *,
        participants: ParticipantRepository,
        matches: MatchRepository,
        checkins: CheckinRepository,
        clock: Clock,
    ) -> None:
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.clock = clock

    # -- reading --------------------------------------------------------------------------

    def group_of(self, program: Program, email: str) -> Group | None:
        """The group this person is in now, or None (not a group program, or no active match)."""
        if not is_group_program(program):
            return None
        mine = [m for m in self.matches.for_person(program.slug, email) if m.holds_places]
        if not mine:
            return None
        mentor = mine[0]
        # A mentee's group is their mentor's: the mentor's active matches, read by the mentor.
        theirs = self.matches.for_person_id(program.slug, mentor.mentor_id)
        found = groups_of(m for m in theirs if m.mentor_id == mentor.mentor_id)
        return found[0] if found and found[0].has(email) else None

    def view(self, program: Program, email: str) -> GroupView | None:
        """The person's group as their group page shows it; None if they are in no group."""
        group = self.group_of(program, email)
        if group is None:
            return None
        members = tuple(
            person
            for person in (self.participants.get(program.slug, e) for e in group.members)
            if person is not None
        )
        since = group.joined(email)
        checkins = sorted(
            (c for c in self.checkins_of(group) if c.created_at >= since),
            key=lambda c: (c.created_at, c.checkin_id),
            reverse=True,
        )
        names = {person.email: person.name for person in members}
        authors = {}
        for checkin in checkins:
            if checkin.author not in names:
                # Someone who has left the group since: their name while their sign-up lasts.
                person = self.participants.get(program.slug, checkin.author)
                names[checkin.author] = person.name if person is not None else FORMER
            authors[checkin.author] = names[checkin.author]
        return GroupView(group, email, members, tuple(checkins), authors)

    def checkins_of(self, group: Group) -> list[Checkin]:
        """Every check-in logged for the group, oldest first."""
        found = [c for key in group.checkin_keys for c in self.checkins.for_match(key)]
        return sorted(found, key=lambda c: (c.created_at, c.checkin_id))

    # -- writing --------------------------------------------------------------------------

    def name(self, program: Program, group: Group) -> None:
        """Give each of the group's matches the group's id (a match has one id for good)."""
        now = self.clock()
        for match in group.matches:
            if not match.group_id:
                self.matches.join_group(program.slug, match.match_id, group.group_id, now)

    def log(self, program: Program, email: str, answers: GroupCheckinAnswers) -> Checkin:
        """Store a group check-in by one of its members; GroupError if they are in no group."""
        group = self.group_of(program, email)
        if group is None:
            raise GroupError(gettext("You are not in a group in this program now."))
        if answers.met and answers.day is None:
            raise GroupError(gettext("Please give the date the group met."))
        unknown = set(answers.topics) - set(program.topics)
        if unknown:
            raise GroupError(
                gettext("A topic on the form is not one of the program's: reload the page.")
            )
        # The id goes on the matches first: the check-in is found by it later, whoever reads.
        self.name(program, group)
        now = self.clock()
        author_id = group.member_ids[group.members.index(email)]
        checkin = Checkin(
            program=program.slug,
            match_id=group.group_id,
            checkin_id=checkin_id_for(now, author_id),
            author=email,
            kind=Kind.CHECKIN,
            created_at=now,
            met=answers.met,
            day=answers.day if answers.met else None,
            minutes=answers.minutes if answers.met else None,
            topics=answers.topics,
        )
        self.checkins.add(checkin)
        return checkin
