"""`portal round`: a matching round of one program, now."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from portal.cli.common import command_settings, program_of, send_hint, services_for, store

if TYPE_CHECKING:
    from portal.services.rounds import RoundOutcome


@click.command("round")
@click.option("--program", "slug", required=True, help="The program's slug, e.g. demo.")
def round_command(slug: str) -> None:
    """Run a matching round now: match everyone waiting, store the pairs, queue the emails.

    Emails are queued, not sent: `portal send-mail` sends them (with PORTAL_CLOCK set, at a
    later `--at`, as the command says). Running it again in the same minute does nothing new.
    """
    from portal.services.rounds import round_id_for

    settings = command_settings()
    with store(settings) as ready:
        services = services_for(ready)
        program = program_of(services, slug)
        now = services.clock()
        outcome = services.rounds.run(program, round_id_for(now), trigger="cli")
    echo_round(outcome, send_hint(settings, now))
    if outcome.status == "busy":
        raise SystemExit(1)


def echo_round(outcome: RoundOutcome, send: str = "portal send-mail") -> None:
    """What a round did, in a line or two; `send` is how to send what it queued."""
    if outcome.status == "done":
        click.echo(
            f"{outcome.program} round {outcome.round_id}: {outcome.pairs} pairs, "
            f"{outcome.unmatched} not matched, {outcome.emails} emails queued"
            + (
                f", {outcome.refused} pairs taken meanwhile by another round"
                if outcome.refused
                else ""
            )
        )
        click.echo(f"Send them with: {send}")
    else:
        click.echo(f"{outcome.program} round {outcome.round_id}: {'; '.join(outcome.notes)}")
