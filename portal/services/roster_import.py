"""Importing a roster from an HR system into a program: dry run, apply, invitations, sync.

The organizer uploads a file (or runs `portal import`); the file is read and its columns
recognised (portal.domain.roster), compared with the program's people and the last import
(portal.domain.roster_plan), and the diff is shown. Nothing is stored until the organizer
applies it.

Applying is all-or-nothing for the file. Every entry of the new import is written under the
import's own id, where nothing reads it, and then one conditional write of the program's head
item makes the new import the live one. What the import does to people (invitations, sign-ups
updated, people paused with their matches ended kindly) is written as to-dos on the new
entries in the same writes, and done after the flip, each step idempotent: an invitation is
queued under an outbox key, an update and a pause are conditional. A crash between the two
leaves the to-dos, and the next `finish` (or the daily reminders run) does them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.domain.roster import RosterRow, RowProblem
from portal.domain.roster_files import Table
from portal.domain.roster_plan import RosterPlan

# A console upload: API Gateway passes it base64-encoded, which must fit Lambda's 6 MB request.
CONSOLE_MAX_BYTES = 4 * 1024 * 1024


class ImportRefused(Exception):
    """An import that cannot be applied; the message says why, for the organizer."""


class ImportChanged(ImportRefused):
    """The program changed since the dry run (people signed up, another import was applied):
    nothing was stored; `dry_run` is the diff as things stand now."""

    def __init__(self, message: str, dry_run: DryRun) -> None:
        super().__init__(message)
        self.dry_run = dry_run


@dataclass(frozen=True)
class DryRun:
    """A file compared with a program: what applying it would do, and what stops it."""

    program: str
    filename: str
    full: bool  # the file is the whole roster: people missing from it are gone
    headers: tuple[str, ...]
    mapping: dict[int, str]  # column position (0-based) -> portal.domain.roster.FIELDS
    mapping_source: str  # "saved" (the program's saved mapping), "guessed" or "chosen"
    mapping_notes: tuple[str, ...]  # columns left out of the guess, and why
    mapping_problems: tuple[str, ...]  # why the mapping cannot be used (then no plan)
    problems: tuple[RowProblem, ...]  # every bad cell, by row and column
    rows: int  # people rows in the file
    plan: RosterPlan | None  # None when the mapping cannot be used
    fingerprint: str  # changes whenever the plan would: the apply form carries it
    table: Table = field(repr=False, compare=False)
    roster: tuple[RosterRow, ...] = field(default=(), repr=False, compare=False)

    @property
    def can_apply(self) -> bool:
        """True when the file can be applied: a usable mapping, no bad row, something to do."""
        return (
            not self.mapping_problems
            and not self.problems
            and self.plan is not None
            and not self.plan.is_empty
        )


@dataclass(frozen=True)
class Staged:
    """A file uploaded in the console and kept (one day at most) for its dry run and apply."""

    upload_id: str
    program: str
    filename: str
    full: bool
    mapping: dict[int, str] | None  # the organizer's choice; None: the saved or guessed one
    by: str
    staged_at: datetime
    table: Table = field(repr=False, compare=False)


@dataclass(frozen=True)
class Applied:
    """What applying did: the plan's figures, and what is done or left to the background."""

    import_id: str
    numbers: dict[str, int]  # RosterPlan.numbers()
    summary: str  # RosterPlan.counts()
    invited: int  # invitations queued now
    paused: int  # sign-ups paused now
    updated: int  # sign-ups whose department, manager, time zone or seniority changed now
    ended_matches: int
    pending: int  # to-dos left for the background (0 when everything was done now)


@dataclass(frozen=True)
class Finished:
    """One run through an import's to-dos."""

    invited: int = 0
    paused: int = 0
    updated: int = 0
    ended_matches: int = 0
    remaining: int = 0


@dataclass(frozen=True)
class LastImport:
    """The program's live import, as the console shows it."""

    import_id: str
    imported_at: datetime
    imported_by: str
    filename: str
    full: bool
    summary: str
    entries: int  # people the import keeps (active or not)
    pending: int  # to-dos not done yet


@dataclass(frozen=True)
class Invitee:
    """A roster person opening their invitation: what the sign-up form is pre-filled with."""

    program: str
    email: str  # comparison form
    address: str  # as the roster wrote it
    name: str
    department: str
    reports_to: str  # the manager's address (comparison form), or ""
    timezone: str  # an IANA zone, or ""
    seniority: str  # a portal seniority key, or ""
