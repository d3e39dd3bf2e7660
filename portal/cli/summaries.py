"""`portal summaries`: a program's weekly progress summary, queued to its organizers."""

from __future__ import annotations

from datetime import datetime

import click

from portal.cli.common import (
    at_moment,
    at_option,
    command_settings,
    program_of,
    send_hint,
    services_for,
    store,
)


@click.command("summaries")
@click.option("--program", "slug", required=True, help="The program's slug, e.g. demo.")
@at_option
@click.option("--show", is_flag=True, help="Also print the summary's plain text.")
def summaries_command(slug: str, moment: datetime | None, show: bool) -> None:
    """Queue the weekly progress summary of a program (the week up to now) to its organizers.

    Running it again in the same minute does nothing new. `portal send-mail` sends it.
    """
    from portal.mail.render import render
    from portal.services.summaries import TEMPLATE

    settings = at_moment(command_settings(), moment)
    with store(settings) as ready:
        services = services_for(ready)
        program = program_of(services, slug)
        # The week runs up to this very moment, so a check-in of a few seconds ago is in it;
        # the minute names the summary, so a second run in the same minute sends nothing new.
        now = services.clock()
        outcome = services.summaries.send(program, now, f"cli-{now.strftime('%Y-%m-%dT%H%MZ')}")
        text = None
        if show:
            report = services.summaries.summary_for(program, now)
            text = render(TEMPLATE, services.summaries.context(report))
    if outcome.status == "repeated":
        click.echo(
            f"{slug}: the summary for {now.strftime('%Y-%m-%d %H:%M')} UTC was queued already; "
            "run it again a minute later (or with another --at)"
        )
    else:
        click.echo(
            f"{slug}: the summary of the week to {now.strftime('%Y-%m-%d %H:%M')} UTC is queued "
            f"for {outcome.emails} organizer{'s' if outcome.emails != 1 else ''}"
        )
        click.echo(f"Send it with: {send_hint(settings, now)}")
    if text is not None:
        click.echo(f"\nSubject: {text.subject}\n\n{text.text}")
