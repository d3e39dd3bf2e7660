"""`portal participants`: a program's participants, as a table or JSON."""

from __future__ import annotations

import json

import click

from portal.cli.common import command_settings, program_of, services_for, store


@click.command()
@click.option("--program", "slug", required=True, help="The program's slug, e.g. demo.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def participants(slug: str, output: str) -> None:
    """List a program's participants with role and status."""
    settings = command_settings()
    with store(settings) as ready:
        services = services_for(ready)
        program = program_of(services, slug)
        people = sorted(
            services.participation.people(slug), key=lambda p: (p.role.value, p.name.lower())
        )
    if output == "json":
        rows = [
            {
                "email": p.email,
                "name": p.name,
                "role": p.role.value,
                "status": p.status.value,
                "signed_up": p.created_at.isoformat() if p.created_at else None,
                "confirmed": p.confirmed_at.isoformat() if p.confirmed_at else None,
            }
            for p in people
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not people:
        click.echo(f"{program.title}: no participants yet.")
        return
    widths = (max(len(p.name) for p in people), max(len(p.email) for p in people), 6, 9)
    header = ("Name", "Email", "Role", "Status")
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for p in people:
        cells = (p.name, p.email, p.role.value, p.status.value)
        click.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    counts: dict[str, int] = {}
    for p in people:
        counts[p.status.value] = counts.get(p.status.value, 0) + 1
    click.echo(
        f"\n{len(people)} participants: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )
