"""`portal purge`: what the daily retention run removes, shown (a dry run) or removed."""

from __future__ import annotations

from datetime import datetime

import click

from portal.cli.common import at_moment, at_option, command_settings, services_for, store


@click.command("purge")
@at_option
@click.option("--apply", is_flag=True, help="Remove it. Without it, only show what would go.")
def purge_command(moment: datetime | None, apply: bool) -> None:
    """Show what the retention run would remove at --at, counted by kind (a dry run), or
    remove it with --apply: the same as the daily function functions/retention.py.

    People past the retention period of every program they are in are erased as by
    `portal erase`; sign-ups not confirmed within 7 days, expired links and sessions, records
    of emails sent more than 90 days ago and year-old logged exports are deleted.
    """
    from portal.services.retention import KINDS

    settings = at_moment(command_settings(), moment)
    with store(settings) as ready:
        services = services_for(ready)
        now = services.clock()
        done = (services.retention.purge if apply else services.retention.plan)(now)
    when = now.strftime("%Y-%m-%d %H:%M")
    click.echo(
        f"Removed at {when} UTC:"
        if apply
        else f"Would remove at {when} UTC (a dry run: run again with --apply):"
    )
    for kind, words in KINDS:
        click.echo(f"  {done.counts[kind]:>5}  {words}")
    if done.failed:
        click.secho(
            f"  {done.failed} people could not be erased (see the log above); running again "
            "finishes what was started",
            fg="red",
            err=True,
        )
        raise SystemExit(1)
