"""Program definitions loaded from content/programs/*.md."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from portal.catalog.documents import ContentError, read_document
from portal.domain.program import Program


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


def load_program(path: Path) -> Program:
    """Read and validate one program file; raise ProgramError naming file, key and problem."""
    document = read_document(path)
    data = dict(document.meta)
    if "body" in data:
        raise ProgramError(f"{path}: body: is not a known setting (the body is the Markdown text)")
    data["body"] = document.body
    try:
        program = Program.model_validate(data)
    except ValidationError as exc:
        raise ProgramError(format_validation_error(path, exc)) from None
    if program.slug != path.stem:
        raise ProgramError(f"{path}: slug: {program.slug!r} must equal the file name {path.stem!r}")
    return program


class ProgramCatalog:
    """All programs of a content folder, loaded and validated together at start-up."""

    def __init__(self, programs: Iterable[Program]) -> None:
        self._by_slug = {program.slug: program for program in programs}

    @classmethod
    def from_folder(cls, folder: Path) -> ProgramCatalog:
        errors: list[str] = []
        programs: list[Program] = []
        for path in sorted(folder.glob("*.md")):
            try:
                programs.append(load_program(path))
            except ContentError as exc:
                errors.append(str(exc))
        if errors:
            raise ProgramError("\n".join(errors))
        return cls(programs)

    def get(self, slug: str) -> Program | None:
        return self._by_slug.get(slug)

    def __iter__(self) -> Iterator[Program]:
        return iter(sorted(self._by_slug.values(), key=lambda p: p.title))

    def __len__(self) -> int:
        return len(self._by_slug)

    def open_for_signup(self) -> list[Program]:
        return [program for program in self if program.signup_open]


def resolve_program(reference: str, folder: Path) -> Program:
    """A program from a slug in the content folder or a path to a program file."""
    candidate = Path(reference)
    if candidate.suffix == ".md" or candidate.exists():
        if not candidate.is_file():
            raise ProgramError(f"{reference}: no such program file")
        return load_program(candidate)
    path = folder / f"{reference}.md"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.md"))) or "none"
        raise ProgramError(f"no program {reference!r} in {folder} (known: {known})")
    return load_program(path)
