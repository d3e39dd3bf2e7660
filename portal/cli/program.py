"""`portal program`: program files checked before a deploy, with the start's own messages."""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import ValidationError

from portal.catalog.documents import ContentError, read_document
from portal.catalog.programs import load_program
from portal.catalog.tracks import TrackCatalog
from portal.domain.program import Program
from portal.settings import content_folder


@click.group("program")
def program_group() -> None:
    """Programs: check a file before a deploy; export a stored program as a file, or load one."""


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


def _translation_of(path: Path) -> Path | None:
    """The program file whose page `<slug>.<language>.md` translates, if this is one."""
    if path.suffix != ".md" or "." not in path.stem:
        return None
    return path.with_name(f"{path.stem.split('.')[0]}.md")


def _check_translation(path: Path) -> str | None:
    """What is wrong with a page translation, read as the start reads it (with its
    program), or None."""
    original = _translation_of(path)
    assert original is not None
    if not path.is_file():
        return _unreadable(path) or f"{path}: no such file"
    if not original.is_file():
        return f"{path}: translates {original.name}, which is not a program file beside it"
    loaded = _load(original)
    return loaded if isinstance(loaded, str) else None


def _agreement_warning(program: Program, path: Path, folder: Path) -> str | None:
    """A warning when the agreement the program names cannot be shown; the start allows it."""
    if not program.agreement:
        return None
    # Translations (`standard.es.md`) are not agreements a program can name.
    known = ", ".join(sorted(p.stem for p in folder.glob("*.md") if "." not in p.stem)) or "none"
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
        if _translation_of(path) is not None:
            # `content/programs/*.md` names a program's page translations too: each is read
            # (and checked) with its program, so it is valid when its program's file is.
            translated = _check_translation(path)
            valid += translated is None
            click.echo(
                translated or f"{path}: OK (a translation of {path.stem.split('.')[0]}.md's page)"
            )
            continue
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


@program_group.command("export")
@click.argument("slug")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    help="A stored program's earlier version (default: the live one).",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the file here (default: print it).",
)
def export_command(slug: str, version: int | None, output: Path | None) -> None:
    """Write a program as a program file, for content/programs or `portal program import`."""
    from portal.cli.common import command_settings, store
    from portal.container import read_stored_program
    from portal.services.programs import program_file, translation_files

    settings = command_settings()
    # The table and the file are read directly, not through the portal's start: this command
    # must work when the start refuses a file and a stored program with one slug.
    with store(settings) as ready:
        live, document = read_stored_program(ready, slug, version)
    file = settings.content_dir / "programs" / f"{slug}.md"
    if live is None and not file.is_file():
        known = sorted(
            p.stem for p in (settings.content_dir / "programs").glob("*.md") if "." not in p.stem
        )
        raise click.UsageError(
            f"no program {slug!r} is stored, nor a file {file} (files: {', '.join(known)})"
        )
    if version is not None and document is None:
        versions = f"1 to {live}" if live else "none: it is a file's program"
        raise click.BadParameter(
            f"{slug!r} has no version {version} (versions: {versions})", param_hint="--version"
        )
    try:
        program = Program.model_validate(document) if document else load_program(file)
    except (ValidationError, ContentError) as exc:
        raise click.ClickException(f"{slug!r} is not a valid program any more:\n{exc}") from None
    text = program_file(program)
    # The page in other languages: files of their own beside the program file, as the
    # loader reads them (`<name>.<language>.md`).
    translations = translation_files(program)
    if output is None:
        click.echo(text, nl=False)
        for language in translations:
            click.echo(
                f"Not printed: the page in {language!r}; -o FILE writes it beside FILE.", err=True
            )
        return
    written = [(output, text)] + [
        (output.with_name(f"{output.stem}.{language}.md"), body)
        for language, body in translations.items()
    ]
    for path, body in written:
        try:
            path.write_text(body, encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                f"{path}: cannot be written ({exc.strerror or exc})", param_hint="--output"
            ) from None
    click.echo(f"Wrote {slug} to {', '.join(str(path) for path, _ in written)}.", err=True)


@program_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--apply", is_flag=True, help="Store them. Without it, only show what would change.")
@click.option(
    "--by",
    "by",
    default="portal program import",
    show_default=True,
    help="Who the audit log and the version history name as having loaded them.",
)
def import_command(files: tuple[Path, ...], apply: bool, by: str) -> None:
    """Load program files into the database as stored programs (a dry run unless --apply).

    Each file is checked as `portal program check` does; if any has a problem, nothing is
    stored. A program already stored gets a new version when the file differs from it. With
    --apply, all the files are stored together or none is.
    """
    from portal.cli.common import command_settings, services_for, store
    from portal.services.programs import ProgramRefused

    programs: list[tuple[Path, Program]] = []
    problems: list[str] = []
    for path in dict.fromkeys(files):
        loaded = _load(path)
        if isinstance(loaded, str):
            problems.append(loaded)
        elif any(loaded.slug == earlier.slug for _, earlier in programs):
            problems.append(f"{path}: slug: {loaded.slug!r} is also in another file given")
        else:
            programs.append((path, loaded))
    if problems:
        click.echo("\n".join(problems), err=True)
        click.echo(f"{len(problems)} file(s) have problems: nothing was stored.", err=True)
        raise SystemExit(1)
    settings = command_settings()
    counts = {"create": 0, "update": 0, "unchanged": 0}
    with store(settings) as ready:
        services = services_for(ready)
        try:
            for path, program in programs:
                services.tracks.check_programs([program], path.parent)
            plans = [(path, p, services.program_admin.plan_import(p)) for path, p in programs]
            if apply:
                services.program_admin.apply_import([(p, plan) for _, p, plan in plans], by=by)
        except (ContentError, ProgramRefused) as exc:
            click.echo(f"{exc}\nNothing was stored.", err=True)
            raise SystemExit(1) from None
    for path, _, plan in plans:
        counts[plan.action] += 1
        if plan.action == "create":
            what = f"create {plan.slug} as version 1"
        elif plan.action == "update":
            what = f"update {plan.slug} to version {plan.version}, changing " + ", ".join(
                plan.changed
            )
        else:
            what = f"leave {plan.slug} as it is (version {plan.version} is the same)"
        click.echo(f"{path}: {'' if apply else 'would '}{what}")
    verb = "" if apply else "would be "
    click.echo(
        f"{counts['create']} {verb}created, {counts['update']} {verb}updated, "
        f"{counts['unchanged']} unchanged"
        + ("." if apply else " (a dry run: run again with --apply to store them).")
    )
