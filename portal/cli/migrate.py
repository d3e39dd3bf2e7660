"""`portal migrate`: move people from email keys to participant ids (issue 10)."""

from __future__ import annotations

import click

from portal.cli.common import command_settings, store


@click.command("migrate")
@click.option("--apply", "apply", is_flag=True, help="Write; without it, only count (dry run).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after this many writes (run again to go on from there).",
)
def migrate_command(apply: bool, limit: int | None) -> None:
    """Copy the tables keyed by email into the tables keyed by participant id.

    A dry run by default: it prints, per table, what it read, what it would write, what is
    there already and what it skips, and why. Safe to run again, and to re-run after a crash.
    """
    from portal.services.migration import MigrationError, migrate

    settings = command_settings()
    with store(settings) as ready:
        try:
            report = migrate(
                ready.table_prefix, ready.region, ready.dynamodb_endpoint, apply=apply, limit=limit
            )
        except MigrationError as exc:
            raise click.ClickException(str(exc)) from None
    if report.stopped:
        click.echo(f"Stopped after {limit} writes (run `portal migrate --apply` again to finish):")
    else:
        click.echo("Applied:" if apply else "Dry run (nothing written; --apply writes):")
    for count in report.tables:
        if count.missing:
            click.echo(f"  {count.source}: no such table, nothing to copy")
            continue
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(count.skipped.items()))
        click.echo(
            f"  {count.source} -> {count.target}: read {count.read}, "
            f"{'written ' + str(count.written) if apply else 'to write ' + str(count.to_write)}, "
            f"already there {count.already}, skipped {sum(count.skipped.values())}"
            + (f" ({skipped})" if skipped else "")
        )
