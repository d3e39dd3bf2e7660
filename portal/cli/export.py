"""`portal export`: everything held about one person, for an organizer answering their request."""

from __future__ import annotations

from pathlib import Path

import click

from portal.cli.common import command_settings, services_for, store


@click.command("export")
@click.option("--email", "address", required=True, help="The person's email address.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the JSON to this file (readable by you only). Default: print it.",
)
def export_command(address: str, output: Path | None) -> None:
    """Export everything the portal holds about the person with this address, in every program.

    The same JSON document the person downloads from their own page; the export is recorded
    (as by an organizer, through the CLI) and listed in the person's later exports.
    """
    from portal.domain.addresses import AddressError, typed
    from portal.services.export import BY_AN_ORGANIZER, CLI, UnknownPerson

    try:
        typed(address)
    except AddressError as exc:
        raise click.BadParameter(
            f"{address!r} is not an email address: {exc}", param_hint="--email"
        ) from None
    if output is not None and not output.parent.is_dir():
        raise click.BadParameter(
            f"no folder {str(output.parent)!r} to write into", param_hint="--output"
        )
    settings = command_settings()
    with store(settings) as ready:
        services = services_for(ready)
        try:
            done = services.exports.export(address, route=CLI, requested_by=BY_AN_ORGANIZER)
        except UnknownPerson:
            raise click.ClickException(
                f"no program holds a sign-up for {address}: nothing to export, nothing recorded"
            ) from None
    if output is None:
        click.echo(done.text, nl=False)
        return
    from portal.local.files import write_private

    write_private(output, done.text)
    click.echo(f"Wrote {output} (recorded as an export by an organizer via the CLI).", err=True)
