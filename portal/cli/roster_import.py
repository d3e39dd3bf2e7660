"""`portal import`: a roster from an HR system into a program, as a dry run or applied."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from portal.services.roster_import import Applied, DryRun

SHOWN = 20  # people listed per part of the diff unless --show says otherwise


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--program", "slug", required=True, help="The program to import into.")
@click.option("--apply", is_flag=True, help="Store it. Without it, only show what would change.")
@click.option(
    "--partial",
    is_flag=True,
    help="The file lists only some people: nobody is paused for being missing from it.",
)
@click.option(
    "--map",
    "columns",
    multiple=True,
    metavar="HEADER=FIELD",
    help="Read the column HEADER as FIELD (repeatable); the other columns as recognised.",
)
@click.option("--save-mapping", is_flag=True, help="With --apply: keep the mapping for next time.")
@click.option(
    "--by",
    default="portal import",
    show_default=True,
    help="Who the audit log names as having imported it.",
)
@click.option(
    "--show", default=SHOWN, show_default=True, help="People listed per part of the diff."
)
def import_command(
    file: Path,
    slug: str,
    apply: bool,
    partial: bool,
    columns: tuple[str, ...],
    save_mapping: bool,
    by: str,
    show: int,
) -> None:
    """Import a roster (CSV or XLSX from Workday, BambooHR, SCIM or the portal's own export)
    into a program: a dry run that prints the diff unless --apply.

    New people are invited by email to sign up (nobody is enrolled without signing up and
    confirming); people whose department, manager, time zone or career stage changed have it
    changed in their sign-up from the next round; with a full roster (the default), people
    from the last import who are missing now or marked inactive are paused, their matches
    ending kindly. If any row has a problem, nothing is stored.
    """
    from portal.cli.common import command_settings, program_of, services_for, store
    from portal.domain.roster import FIELDS
    from portal.domain.roster_files import RosterFileError
    from portal.services.roster_import import ImportRefused

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint="FILE") from None
    chosen: dict[str, str] = {}
    for given in columns:
        header, sep, field = given.rpartition("=")
        if not sep or not header or field not in FIELDS:
            raise click.BadParameter(
                f"{given!r}: write HEADER=FIELD, FIELD one of {', '.join(FIELDS)}",
                param_hint="--map",
            )
        chosen[header] = field
    if save_mapping and not apply:
        raise click.UsageError("--save-mapping keeps the mapping of an import: add --apply")
    settings = command_settings()
    with store(settings) as ready:
        services = services_for(ready)
        program = program_of(services, slug)
        imports = services.roster_imports
        try:
            table = imports.read(data, file.name)
        except RosterFileError as exc:
            click.echo(f"{file}: {exc}\nNothing was stored.", err=True)
            raise SystemExit(1) from None
        mapping = None
        if chosen:
            missing = sorted(set(chosen) - set(table.headers))
            if missing:
                raise click.BadParameter(
                    f"the file has no column {', '.join(map(repr, missing))} "
                    f"(its columns: {', '.join(table.headers)})",
                    param_hint="--map",
                )
            # The columns as recognised (or saved), with the ones given put in their place.
            base = imports.default_mapping(program.slug, table.headers)
            mapping = {
                i: f
                for i, f in base.items()
                if f not in chosen.values() and table.headers[i] not in chosen
            }
            mapping.update({table.headers.index(h): f for h, f in chosen.items()})
        dry = imports.check(program, table, filename=file.name, full=not partial, mapping=mapping)
        _print_dry_run(dry, show)
        if not dry.can_apply:
            if dry.plan is not None and dry.plan.is_empty and not dry.problems:
                click.echo("Nothing to change: the program already has this roster.")
                return
            click.echo("Nothing was stored.", err=True)
            raise SystemExit(1)
        if not apply:
            click.echo("A dry run: nothing was stored. Run again with --apply to apply it.")
            return
        try:
            done = imports.apply(program, dry, by=by, save_mapping=save_mapping)
        except ImportRefused as exc:
            click.echo(f"{exc}", err=True)
            raise SystemExit(1) from None
        _print_applied(done)


def _print_dry_run(dry: DryRun, show: int) -> None:
    from portal.domain.roster import LABELS, NOT_KEPT

    click.echo(f"{dry.filename}: {dry.rows} rows, {'a full roster' if dry.full else 'partial'}.")
    source = {"saved": "the saved mapping", "guessed": "recognised", "chosen": "as given"}
    click.echo(f"Columns ({source[dry.mapping_source]}):")
    for index, field in sorted(dry.mapping.items()):
        kept = " (read, not kept)" if field in NOT_KEPT else ""
        click.echo(f"  {dry.headers[index]!r} -> {LABELS[field]}{kept}")
    for note in dry.mapping_notes:
        click.echo(f"  note: {note}")
    for problem in dry.mapping_problems:
        click.echo(f"  problem: {problem}", err=True)
    if dry.problems:
        cells = "bad cell" if len(dry.problems) == 1 else "bad cells"
        click.echo(f"{len(dry.problems)} {cells} (fix them in the file):", err=True)
        for bad in dry.problems:
            click.echo(f"  {bad}", err=True)
    plan = dry.plan
    if plan is None:
        return
    from portal.services.roster_import import counts_words

    click.echo(f"Would do: {counts_words(plan.numbers())}.")

    def listed(title: str, lines: list[str]) -> None:
        if not lines:
            return
        click.echo(f"{title} ({len(lines)}):")
        for line in lines[:show]:
            click.echo(f"  {line}")
        if len(lines) > show:
            click.echo(f"  ... and {len(lines) - show} more (--show {len(lines)} lists them all)")

    listed(
        "Invited", [f"row {i.row.line}: {i.row.name or '-'} <{i.row.address}>" for i in plan.new]
    )
    listed(
        "Already signed up",
        [
            f"row {k.row.line}: {k.row.name or k.row.email} ({k.status.value})"
            + (
                ": sets " + "; ".join(f"{word} {was} -> {now}" for word, was, now in k.values)
                if k.values
                else ""
            )
            for k in plan.known
        ],
    )
    listed(
        "Changed",
        [
            f"row {c.row.line}: {c.row.name or c.row.email}: "
            + "; ".join(f"{word} {was} -> {now}" for word, was, now in c.values)
            + (
                f" (matching uses {', '.join(c.matching)} from the next round)"
                if c.matching
                else ""
            )
            for c in plan.changed
        ],
    )
    listed(
        "Gone",
        [
            f"{g.name or g.email}: {g.reason}"
            + ("; their sign-up is paused and matches end" if g.participant_id else "")
            for g in plan.gone
        ],
    )
    for each in plan.notes:
        click.echo(f"note: {each}")


def _print_applied(done: Applied) -> None:
    from portal.services.roster_import import counts_words

    click.echo(f"Applied: {counts_words(done.numbers)}.")
    click.echo(
        f"  {done.invited} invitations queued, {done.updated} sign-ups updated, "
        f"{done.paused} paused ({done.ended_matches} "
        f"{'match' if done.ended_matches == 1 else 'matches'} ended)."
    )
    if done.pending:
        click.echo(f"  {done.pending} left to do: the hourly run finishes them.")
    if done.invited:
        click.echo("  Send the invitations with `portal send-mail` (the outbox run does on AWS).")
