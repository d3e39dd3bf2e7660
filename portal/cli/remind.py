"""`portal remind`: the reminders, nudges, alerts and surveys due now, queued."""

from __future__ import annotations

from datetime import datetime

import click

from portal.cli.common import at_moment, at_option, command_settings, send_hint, services_for, store


@click.command("remind")
@at_option
@click.option(
    "--mornings",
    "mornings_only",
    is_flag=True,
    help="Only what the hourly scheduled run queues at this time: for people for whom it "
    "is 07:00 to 08:59 where they are, and for organizers in the program's morning.",
)
def remind_command(moment: datetime | None, mornings_only: bool) -> None:
    """Queue the check-in reminders, nudges, alerts, re-match offers and surveys due now.

    Everything due, whatever the hour where each person is (the scheduled run, hourly,
    writes to each in their morning: --mornings does as it does). Each step goes once per
    pair and quiet spell, however often this runs. Emails are queued, not sent:
    `portal send-mail` sends them. Matches through their cycle are marked completed (after
    both closing surveys), which frees both people's places. Also the roster imports'
    invitation reminders due (a week after the invitation, then a week later).
    """
    settings = at_moment(command_settings(), moment)
    with store(settings) as ready:
        services = services_for(ready)
        now = services.clock()
        outcomes = services.reminders.remind(now, mornings_only=mornings_only)
        # The hourly roster run's part (functions/roster.py): invitation reminders due.
        invitations = {
            program.slug: services.roster_imports.remind(program) for program in services.programs
        }
    mornings = " (only to those whose morning it is)" if mornings_only else ""
    click.echo(f"Reminders at {now.strftime('%Y-%m-%d %H:%M')} UTC{mornings}:")
    for outcome in outcomes:
        done = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in outcome.queued.items())
        click.echo(
            f"  {outcome.program}: {outcome.pairs} active pairs, "
            + (f"queued {done}" if done else "nothing due")
            + (f"; {outcome.completed} completed their cycle" if outcome.completed else "")
        )
        if outcome.status == "failed":
            click.secho(
                f"  {outcome.program}: some reminders failed (see the log above); running "
                "again repeats nothing that was queued",
                fg="red",
                err=True,
            )
    for slug, queued in invitations.items():
        if queued:
            click.echo(f"  {slug}: queued {queued} invitation reminders (roster import)")
    if any(o.queued for o in outcomes) or any(invitations.values()):
        click.echo(f"Send them with: {send_hint(settings, now)}")
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)
