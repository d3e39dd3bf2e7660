"""`portal program`: program files checked before a deploy, with the start's own messages."""

from __future__ import annotations

from pathlib import Path

import click

from portal.catalog.documents import ContentError, read_document
from portal.catalog.programs import load_program
from portal.catalog.tracks import TrackCatalog
from portal.domain.program import Program
from portal.settings import content_folder


@click.group("program")
def program_group() -> None:
    """Program files: check one before a deploy."""


def _unreadable(path: Path) -> str | None:
    """Why this path cannot be a program file the start would read, or None."""
    if not path.exists():
        return f"{path}: no such file"
    if path.is_dir():
        return f"{path}: is a folder, not a program file"
    if path.suffix != ".md":
        # The start reads content/programs/*.md only: any other file would be ignored.
        return f"{path}: is not a program file (program files end in .md)"
    return None


def _load(path: Path) -> Program | str:
    """The program in this file, or the messages the start would give for it."""
    reason = _unreadable(path)
    if reason is not None:
        return reason
    try:
        return load_program(path)
    except ContentError as exc:
        return str(exc)
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc})"


def _agreement_warning(program: Program, path: Path, folder: Path) -> str | None:
    """A warning when the agreement the program names cannot be shown; the start allows it."""
    if not program.agreement:
        return None
    known = ", ".join(sorted(p.stem for p in folder.glob("*.md"))) or "none"
    try:
        read_document(folder / f"{program.agreement}.md")
    except FileNotFoundError:
        problem = f"is not an agreement in {folder} (known: {known})"
    except (ContentError, OSError) as exc:
        problem = f"cannot be read: {exc}"
    else:
        return None
    return (
        f"{path}: warning: agreement: {program.agreement!r} {problem}; "
        "the portal starts, but pairs are shown no agreement"
    )


def _summary(program: Program) -> str:
    count = len(program.questions)
    questions = f"{count} question" + ("" if count == 1 else "s")
    return f"{program.format.value}, approval {program.approval.value}, {questions}"


@program_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--content",
    "content_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The content folder whose tracks and agreements programs may name. "
    "Default: PORTAL_CONTENT_DIR, else the project's content folder.",
)
def check_command(files: tuple[Path, ...], content_dir: Path | None) -> None:
    """Check program files as the portal does at start (exit 1 if any is not valid)."""
    # Only the content folder: a file is checked with no database, AWS or secret key.
    content = content_dir or content_folder()
    try:
        tracks = TrackCatalog.from_folder(content / "tracks")
    except ContentError as exc:
        raise click.ClickException(f"the content folder has errors:\n{exc}") from None
    valid = 0
    checked: set[Path] = set()
    slugs: dict[str, Path] = {}
    for path in files:
        # The same file named twice is checked once; two files with one slug is an error.
        if path.resolve() in checked:
            continue
        checked.add(path.resolve())
        loaded = _load(path)
        if isinstance(loaded, str):
            click.echo(loaded)
            continue
        errors: list[str] = []
        try:
            # The start's own cross-check: its message names the file in its folder.
            tracks.check_programs([loaded], path.parent)
        except ContentError as exc:
            errors.append(str(exc))
        first = slugs.setdefault(loaded.slug, path)
        if first is not path:
            errors.append(f"{path}: slug: {loaded.slug!r} is also the slug of {first}")
        if errors:
            click.echo("\n".join(errors))
            continue
        valid += 1
        click.echo(f"{path}: OK ({_summary(loaded)})")
        warning = _agreement_warning(loaded, path, content / "agreements")
        if warning:
            click.echo(warning)
    if len(checked) > 1:
        click.echo(f"{valid} of {len(checked)} files are valid.")
    if valid < len(checked):
        raise SystemExit(1)
