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

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from portal.domain.clock import Clock
from portal.domain.participants import Status
from portal.domain.program import Program
from portal.domain.roster import (
    RosterRow,
    RowProblem,
    check_mapping,
    parse_roster,
)
from portal.domain.roster_files import RosterFileError, Table, read_table
from portal.domain.roster_plan import (
    NOT_IN_ROSTER,
    RosterEntry,
    RosterPlan,
    plan_import,
)
from portal.persistence.participants import ParticipantRepository
from portal.persistence.roster_imports import Head, RosterStore, StoredEntry
from portal.presenters.roster import counts_words as counts_words  # the CLI says figures with it
from portal.presenters.roster import stored_numbers
from portal.services import roster_refusals as words
from portal.services.audit import AuditLog
from portal.services.mail import MailService
from portal.services.participation import ParticipationService
from portal.services.roster_entries import GONE_KEPT, default_mapping, fingerprint, snapshot
from portal.services.roster_invitations import FollowUp, RosterInvitations
from portal.services.roster_invitations import Invitee as Invitee  # where pages look for it

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
    live: str | None = None  # the live import compared with: the one an apply replaces
    previous: Mapping[str, StoredEntry] = field(default_factory=dict, repr=False, compare=False)

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
    numbers: dict[str, int]  # RosterPlan.numbers() (portal.presenters.roster words them)
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
    remaining: int = 0  # not reached in this run's time: the next run (or invocation) does them
    waiting: int = 0  # kept on purpose: sign-up closed, a sign-up not confirmed yet, a failure


@dataclass(frozen=True)
class LastImport:
    """The program's live import, as the console shows it."""

    import_id: str
    imported_at: datetime
    imported_by: str
    filename: str
    full: bool
    summary: str  # its figures as stored (portal.presenters.roster.summary_words says them)
    entries: int  # people the import keeps (active or not)
    pending: int  # to-dos not done yet


log = logging.getLogger(__name__)

# A finishing run looks every this many to-dos whether another import replaced its own.
HEAD_CHECK_EVERY = 200


class RosterImports:
    """Dry runs, applies and the invitations of roster imports (see the module's words)."""

    def __init__(
        self,
        *,
        store: RosterStore,
        programs: Callable[[str], Program | None],
        participants: ParticipantRepository,
        participation: ParticipationService,
        mail: MailService,
        audit: AuditLog,
        clock: Clock,
        secret_key: str,
        base_url: str,
        finisher: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.program_of = programs
        self.participants = participants
        self.participation = participation
        self.mail = mail
        self.audit = audit
        self.clock = clock
        self.invitations = RosterInvitations(
            store=store,
            programs=programs,
            participants=participants,
            mail=mail,
            clock=clock,
            secret_key=secret_key,
            base_url=base_url,
        )
        # On Lambda, the to-dos of an apply are done by another invocation (the request only
        # stores the import); elsewhere at once.
        self.finisher = finisher

    # -- reading a file ----------------------------------------------------------------------

    def read(self, data: bytes, filename: str) -> Table:
        """The file's table; RosterFileError says what is wrong with the file."""
        return read_table(data, filename)

    def stage(self, program: Program, data: bytes, filename: str, *, full: bool, by: str) -> Staged:
        """Keep an uploaded file a day for its dry run and apply; the file is read first, so a
        bad one is refused (RosterFileError) and nothing is kept."""
        if len(data) > CONSOLE_MAX_BYTES:
            raise ImportRefused(words.too_big(len(data), CONSOLE_MAX_BYTES))
        table = read_table(data, filename)
        now = self.clock()
        upload_id = uuid.uuid4().hex
        staged = Staged(upload_id, program.slug, filename, full, None, by, now, table)
        self.store.stage(program.slug, upload_id, data, _details(staged), now)
        return staged

    def staged(self, program_slug: str, upload_id: str) -> Staged | None:
        """A staged upload of this program; None if unknown, expired or another program's."""
        if not upload_id.isalnum() or len(upload_id) != 32:
            return None
        upload = self.store.upload(program_slug, upload_id, self.clock())
        if upload is None:
            return None
        details = upload.details
        filename = str(details.get("filename", ""))
        try:
            table = read_table(upload.data, filename)
        except RosterFileError:
            return None  # read when staged: cannot happen unless the item was damaged
        mapping = details.get("mapping")
        return Staged(
            upload_id=upload_id,
            program=program_slug,
            filename=filename,
            full=bool(details.get("full", True)),
            mapping={int(i): f for i, f in mapping.items()} if mapping is not None else None,
            by=str(details.get("by", "")),
            staged_at=datetime.fromisoformat(str(details["staged_at"])),
            table=table,
        )

    def choose_mapping(self, program_slug: str, upload_id: str, mapping: dict[int, str]) -> Staged:
        """Keep the organizer's mapping with the upload; ImportRefused if the upload is gone."""
        staged = self.staged(program_slug, upload_id)
        if staged is None:
            raise ImportRefused(words.upload_gone())
        chosen = replace(staged, mapping=dict(mapping))
        if not self.store.update_upload(program_slug, upload_id, _details(chosen)):
            raise ImportRefused(words.upload_gone())
        return chosen

    def discard(self, program_slug: str, upload_id: str) -> None:
        """Forget a staged upload."""
        self.store.discard(program_slug, upload_id)

    def default_mapping(self, program_slug: str, headers: Sequence[str]) -> dict[int, str]:
        """The mapping a dry run uses when none is chosen: the program's saved one where it
        fits these headers, else the columns recognised by name."""
        return default_mapping(self.store.head(program_slug), headers)[0]

    def saved_mapping(self, program_slug: str) -> dict[str, str]:
        """The column mapping saved for the program's next file: header text -> field."""
        head = self.store.head(program_slug)
        return dict(head.mapping) if head else {}

    # -- the dry run ---------------------------------------------------------------------------

    def check(
        self,
        program: Program,
        table: Table,
        *,
        filename: str,
        full: bool = True,
        mapping: Mapping[int, str] | None = None,
    ) -> DryRun:
        """Compare the file with the program and its last import; store nothing."""
        head = self.store.head(program.slug)
        headers = table.headers
        notes: tuple[str, ...]
        if mapping is not None:
            used, source, notes = dict(mapping), "chosen", ()
        else:
            used, source, notes = default_mapping(head, headers)
        live = head.import_id if head else None
        base = DryRun(
            program=program.slug,
            filename=filename,
            full=full,
            headers=headers,
            mapping=used,
            mapping_source=source,
            mapping_notes=notes,
            mapping_problems=tuple(check_mapping(headers, used)),
            problems=(),
            rows=len(table.rows),
            plan=None,
            fingerprint=fingerprint(live, full, used, None),
            table=table,
            live=live,
        )
        if base.mapping_problems:
            return base
        rows, bad = parse_roster(table, used)
        previous = self._previous(program.slug, live)
        people = list(self.participants.for_program(program.slug))
        # With bad rows the file is not applied; nobody is shown as gone for a row that
        # could not be read.
        plan = plan_import(
            rows, people, {e: s.entry for e, s in previous.items()}, full=full and not bad
        )
        return replace(
            base,
            problems=tuple(bad),
            plan=plan,
            fingerprint=fingerprint(live, full, used, plan),
            roster=tuple(rows),
            previous=previous,
        )

    def _previous(self, slug: str, live: str | None) -> dict[str, StoredEntry]:
        if live is None:
            return {}
        return {stored.entry.email: stored for stored in self.store.entries(slug, live)}

    # -- applying ------------------------------------------------------------------------------

    def apply(
        self,
        program: Program,
        dry: DryRun,
        *,
        by: str,
        save_mapping: bool = False,
        expected: str | None = None,
    ) -> Applied:
        """Store the import whole or not at all, then invite, update and pause as it says."""
        fresh = self.check(
            program, dry.table, filename=dry.filename, full=dry.full, mapping=dry.mapping
        )
        wanted = expected if expected is not None else dry.fingerprint
        if fresh.fingerprint != wanted:
            raise ImportChanged(words.changed_since(), fresh)
        plan = fresh.plan
        if not fresh.can_apply or plan is None:
            raise ImportRefused(words.why_not(fresh))
        if program.archived:
            raise ImportRefused(words.archived(program.title))
        if plan.new and not program.signup_open:
            raise ImportRefused(words.signup_closed(program.title, len(plan.new)))
        now = self.clock()
        # The import the dry run compared with: the flip below is made only if it is still
        # the live one, so the plan is never put over an import it was not made against.
        live, previous = fresh.live, fresh.previous
        head = self.store.head(program.slug)
        if head is not None and head.previous_import and head.import_id == live:
            # The import the live one replaced, not deleted yet (its to-dos were not all
            # done): the head is about to forget it, so it goes now. Nothing reads it.
            self.store.delete_import(program.slug, head.previous_import)
        entries = snapshot(previous, plan, now, by)
        import_id = now.strftime("%Y%m%dT%H%M%S") + uuid.uuid4().hex[:8]
        pending = sum(1 for stored in entries if stored.todo)
        mapping = {fresh.headers[i]: f for i, f in fresh.mapping.items()} if save_mapping else None
        try:
            self.store.write_entries(program.slug, import_id, entries)
            made_live = self.store.make_live(
                program.slug,
                import_id=import_id,
                expected=live,
                imported_at=now,
                imported_by=by,
                filename=fresh.filename,
                full=fresh.full,
                summary=stored_numbers(plan.numbers()),  # worded when shown
                entries=len(entries),
                pending=pending,
                mapping=mapping,
            )
        except Exception:
            # Half-written, never named: nothing reads it, and it goes now.
            self.store.delete_import(program.slug, import_id)
            raise
        if not made_live:
            self.store.delete_import(program.slug, import_id)
            raise ImportChanged(
                words.another_import(),
                self.check(
                    program, dry.table, filename=dry.filename, full=dry.full, mapping=dry.mapping
                ),
            )
        self.audit.record(program.slug, by, "import_roster", detail=stored_numbers(plan.numbers()))
        if self.finisher is not None:
            self.finisher(program.slug)
            done = Finished(remaining=pending)
        else:
            done = self.finish(program.slug)
        return Applied(
            import_id=import_id,
            numbers=plan.numbers(),
            invited=done.invited,
            paused=done.paused,
            updated=done.updated,
            ended_matches=done.ended_matches,
            pending=done.remaining + done.waiting,
        )

    def last(self, program_slug: str) -> LastImport | None:
        """The program's live import, or None before the first."""
        head = self.store.head(program_slug)
        if head is None or head.import_id is None or head.imported_at is None:
            return None
        return LastImport(
            import_id=head.import_id,
            imported_at=head.imported_at,
            imported_by=head.imported_by,
            filename=head.filename,
            full=head.full,
            summary=head.summary,
            entries=head.entries,
            pending=head.pending,
        )

    # -- the to-dos ------------------------------------------------------------------------------

    def finish(self, program_slug: str, *, seconds: float | None = None) -> Finished:
        """Do the live import's to-dos (each idempotent), then delete the import it replaced.

        Given `seconds`, stop starting new to-dos once they have passed (a Lambda's time is
        bounded): `remaining` counts those left for the next run. A to-do that fails is
        logged and left for the next run; the others go on. An invitation waits while
        sign-up is closed, and a pause while the sign-up is not confirmed yet.
        """
        head = self.store.head(program_slug)
        if head is None or head.import_id is None:
            return Finished()
        program = self.program_of(program_slug)
        started = time.monotonic()
        todos = list(self.store.with_todo(program_slug, head.import_id))
        invited = paused = updated = ended = handled = 0
        left = 0  # to-dos kept for a later run: waiting, or failed
        for number, stored in enumerate(todos):
            if number and number % HEAD_CHECK_EVERY == 0 and self._replaced(head, program_slug):
                break  # the new import carried the rest: its runs do them
            todo = stored.todo or {}
            entry = stored.entry
            try:
                outcome = self._do(program_slug, program, entry, todo)
            except Exception:
                log.exception("roster to-do for %s in %s failed", entry.email, program_slug)
                outcome = None
            handled += 1
            if outcome is None:
                left += 1
            else:
                invited += outcome.invited
                updated += outcome.updated
                paused += outcome.paused
                ended += outcome.ended_matches
                self.store.done(program_slug, head.import_id, entry.email)
            if seconds is not None and time.monotonic() - started > seconds:
                break  # at least one handled a run: every run makes progress
        remaining = len(todos) - handled
        if head.previous_import and not remaining:
            self.store.delete_import(program_slug, head.previous_import)
            self.store.forget_previous(program_slug, head.previous_import)
        return Finished(invited, paused, updated, ended, remaining=remaining, waiting=left)

    def _replaced(self, head: Head, slug: str) -> bool:
        now = self.store.head(slug)
        return now is None or now.import_id != head.import_id

    def _do(
        self, slug: str, program: Program | None, entry: RosterEntry, todo: Mapping[str, Any]
    ) -> Finished | None:
        """One person's to-do; what it did, or None to keep it for a later run."""
        if todo.get("invite") and (program is None or not program.signup_open):
            return None  # sent once sign-up opens again, not dropped
        invited = todo.get("invite") and self.invitations.invite(slug, entry, 1)
        updated = todo.get("update") and self.participants.set_roster_fields(
            slug, str(todo["participant_id"]), todo["update"], self.clock()
        )
        paused, ended = 0, 0
        if todo.get("pause"):
            pause = self._pause(slug, todo)
            if pause is None:
                return None
            paused, ended = pause
        return Finished(int(bool(invited)), paused, int(bool(updated)), ended)

    def _pause(self, slug: str, todo: Mapping[str, Any]) -> tuple[int, int] | None:
        """Pause a sign-up the roster no longer has and end its matches kindly: (1 if it was
        paused now, the matches ended). None while the sign-up waits for its confirmation:
        it is paused once confirmed. A retry after a failure half-way ends what is left."""
        person = self.participants.get_in(slug, str(todo["pause"]))
        if person is None or person.status is Status.LEFT:
            return 0, 0
        if person.status is Status.PENDING:
            return None
        paused_now = person.status is Status.CONFIRMED and self.participants.set_status(
            slug, person.email, Status.PAUSED, self.clock(), seen=Status.CONFIRMED
        )
        ended = len(self.participation.end_all(slug, person.email, Status.PAUSED.value))
        if not (paused_now or ended):
            return 0, 0
        detail = f"by the roster import: {todo.get('reason', NOT_IN_ROSTER)}"
        if ended:
            detail += f"; {ended} active match{'' if ended == 1 else 'es'} ended"
        self.audit.record(
            slug,
            str(todo.get("by", "")),
            "pause",
            subject_kind="participant",
            subject=person.participant_id,
            detail=detail,
        )
        return int(paused_now), ended

    # -- invitations (portal/services/roster_invitations.py) ---------------------------------

    def invite_url(self, program_slug: str, email: str) -> str:
        """The invitation's link: a signed token naming the program and the address's digest."""
        return self.invitations.url(program_slug, email)

    def invitee(self, program: Program, token: str) -> Invitee | None:
        """Who an invitation link is for; None if the link is bad, for another program, or
        the person is no longer active in the roster."""
        return self.invitations.invitee(program, token)

    def follow_up(self, program_slug: str) -> FollowUp | None:
        """The live import's invitations: sent, signed up, and who has not yet; None before
        the first import."""
        head = self.store.head(program_slug)
        if head is None or head.import_id is None:
            return None
        return self.invitations.follow_up(
            program_slug, self.store.entries(program_slug, head.import_id)
        )

    def remind(self, program: Program) -> int:
        """The hourly pass over the live import: queue the invitation reminders due, and
        forget people gone from the roster for GONE_KEPT. The number of reminders queued."""
        head = self.store.head(program.slug)
        if head is None or head.import_id is None:
            return 0
        entries = list(self.store.entries(program.slug, head.import_id))
        cutoff = self.clock() - GONE_KEPT
        forgotten = [
            s.entry.email
            for s in entries
            if not s.entry.active and not s.todo and s.gone_at is not None and s.gone_at < cutoff
        ]
        if forgotten:
            self.store.forget(program.slug, head.import_id, forgotten)
        return self.invitations.remind(program, head.import_id, entries)


def _details(staged: Staged) -> dict[str, Any]:
    """What an upload's item keeps besides the file (`staged` reads it back)."""
    details: dict[str, Any] = {
        "filename": staged.filename,
        "full": staged.full,
        "by": staged.by,
        "staged_at": staged.staged_at.isoformat(),
    }
    if staged.mapping is not None:
        details["mapping"] = {str(i): f for i, f in staged.mapping.items()}
    return details
