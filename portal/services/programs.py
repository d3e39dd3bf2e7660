"""Programs kept in the database: created from a template, edited, opened, closed, archived,
duplicated, exported to a file and loaded from one. Every change is a new version and is audited.

One validation serves files and stored programs: `Program.model_validate`, whose messages the
editor shows beside each field and `portal program check` prints for a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from portal.catalog.programs import ProgramCatalog, StoredInfo
from portal.domain.addresses import email_key
from portal.domain.audit import ACTIONS, AuditEntry
from portal.domain.clock import Clock
from portal.domain.program import Program
from portal.domain.program_templates import TEMPLATES, from_template
from portal.persistence.programs import (
    HEAD,
    MOST_PROGRAMS_AT_ONCE,
    ProgramSave,
    ProgramStore,
    StoredProgram,
)
from portal.services.audit import AuditLog
from portal.services.organizers import Organizers

# What each lifecycle action changes, the audit action it records, and the words for the change.
LIFECYCLE: dict[str, tuple[dict[str, bool], str]] = {
    "open": ({"signup_open": True}, "open_signup"),
    "close": ({"signup_open": False}, "close_signup"),
    "pause": ({"rounds_paused": True}, "pause_rounds"),
    "resume": ({"rounds_paused": False}, "resume_rounds"),
    "archive": ({"archived": True, "signup_open": False}, "archive_program"),
    "unarchive": ({"archived": False}, "unarchive_program"),
}


# Said of every change but bringing it back, to an archived program.
ARCHIVED = "The program is archived and read-only: bring it back from the archive first."


class ProgramRefused(Exception):
    """A change that cannot be made; the message says why, in the organizer's words."""


class ProgramChanged(ProgramRefused):
    """Someone saved the program since this change was begun: nothing was saved."""

    def __init__(self, slug: str, live: int) -> None:
        super().__init__(
            f"Someone else saved {slug!r} since you opened it (it is now at version {live}). "
            "Nothing was saved: open it again to see their change, then make yours."
        )
        self.live = live


class InvalidProgram(ProgramRefused):
    """The settings do not make a valid program; `errors` has the validation's problems."""

    def __init__(self, exc: ValidationError) -> None:
        super().__init__("The program's settings have problems; nothing was saved.")
        self.errors = exc.errors()


@dataclass(frozen=True)
class Change:
    """A program to store as the version after `expected`, in words, and what to audit."""

    program: Program
    expected: int
    words: str
    actions: tuple[str, ...]


# The settings in the words of the version history ("edited: title, questions").
SETTING_NAMES = {
    "cycle_weeks": "cycle length",
    "signup_open": "sign-up",
    "retention_days": "retention",
    "body": "page text",
    "timezone": "time zone",
}


@dataclass(frozen=True)
class ImportPlan:
    """What `portal program import` does (or would do) with a program file."""

    slug: str
    action: str  # "create", "update" or "unchanged"
    version: int  # the version it makes live (or is live, when unchanged)
    changed: tuple[str, ...]  # the settings that differ from the live version


def _taken(slug: str) -> str:
    return f"The web address /programs/{slug} is another program's: choose another web address."


def document_of(program: Program) -> dict[str, Any]:
    """A program as stored: every setting, in JSON types."""
    return program.model_dump(mode="json")


def program_file(program: Program) -> str:
    """A program as a file for content/programs: YAML front matter, then the page text."""
    # The page's translations are files of their own beside it (`translation_files`): the
    # loader refuses them among the settings.
    settings = program.model_dump(
        mode="json", exclude={"body", "translations"}, exclude_defaults=True
    )
    # The slug, title and format lead, in the order the example files use.
    ordered: dict[str, Any] = {
        key: settings.pop(key) for key in ("title", "slug") if key in settings
    }
    ordered.update(settings)
    front = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n\n{program.body.strip()}\n"


def translation_files(program: Program) -> dict[str, str]:
    """The program's page in other languages, each the text of a file `<slug>.<language>.md`
    beside its program file: language to text."""
    files: dict[str, str] = {}
    for language, page in sorted(program.translations.items()):
        front = yaml.safe_dump({"summary": page.summary}, allow_unicode=True, width=100)
        files[language] = f"---\n{front}---\n\n{page.body.strip()}\n"
    return files


def changed_settings(before: Program, after: Program) -> tuple[str, ...]:
    """The top-level settings whose values differ."""
    old, new = document_of(before), document_of(after)
    return tuple(key for key in new if old.get(key) != new[key])


class ProgramAdmin:
    def __init__(
        self,
        programs: ProgramCatalog,
        store: ProgramStore,
        organizers: Organizers,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self.programs = programs
        self.store = store
        self.organizers = organizers
        self.audit = audit
        self.clock = clock

    # -- reading ------------------------------------------------------------------------

    def live_version(self, slug: str) -> int:
        """The version in force, read from the table (0 for a file's program or none)."""
        stored = self.store.get(slug)
        return stored.version if stored else HEAD

    def info(self, slug: str) -> StoredInfo | None:
        """The live version as this process knows it; None for a file's program."""
        return self.programs.stored_info(slug)

    def versions(self, slug: str) -> list[StoredProgram]:
        """The program's saves, newest first."""
        return self.store.versions(slug)

    def validate(self, document: dict[str, Any]) -> Program:
        """The program the settings describe; InvalidProgram naming each problem if none."""
        try:
            return Program.model_validate(document)
        except ValidationError as exc:
            raise InvalidProgram(exc) from None

    # -- changing -----------------------------------------------------------------------

    def _check_editable(self, slug: str) -> None:
        if self.programs.is_file(slug):
            raise ProgramRefused(
                f"{slug!r} is defined by the file content/programs/{slug}.md: change the file "
                "and deploy, or duplicate it to keep it in the database instead."
            )

    def _store(
        self,
        changes: Sequence[Change],
        by: str,
        also: Sequence[AuditEntry] = (),
    ) -> dict[str, int]:
        """Store each change as its program's next version, with the audit entries that record
        them, in one transaction: the new versions by slug; nothing is stored if any is refused."""
        now = self.clock()
        saves = [
            ProgramSave(
                change.program.slug,
                document_of(change.program),
                change.expected,
                now,
                by,
                change.words,
            )
            for change in changes
        ]
        entries = [
            *(
                self.audit.entry(
                    change.program.slug,
                    by,
                    action,
                    subject_kind="version",
                    subject=str(change.expected + 1),
                )
                for change in changes
                for action in change.actions
            ),
            *also,
        ]
        saved = self.store.save_all(saves, entries)
        if saved is None:
            raise self._why_refused(changes)
        for change in changes:
            # This process sees its own change at once; the others within REFRESH_SECONDS.
            version = saved[change.program.slug]
            self.programs.remember(change.program, StoredInfo(version, now, by))
        return saved

    def _why_refused(self, changes: Sequence[Change]) -> ProgramRefused:
        """Why a transaction of changes was refused, read back from the table."""
        for change in changes:
            live = self.live_version(change.program.slug)
            if change.expected == HEAD and live != HEAD:
                return ProgramRefused(_taken(change.program.slug))
            if live != change.expected:
                return ProgramChanged(change.program.slug, live)
        return ProgramRefused(
            "Another change to this program was being saved at the same moment, so nothing was "
            "saved: try again."
        )

    def _refuse_taken(self, slug: str) -> None:
        if self.programs.is_file(slug) or self.programs.get(slug) is not None:
            raise ProgramRefused(_taken(slug))

    def _require_admin(self, by: str, what: str) -> None:
        if not self.organizers.is_admin(by):
            raise ProgramRefused(f"Only site admins can {what}.")

    def create(
        self,
        template: str,
        *,
        title: str,
        slug: str,
        organizers: tuple[str, ...],
        signup_open: bool,
        by: str,
    ) -> Program:
        """A new program from a template (site admins only), stored as version 1."""
        self._require_admin(by, "create programs")
        if template not in TEMPLATES:
            raise ProgramRefused(f"There is no template {template!r}.")
        program = self.validate(
            from_template(
                template, title=title, slug=slug, organizers=organizers, signup_open=signup_open
            )
        )
        self._refuse_taken(program.slug)
        words = f"created from the {TEMPLATES[template].name.lower()} template"
        self._store([Change(program, HEAD, words, ("create_program",))], by)
        return program

    def save(self, candidate: Program, *, expected: int, by: str) -> int:
        """Store an edit as the next version, if nobody saved since `expected`; an edit that
        changes nothing stores nothing (the live version is returned)."""
        self._check_editable(candidate.slug)
        current = self._live(candidate.slug, expected)
        if current.archived:
            raise ProgramRefused(ARCHIVED)
        if not self.organizers.is_admin(by) and email_key(by) not in {
            email_key(o) for o in candidate.organizers
        }:
            raise ProgramRefused(
                "Keep your own address among the organizers: without it you could not open "
                "this program again (a site admin can hand it over)."
            )
        changed = changed_settings(current, candidate)
        if not changed:
            return expected  # nothing to store: no new version, nothing to audit
        actions = ["edit_program"]
        if current.signup_open != candidate.signup_open:
            # Sign-up opened or closed from the settings page is logged as from Status.
            actions.append("open_signup" if candidate.signup_open else "close_signup")
        words = "edited: " + ", ".join(SETTING_NAMES.get(key, key) for key in changed)
        saved = self._store(
            [Change(candidate, expected, words, tuple(actions))],
            by,
        )
        return saved[candidate.slug]

    def _live(self, slug: str, expected: int) -> Program:
        """The program at version `expected`, read from the table: ProgramChanged if the live
        version is another (this process may hold an older copy than the table)."""
        stored = self.store.get(slug)
        if stored is None:
            raise ProgramRefused(f"There is no program {slug!r} in the database.")
        if stored.version != expected:
            raise ProgramChanged(slug, stored.version)
        return self.validate(stored.document)

    def lifecycle(self, slug: str, action: str, *, expected: int, by: str) -> Program:
        """Open or close sign-up, pause or resume rounds, archive or bring back; audited."""
        if action not in LIFECYCLE:
            raise ProgramRefused(f"There is no action {action!r}.")
        self._check_editable(slug)
        current = self._live(slug, expected)
        changes, audit_action = LIFECYCLE[action]
        if current.archived and action != "unarchive":
            raise ProgramRefused(ARCHIVED)
        program = self.validate({**document_of(current), **changes})
        self._store([Change(program, expected, ACTIONS[audit_action].lower(), (audit_action,))], by)
        return program

    def duplicate(
        self, slug: str, *, new_slug: str, new_title: str, signup_open: bool, by: str
    ) -> Program:
        """A new program with this one's settings and none of its people (site admins only)."""
        self._require_admin(by, "create programs")
        source = self.programs.get(slug)
        if source is None:
            raise ProgramRefused(f"There is no program {slug!r}.")
        document = {
            **document_of(source),
            "slug": new_slug,
            "title": new_title,
            "signup_open": signup_open,
            "rounds_paused": False,
            "archived": False,
        }
        program = self.validate(document)
        self._refuse_taken(program.slug)
        self._store(
            [Change(program, HEAD, f"duplicated from {slug}", ("create_program",))],
            by,
            also=[self.audit.entry(slug, by, "duplicate_program", detail=f"as {program.slug}")],
        )
        return program

    def plan_import(self, program: Program) -> ImportPlan:
        """What loading a program file would do: create it, update it, or nothing."""
        self._check_editable(program.slug)
        stored = self.store.get(program.slug)
        if stored is None:
            return ImportPlan(program.slug, "create", HEAD + 1, tuple(document_of(program)))
        live = self.validate(stored.document)
        changed = changed_settings(live, program)
        if not changed:
            return ImportPlan(program.slug, "unchanged", stored.version, ())
        return ImportPlan(program.slug, "update", stored.version + 1, changed)

    def apply_import(
        self, loads: Sequence[tuple[Program, ImportPlan]], *, by: str
    ) -> dict[str, int]:
        """Load the programs as planned, all in one transaction or none (refused if someone
        saved one of them since the plan); the new versions by slug."""
        if len(loads) > MOST_PROGRAMS_AT_ONCE:
            raise ProgramRefused(
                f"At most {MOST_PROGRAMS_AT_ONCE} programs can be loaded at once "
                f"(you gave {len(loads)}): load them in smaller groups."
            )
        changes = [
            Change(program, plan.version - 1, "loaded from a file", ("import_program",))
            for program, plan in loads
            if plan.action != "unchanged"
        ]
        if not changes:
            return {}
        return self._store(changes, by)
