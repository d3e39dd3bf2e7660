"""`portal send-mail`: send the queued emails that are due."""

from __future__ import annotations

from datetime import datetime

import click

from portal.cli.common import at_moment, at_option, command_settings, services_for, store


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000))
@at_option
def send_mail(limit: int, moment: datetime | None) -> None:
    """Send the queued emails that are due (retrying earlier failures whose time has come)."""
    settings = at_moment(command_settings(), moment)
    with store(settings) as ready:
        services = services_for(ready)
        report = services.mail.drain(limit=limit, per_second=ready.mail_rate)
    click.echo(f"{report.sent} sent, {report.retrying} to retry later, {report.failed} failed")
