"""`portal tables`: the DynamoDB tables."""

from __future__ import annotations

import click

from portal.cli.common import command_settings, store


@click.group()
def tables() -> None:
    """DynamoDB tables."""


@tables.command("create")
def tables_create() -> None:
    """Create any missing table (safe to run again)."""
    from portal.container import create_tables, table_names

    settings = command_settings()
    with store(settings) as ready:
        # The local store creates its tables when it starts.
        created = create_tables() if ready.stage == "aws" else []
        names = table_names()
        click.echo(f"{len(names)} tables ready: {', '.join(names)}")
        if created:
            click.echo(f"created: {', '.join(created)}")
