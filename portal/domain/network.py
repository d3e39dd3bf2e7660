"""The connections a program made: who was linked to whom, as groups of people.

Pure: the program's participants and matches come in, with the moment time-zone offsets are
read at; the groups and the links between them come out. Three ways of grouping people, from
their sign-up answers: department, time zone (the UTC offset at `now`), and language. A pair is
two people a round matched (active, ended or completed: drafts and suggestions never met); the
same two people matched twice are one pair. A pair whose person is no longer held (erased, or
deleted after the retention period) is counted apart and in no group: nothing of them is read.
No rating is read either, so no figure here can reveal how one person rated their match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.domain.matches import Match, MatchState
from portal.domain.participants import Participant

MATCHED = frozenset({MatchState.ACTIVE, MatchState.ENDED, MatchState.COMPLETED})
FAR_APART_HOURS = 3  # a pair this many hours apart or more meets across time zones
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Group:
    """People who gave the same answer, and how the pairs they are in reach out of it."""

    name: str
    people: int  # matched people in the group
    within: int  # pairs with both people in the group
    outside: int  # pairs with one person in the group and the other not

    @property
    def isolated(self) -> bool:
        """Nobody in the group was matched with someone outside it."""
        return self.outside == 0


@dataclass(frozen=True)
class Dimension:
    """One way of grouping the matched people: the groups, and the pairs between them."""

    groups: tuple[Group, ...]
    # Pairs with one person in the first group and the other in the second, both orders;
    # (g, g) counts the pairs with both people in g.
    links: dict[tuple[str, str], int]
    pairs: int  # pairs whose two people both gave an answer
    apart: int  # of those, pairs whose two people have no group in common
    unknown: int  # pairs in which one person or both gave no answer

    @property
    def known(self) -> bool:
        """Whether anyone matched gave an answer at all."""
        return bool(self.groups)

    @property
    def bridged(self) -> tuple[Group, ...]:
        """The groups with someone matched outside them."""
        return tuple(group for group in self.groups if not group.isolated)

    @property
    def isolated(self) -> tuple[Group, ...]:
        """The groups with nobody matched outside them."""
        return tuple(group for group in self.groups if group.isolated)

    def linked(self, name: str) -> tuple[tuple[str, int], ...]:
        """The other groups `name` is linked to, with how many pairs, most first."""
        found = [(b, n) for (a, b), n in self.links.items() if a == name and b != name]
        order = {group.name: index for index, group in enumerate(self.groups)}
        return tuple(sorted(found, key=lambda item: (-item[1], order[item[0]])))


@dataclass(frozen=True)
class Network:
    """The program's pairs, grouped by department, time zone and language."""

    pairs: int  # distinct pairs of people ever matched, both people still held
    gone: int  # pairs left out: a person's details are no longer held
    departments: Dimension
    time_zones: Dimension
    far_apart: int  # pairs FAR_APART_HOURS or more apart (at `now`)
    languages: Dimension


def offset_label(minutes: int) -> str:
    """A UTC offset as people write it: UTC, UTC+1, UTC-5, UTC+5:30."""
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def gap_minutes(a: int, b: int) -> int:
    """How far apart two UTC offsets are, around the clock (UTC-11 and UTC+12 are 1 hour)."""
    difference = abs(a - b) % DAY_MINUTES
    return min(difference, DAY_MINUTES - difference)


Pair = tuple[Participant, Participant]


def matched_pairs(
    people: Iterable[Participant], matches: Iterable[Match]
) -> tuple[list[Pair], int]:
    """The distinct pairs of people the program's rounds matched, and how many pairs were left
    out because a person in them is no longer held."""
    held = list(people)
    by_id = {p.participant_id: p for p in held if p.participant_id}
    by_email = {p.email: p for p in held}

    def find(participant_id: str, email: str) -> Participant | None:
        return by_id.get(participant_id) if participant_id else by_email.get(email)

    found: dict[frozenset[str], Pair] = {}
    gone: set[frozenset[str]] = set()
    for match in matches:
        if match.status not in MATCHED:
            continue
        key = frozenset((match.mentor_id or match.mentor, match.mentee_id or match.mentee))
        a, b = find(match.mentor_id, match.mentor), find(match.mentee_id, match.mentee)
        if a is None or b is None:
            gone.add(key)
        else:
            found.setdefault(key, (a, b))
    return list(found.values()), len(gone - found.keys())


def dimension(
    pairs: list[Pair],
    answers: Callable[[Participant], tuple[str, ...]],
    sort_key: Callable[[str], Any] | None = None,
) -> Dimension:
    """Group the pairs' people by their answers (a person may be in several groups, as for
    languages); answers are compared with spaces and case folded, shown as first given."""
    # Here, not at the top: the scoring package loads NumPy, which the pages that import
    # this module (through the participation service) need only when a chart is drawn.
    from portal.domain.scoring.encoding import norm

    names: dict[str, str] = {}  # compared form -> the first spelling seen
    members: dict[str, set[str]] = {}
    within: dict[str, int] = {}
    outside: dict[str, int] = {}
    links: dict[tuple[str, str], int] = {}
    known = apart = unknown = 0

    def groups_of(person: Participant) -> set[str]:
        found = set()
        for answer in answers(person):
            if answer.strip():
                names.setdefault(norm(answer), " ".join(answer.split()))
                found.add(norm(answer))
        return found

    for a, b in pairs:
        groups_a, groups_b = groups_of(a), groups_of(b)
        if not groups_a or not groups_b:
            unknown += 1
            continue
        known += 1
        if not groups_a & groups_b:
            apart += 1
        for person, theirs in ((a, groups_a), (b, groups_b)):
            for group in theirs:
                members.setdefault(group, set()).add(person.participant_id or person.email)
        for group in groups_a | groups_b:
            if group in groups_a and group in groups_b:
                within[group] = within.get(group, 0) + 1
            else:
                outside[group] = outside.get(group, 0) + 1
        seen: set[tuple[str, str]] = set()
        for x in groups_a:
            for y in groups_b:
                for link in ((x, y), (y, x)):
                    if link not in seen:  # each pair counts once in each cell
                        seen.add(link)
                        links[link] = links.get(link, 0) + 1
    order = sort_key or (lambda group: group)
    groups = tuple(
        Group(names[g], len(members[g]), within.get(g, 0), outside.get(g, 0))
        for g in sorted(members, key=order)
    )
    shown = {(names[x], names[y]): n for (x, y), n in links.items()}
    return Dimension(groups, shown, known, apart, unknown)


def network(people: Iterable[Participant], matches: Iterable[Match], now: datetime) -> Network:
    """The program's connections across departments, time zones and languages."""
    # Here, not at the top: see dimension().
    from portal.domain.scoring.encoding import norm, utc_offset_minutes

    pairs, gone = matched_pairs(people, matches)
    offsets: dict[str, int] = {}

    def zone(person: Participant) -> tuple[str, ...]:
        if not person.timezone.strip():
            return ()
        minutes = utc_offset_minutes(person.timezone, now)
        label = offset_label(minutes)
        offsets[norm(label)] = minutes
        return (label,)

    def department(person: Participant) -> tuple[str, ...]:
        return (person.department,)

    def languages(person: Participant) -> tuple[str, ...]:
        return person.languages

    time_zones = dimension(pairs, zone, sort_key=lambda group: offsets[group])
    far = FAR_APART_HOURS * 60
    far_apart = sum(
        1
        for a, b in pairs
        if a.timezone.strip()
        and b.timezone.strip()
        and gap_minutes(utc_offset_minutes(a.timezone, now), utc_offset_minutes(b.timezone, now))
        >= far
    )
    return Network(
        pairs=len(pairs),
        gone=gone,
        departments=dimension(pairs, department),
        time_zones=time_zones,
        far_apart=far_apart,
        languages=dimension(pairs, languages),
    )
