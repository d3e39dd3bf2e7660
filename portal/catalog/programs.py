"""Program definitions loaded from content/programs/*.md."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portal.catalog.documents import ContentError, read_document
from portal.domain.program import Program

log = logging.getLogger(__name__)


class ProgramError(ContentError):
    """A program file has a bad setting; the message names the file, the key and the problem."""


def _location(loc: Iterable[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(front matter)"


def format_validation_error(path: Path, exc: ValidationError) -> str:
    """One line per problem: file, key, what is wrong."""
    lines = []
    for error in exc.errors():
        loc = error["loc"]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a known setting (check the spelling)"
        elif error["type"] == "missing":
            message = "is required"
        lines.append(f"{path}: {_location(loc)}: {message}")
    return "\n".join(lines)


# A translation of a program's page sets only these; the rest is the program's.
_TRANSLATION_KEYS = frozenset({"summary"})


def load_program(path: Path) -> Program:
    """Read and validate one program file, with its page's translations beside it
    (`<slug>.<language>.md`); raise ProgramError naming file, key and problem."""
    if "." in path.stem:
        original = path.with_name(f"{path.stem.split('.')[0]}.md")
        raise ProgramError(
            f"{path}: is a translation of {original.name}'s page: check {original} (it reads "
            "its translations)"
        )
    document = read_document(path)
    data = dict(document.meta)
    if "body" in data:
        raise ProgramError(f"{path}: body: is not a known setting (the body is the Markdown text)")
    if "translations" in data:
        raise ProgramError(
            f"{path}: translations: is not a setting of a file: write each language's page in "
            f"{path.stem}.<language>.md beside it"
        )
    data["body"] = document.body
    data["translations"] = _translations_beside(path)
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise ProgramError(format_validation_error(path, exc)) from None
    if program.slug != path.stem:
        raise ProgramError(f"{path}: slug: {program.slug!r} must equal the file name {path.stem!r}")
    return program


def _translations_beside(path: Path) -> dict[str, dict[str, str]]:
    """The page's translations: `<slug>.<language>.md` files, each a summary and a text."""
    found: dict[str, dict[str, str]] = {}
    for translated in sorted(path.parent.glob(f"{path.stem}.*.md")):
        language = translated.stem.removeprefix(f"{path.stem}.")
        document = read_document(translated)
        unknown = sorted(set(document.meta) - _TRANSLATION_KEYS)
        if unknown:
            raise ProgramError(
                f"{translated}: {unknown[0]}: a translation sets only its summary and its text "
                f"(the settings are {path.name}'s)"
            )
        summary = document.meta.get("summary", "")
        if not isinstance(summary, str):
            raise ProgramError(f"{translated}: summary: must be text")
        found[language] = {"summary": summary, "body": document.body}
    return found


@dataclass(frozen=True)
class StoredInfo:
    """Where a stored program's live settings came from: its version, when and by whom."""

    version: int
    saved_at: datetime
    saved_by: str


# A stored program as the catalogue reads it: its document (Program fields) and its version.
StoredLoader = Callable[[], Iterable[tuple[dict[str, Any], StoredInfo]]]
# One stored program, read consistently by its slug (None if there is none).
StoredReader = Callable[[str], tuple[dict[str, Any], StoredInfo] | None]

# How long a process keeps the stored programs it read before reading them again: an edit in
# the console reaches every running Lambda within this time, without a read per request.
REFRESH_SECONDS = 30.0
# A program asked for by a slug the process does not know (one created a moment ago on another
# Lambda) is read from the table at once, by its slug; a slug the table does not hold either
# is not asked about again for this long, so that a stream of requests for it costs one read.
MISS_REFRESH_SECONDS = 2.0
MISSES_HELD = 1000  # slugs remembered as missing, at most (then the list starts again)


class ProgramCatalog:
    """Every program: the files of a content folder, validated together at start-up, and the
    programs stored from the console, read again every REFRESH_SECONDS."""

    def __init__(
        self,
        programs: Iterable[Program],
        *,
        stored: StoredLoader | None = None,
        stored_one: StoredReader | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._files = {program.slug: program for program in programs}
        self._stored_loader = stored
        self._stored_one = stored_one
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._stored: dict[str, tuple[Program, StoredInfo]] = {}
        # Files and stored programs together, by slug: made again only when the stored change.
        self._merged: dict[str, Program] | None = None
        self._missed: dict[str, float] = {}  # slug -> when the table last did not hold it
        self._read_at: float | None = None
        if stored is not None:
            self._stored = self._read_stored(refuse_clashes=True)
            self._read_at = monotonic()

    @classmethod
    def from_folder(
        cls,
        folder: Path,
        *,
        stored: StoredLoader | None = None,
        stored_one: StoredReader | None = None,
    ) -> ProgramCatalog:
        """The folder's programs, and the stored ones if `stored` reads them."""
        return cls(cls.read_folder(folder), stored=stored, stored_one=stored_one)

    @staticmethod
    def read_folder(folder: Path) -> tuple[Program, ...]:
        """Every program file of the folder, validated; ProgramError naming each problem."""
        errors: list[str] = []
        programs: list[Program] = []
        for path in sorted(folder.glob("*.md")):
            if "." in path.stem:
                continue  # a translation: read with its program
            try:
                programs.append(load_program(path))
            except ContentError as exc:
                errors.append(str(exc))
        if errors:
            raise ProgramError("\n".join(errors))
        return tuple(programs)

    # -- stored programs ----------------------------------------------------------------

    def _read_stored(self, *, refuse_clashes: bool) -> dict[str, tuple[Program, StoredInfo]]:
        assert self._stored_loader is not None
        found: dict[str, tuple[Program, StoredInfo]] = {}
        clashes: list[str] = []
        for document, info in self._stored_loader():
            program = _validated(document, info)
            if program is None:
                continue
            if program.slug in self._files:
                clashes.append(program.slug)
                continue
            found[program.slug] = (program, info)
        if clashes:
            message = "\n".join(
                f"program {slug!r} is both a file (content/programs/{slug}.md) and stored in "
                "the database (created in the console): rename or remove the file and deploy "
                f"again, so that one definition is in force (`portal program export {slug}` "
                "writes the stored one as a file, to compare)"
                for slug in sorted(clashes)
            )
            if refuse_clashes:
                raise ProgramError(message)
            log.error("%s (the file is used)", message)
        return found

    def refresh(self, *, force: bool = True) -> None:
        """Read the stored programs again (at once, or only if the last read is too old).

        A failed read keeps the programs already held (and is tried again at the next
        interval): pages go on being served from them rather than failing.
        """
        if self._stored_loader is None:
            return
        now = self._monotonic()
        if not force and self._read_at is not None and now - self._read_at < self._refresh_seconds:
            return
        try:
            found = self._read_stored(refuse_clashes=False)
        except Exception:
            log.exception("could not read the stored programs; keeping the ones held")
            self._read_at = now
            return
        # The index is read eventually consistently: a program this process has seen at a
        # later version (its own save, or the console's consistent read) keeps that version.
        for slug, (program, info) in self._stored.items():
            if slug in found and found[slug][1].version < info.version:
                found[slug] = (program, info)
        self._stored = found
        self._merged = None
        self._read_at = now

    def remember(self, program: Program, info: StoredInfo) -> None:
        """Hold a program this process has just stored (or read consistently) at its version."""
        held = self._stored.get(program.slug)
        if held is None or held[1].version <= info.version:
            self._stored[program.slug] = (program, info)
            self._merged = None

    def files(self) -> list[Program]:
        """The programs defined by files in content/programs."""
        return list(self._files.values())

    def current(self, slug: str) -> Program | None:
        """The program as it is now: a stored one read from the table (one consistent read),
        for pages whose forms act on its version (the console), which must not show an older
        one that this process still holds."""
        if slug in self._files or self._stored_one is None:
            return self.get(slug)
        found = self._stored_one(slug)
        if found is None:
            return None
        document, info = found
        program = _validated(document, info)
        if program is None:
            return None
        self.remember(program, info)
        return program

    def _all(self) -> dict[str, Program]:
        self.refresh(force=False)
        if self._merged is None:
            self._merged = {slug: program for slug, (program, _) in self._stored.items()}
            self._merged.update(self._files)
        return self._merged

    def stored_info(self, slug: str) -> StoredInfo | None:
        """The live version of a stored program; None for a file's program (or none)."""
        self.refresh(force=False)
        entry = self._stored.get(slug)
        return entry[1] if entry else None

    def is_file(self, slug: str) -> bool:
        """Whether the program is defined by a file in content/programs (changed by a deploy)."""
        return slug in self._files

    # -- reading ------------------------------------------------------------------------

    def get(self, slug: str) -> Program | None:
        program = self._all().get(slug)
        if program is None and self._stored_one is not None:
            now = self._monotonic()
            missed = self._missed.get(slug)
            if missed is None or now - missed >= MISS_REFRESH_SECONDS:
                program = self.current(slug)
                if program is None:
                    if len(self._missed) >= MISSES_HELD:
                        self._missed.clear()
                    self._missed[slug] = now
        return program

    def __iter__(self) -> Iterator[Program]:
        return iter(sorted(self._all().values(), key=lambda p: p.title))

    def __len__(self) -> int:
        return len(self._all())

    def listed(self) -> list[Program]:
        """The programs on the public list: all but the archived ones."""
        return [program for program in self if not program.archived]

    def open_for_signup(self) -> list[Program]:
        # An archived program is never open for sign-up (the model refuses both at once).
        return [program for program in self if program.signup_open]


def _validated(document: dict[str, Any], info: StoredInfo) -> Program | None:
    """A stored program, or None (and an error logged) if it is not valid any more."""
    try:
        return Program.model_validate(document)
    except ValidationError as exc:
        # Saved valid, so only a later release's stricter model gets here: keep the other
        # programs running and say which one needs an edit.
        slug = document.get("slug")
        log.error(
            "stored program %s (version %s) is not valid any more:\n%s",
            slug,
            info.version,
            format_validation_error(Path(f"stored:{slug}"), exc),
        )
        return None


def resolve_program(reference: str, folder: Path) -> Program:
    """A program from a slug in the content folder or a path to a program file."""
    candidate = Path(reference)
    if candidate.suffix == ".md" or candidate.exists():
        if not candidate.is_file():
            raise ProgramError(f"{reference}: no such program file")
        return load_program(candidate)
    path = folder / f"{reference}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.md") if "." not in p.stem))
        known = known or "none"
        raise ProgramError(f"no program {reference!r} in {folder} (known: {known})")
    return load_program(path)
