"""Groups: in a group program, a mentor and the mentees of their active matches are one group.

A group is not stored as an item of its own: it is the mentor's active matches in the
program. Each of those matches carries the group's id (`Match.group_id`), given when the
group is introduced, and the group's check-ins are kept under that id in the check-ins table,
as a pair's are kept under its match id. The id is "group-" and a hash of the group's first
match id, so it holds no participant id (erasure need not move it), and it stays the group's
while the mentor has an active match in it: a mentee who joins later gets the same id.

A member sees the group's check-ins logged since they joined: a mentee who joins a group that
has met for weeks does not read what was said before they came.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from portal.domain.checkins import match_ref
from portal.domain.matches import Match, MatchState
from portal.domain.program import Format, Program

GROUP_PREFIX = "group-"


def is_group_program(program: Program) -> bool:
    """Whether the program's matches make groups (a mentor with several mentees at once)."""
    return program.format is Format.GROUP


def is_group_id(text: str) -> bool:
    """Whether `text` is a group id (check-ins keyed by one belong to a group, not a pair)."""
    return text.startswith(GROUP_PREFIX)


def new_group_id(first_match_id: str) -> str:
    """The id of a group whose first match is this one: the same on every run."""
    return GROUP_PREFIX + match_ref(first_match_id)


@dataclass(frozen=True)
class Group:
    """A mentor and the mentees of their active matches in a group program."""

    program: str
    group_id: str
    mentor: str  # the mentor's email
    matches: tuple[Match, ...]  # the mentor's active matches, oldest first

    @property
    def mentees(self) -> tuple[str, ...]:
        """The mentees' emails, in the order they joined."""
        return tuple(m.mentee for m in self.matches)

    @property
    def members(self) -> tuple[str, ...]:
        """Everyone in the group: the mentor first, then the mentees in the order they joined."""
        return (self.mentor, *self.mentees)

    @property
    def member_ids(self) -> tuple[str, ...]:
        """The members' participant ids, in the order of `members`."""
        return (self.matches[0].mentor_id, *(m.mentee_id for m in self.matches))

    @property
    def started(self) -> datetime:
        """When the group's oldest active match began (its reminders count from here)."""
        return self.matches[0].created_at

    @property
    def checkin_keys(self) -> tuple[str, ...]:
        """Every id the group's check-ins may be kept under: its id, and any other id one of
        its matches carries (two choices at the same moment may have named it twice)."""
        keys = [self.group_id]
        keys += [m.group_id for m in self.matches if m.group_id and m.group_id not in keys]
        return tuple(keys)

    @property
    def membership(self) -> str:
        """A short fingerprint of who is in the group: it changes when someone joins or goes."""
        digest = hashlib.sha256("\n".join(sorted(self.member_ids)).encode())
        return digest.hexdigest()[:16]

    def has(self, email: str) -> bool:
        """Whether this person is in the group now."""
        return email in self.members

    def match_of(self, email: str) -> Match | None:
        """A mentee's match in the group (None for the mentor, who is in all of them)."""
        return next((m for m in self.matches if m.mentee == email), None)

    def joined(self, email: str) -> datetime:
        """When this member joined: a mentee's match start, the mentor's oldest match."""
        match = self.match_of(email)
        return match.created_at if match is not None else self.started


def group_id_of(matches: Iterable[Match]) -> str:
    """The id of a group made of these active matches: the id its oldest match carries, or
    else the new id its oldest match gives."""
    ordered = sorted(matches, key=lambda m: (m.created_at, m.match_id))
    for match in ordered:
        if match.group_id:
            return match.group_id
    return new_group_id(ordered[0].match_id)


def groups_of(matches: Iterable[Match]) -> list[Group]:
    """The groups the active matches make, one per mentor, oldest first."""
    by_mentor: dict[str, list[Match]] = {}
    for match in matches:
        if match.status is MatchState.ACTIVE:
            by_mentor.setdefault(match.mentor_id or match.mentor, []).append(match)
    groups = []
    for own in by_mentor.values():
        ordered = tuple(sorted(own, key=lambda m: (m.created_at, m.match_id)))
        groups.append(Group(ordered[0].program, group_id_of(ordered), ordered[0].mentor, ordered))
    return sorted(groups, key=lambda g: (g.started, g.group_id))
