"""A program's participants, matches and check-ins as CSV files for its organizers.

Each file is written as it is read: a Query a page at a time (participants and matches by
program, check-ins by the `by-program` index; never a Scan), each row into a small buffer,
handed on whenever the buffer fills. A program of 10,000 people is never held in memory,
only one page of rows and, for matches and check-ins, everyone's name (to say who, not an id).

Two sets of columns: what an organizer needs by default, or every stored field but secrets
(the portal keeps no secret in these records: link tokens are in their own table, hashed),
with each of the program's own questions as one column.

Cells that a spreadsheet would read as a formula (starting = + - @, or a tab or carriage
return, as OWASP lists) get a ' in front, so that a name like "=HYPERLINK(...)" is text.
The file starts with a UTF-8 byte order mark: without it Excel reads a CSV in the
computer's legacy code page and "José" comes out as "JosÃ©"; with it Excel, LibreOffice,
Numbers and Google Sheets all read UTF-8 (and Python's csv reads it with "utf-8-sig").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.domain.checkins import Checkin, Kind, match_ref
from portal.domain.clock import Clock
from portal.domain.matches import Match
from portal.domain.nudges import local_date
from portal.domain.participants import Participant
from portal.domain.program import Format, Program
from portal.i18n import gettext
from portal.persistence.checkins import CheckinRepository
from portal.persistence.matches import MatchRepository, RoundRepository
from portal.persistence.participants import ParticipantRepository
from portal.presenters.reasons import reason_text
from portal.services.audit import AuditLog

KINDS = ("participants", "matches", "checkins")
BOM = "\ufeff"
PAGE = 500  # items per Query page: the most rows held at once
CHUNK = 16 * 1024  # characters written before they are handed on
FORMULA = ("=", "+", "-", "@", "\t", "\r")
GONE = "someone no longer in the program"
ALL = "all"
DEFAULT = "default"


class UnknownExportError(ValueError):
    """No such file to export (the address names a kind that does not exist)."""


@dataclass(frozen=True)
class Column:
    """One column: its heading, and how a row's cell is read from the item."""

    title: str
    value: Callable[[Any], object]


@dataclass(frozen=True)
class ExportKind:
    """One file on the exports page: its name, what a row is, and its two sets of columns."""

    kind: str
    row: str
    default: tuple[str, ...]
    every: tuple[str, ...]


def safe(value: object) -> str:
    """A cell as text that no spreadsheet runs as a formula."""
    text = _text(value)
    return f"'{text}" if text.startswith(FORMULA) else text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")  # UTC, as the headings say
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _agreed(match: Match) -> datetime | None:
    """When both people had accepted the agreement (the later of the two), if both have."""
    if match.mentor_agreed_at and match.mentee_agreed_at:
        return max(match.mentor_agreed_at, match.mentee_agreed_at)
    return None


def participant_columns(program: Program, every: bool) -> list[Column]:
    """The participants file's columns."""
    columns = [
        Column("Participant id", lambda p: p.participant_id),
        Column("Name", lambda p: p.name),
        Column("Email address", lambda p: p.mailbox),
        Column("Role", lambda p: p.role.value),
        Column("Status", lambda p: p.status.value),
        Column("Signed up (UTC)", lambda p: p.created_at),
        Column("Confirmed (UTC)", lambda p: p.confirmed_at),
        Column("Active matches", lambda p: p.active_matches),
        Column("Capacity", lambda p: p.capacity),
        # Every program's form asks these three (the department is optional).
        Column("Department or team", lambda p: p.department),
        Column("Time zone", lambda p: p.timezone),
        Column("Languages", lambda p: p.languages),
        Column("Waiting for a match since (UTC)", lambda p: p.waiting_since),
    ]
    if not every:
        return columns
    columns += [
        Column("Email address as compared", lambda p: p.email),
        Column("Career stage", lambda p: p.seniority),
        Column("Manager's email address", lambda p: p.reports_to),
        Column("When they can meet", lambda p: p.availability),
        Column("Topics they offer", lambda p: p.skills),
        Column("Goals", lambda p: p.goals),
        Column("A few words about them", lambda p: p.bio),
        Column("Agreed to the privacy notice (UTC)", lambda p: p.consented_at),
        Column("Privacy notice version", lambda p: p.consent_version),
        Column("Last changed (UTC)", lambda p: p.updated_at),
        Column("Unconfirmed sign-up deleted after (UTC)", lambda p: p.expires_at),
        Column("Last told why they wait", lambda p: p.waiting_told),
    ]
    taken = {c.title for c in columns}
    for question in program.questions:
        title = question.label if question.label not in taken else f"{question.label} (answer)"
        columns.append(Column(title, _answer(question.key)))
    return columns


def _answer(key: str) -> Callable[[Participant], object]:
    """A person's answer to one of the program's questions."""
    return lambda p: p.answers.get(key, "")


def match_columns(program: Program, every: bool, names: Names) -> list[Column]:
    """The matches file's columns (a peer program's pairs are first and second peer)."""
    peer = program.format is Format.PEER
    first, second = ("First peer", "Second peer") if peer else ("Mentor", "Mentee")
    columns = [
        Column("Match id", lambda m: match_ref(m.match_id)),
        Column("Round", lambda m: m.round_id),
        Column(first, lambda m: names.by_id(m.mentor_id, m.mentor)),
        Column(second, lambda m: names.by_id(m.mentee_id, m.mentee)),
        Column("Status", lambda m: m.status.value),
        Column("Created (UTC)", lambda m: m.created_at),
        Column("Both agreed (UTC)", _agreed),
        Column("Ended (UTC)", lambda m: m.ended_at),
        Column("End reason", lambda m: m.end_reason),
        Column("Score", lambda m: m.score),
    ]
    if not every:
        return columns
    return [
        *columns,
        Column("Stored match key", lambda m: m.match_id),
        Column(f"{first} participant id", lambda m: m.mentor_id),
        Column(f"{second} participant id", lambda m: m.mentee_id),
        Column(f"{first} email address", lambda m: m.mentor),
        Column(f"{second} email address", lambda m: m.mentee),
        Column(f"{first} agreed (UTC)", lambda m: m.mentor_agreed_at),
        Column(f"{second} agreed (UTC)", lambda m: m.mentee_agreed_at),
        Column("Ended by", lambda m: names.by_email(m.ended_by) if m.ended_by else ""),
        Column("Group id", lambda m: m.group_id),
        Column("Why they were matched", lambda m: [reason_text(r) for r in m.reasons]),
    ]


def checkin_columns(every: bool, names: Names) -> list[Column]:
    """The check-ins file's columns; the private note to organizers only with all columns."""
    columns = [
        Column("Match id", lambda c: match_ref(c.match_id)),
        Column("Written (UTC)", lambda c: c.created_at),
        Column("Written by", lambda c: names.by_email(c.author)),
        # A one-click rating does not ask whether they met.
        Column("Met", lambda c: "" if c.kind is Kind.RATING else c.met),
        Column("Rating (1 to 5)", lambda c: c.satisfaction),
    ]
    if not every:
        return columns
    return [
        *columns,
        Column("Note to the organizers", lambda c: c.note),
        Column("Kind", lambda c: c.kind.value),
        Column("Survey", lambda c: c.survey),
        Column("Meeting date", lambda c: c.day),
        Column("Minutes", lambda c: c.minutes),
        Column("Topics", lambda c: c.topics),
        Column("Goals progress", lambda c: [f"{k}: {v.value}" for k, v in c.goal_states.items()]),
        Column("Is the match a good fit", lambda c: c.fit.value if c.fit else ""),
        Column("Author's email address", lambda c: c.author),
        Column("Check-in id", lambda c: c.checkin_id),
        Column("Stored match key", lambda c: c.match_id),
    ]


class Names:
    """Everyone's name in a program, by participant id and by address: read once per file,
    a few bytes a person, so that a row names people rather than ids."""

    def __init__(self, people: Iterable[tuple[str, str, str]]) -> None:
        self._by_id: dict[str, str] = {}
        self._by_email: dict[str, str] = {}
        for participant_id, email, name in people:
            self._by_id[participant_id] = name
            self._by_email[email] = name

    def by_id(self, participant_id: str, email: str = "") -> str:
        return self._by_id.get(participant_id) or self._by_email.get(email) or GONE

    def by_email(self, email: str) -> str:
        return self._by_email.get(email, GONE)


class CsvExports:
    def __init__(
        self,
        *,
        participants: ParticipantRepository,
        matches: MatchRepository,
        rounds: RoundRepository,
        checkins: CheckinRepository,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self.rounds = rounds
        self.participants = participants
        self.matches = matches
        self.checkins = checkins
        self.audit = audit
        self.clock = clock
        self.page_size = PAGE
        self.chunk = CHUNK

    def kinds(self, program: Program) -> list[ExportKind]:
        """The three files, with their columns, for the exports page."""
        nobody = Names(())

        def titles(columns: list[Column]) -> tuple[str, ...]:
            return tuple(c.title for c in columns)

        return [
            ExportKind(
                "participants",
                gettext(
                    "one row per person who signed up (unconfirmed sign-ups too, until they expire)"
                ),
                titles(participant_columns(program, False)),
                titles(participant_columns(program, True)),
            ),
            ExportKind(
                "matches",
                gettext("one row per match, active or not, drafts waiting for review included"),
                titles(match_columns(program, False, nobody)),
                titles(match_columns(program, True, nobody)),
            ),
            ExportKind(
                "checkins",
                gettext("one row per check-in, one-click rating or survey answer"),
                titles(checkin_columns(False, nobody)),
                titles(checkin_columns(True, nobody)),
            ),
        ]

    def filename(self, program: Program, kind: str) -> str:
        """The download's name: the program, the file and today's date where the program is."""
        return f"{program.slug}-{kind}-{local_date(self.clock(), program.timezone).isoformat()}.csv"

    def start(self, program: Program, organizer: str, kind: str, every: bool) -> Iterator[str]:
        """Record the export in the audit log and return the file's text, to be streamed.

        Recorded when the download starts: the rows are counted only as they are written.
        """
        if kind not in KINDS:
            raise UnknownExportError(kind)
        self.audit.record(
            program.slug,
            organizer,
            "export",
            detail=f"{kind}.csv, {ALL if every else DEFAULT} columns",
        )
        return self.stream(program, kind, every)

    def stream(self, program: Program, kind: str, every: bool) -> Iterator[str]:
        """The file's text in chunks: a byte order mark and the header, then the rows."""
        columns, items = self._source(program, kind, every)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow([c.title for c in columns])
        for item in items:
            writer.writerow([safe(c.value(item)) for c in columns])
            if buffer.tell() >= self.chunk:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def _source(
        self, program: Program, kind: str, every: bool
    ) -> tuple[list[Column], Iterator[Any]]:
        slug, size = program.slug, self.page_size
        if kind == "participants":
            people: Iterator[Participant] = self.participants.for_program(slug, size)
            return participant_columns(program, every), people
        names = Names(self.participants.names(slug))
        if kind == "matches":
            # A preview's draft pairs are no matches yet (nobody was told of them).
            previews = {r.round_id for r in self.rounds.previews(slug)}
            matches: Iterator[Match] = (
                m for m in self.matches.for_program(slug, size) if m.round_id not in previews
            )
            return match_columns(program, every, names), matches
        if kind == "checkins":
            checkins: Iterator[Checkin] = self.checkins.every_for_program(slug, size)
            return checkin_columns(every, names), checkins
        raise UnknownExportError(kind)
