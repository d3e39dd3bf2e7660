"""`portal erase`: erase everything held about one person, for an organizer answering a request."""

from __future__ import annotations

import click

from portal.cli.common import command_settings, services_for, store


@click.command("erase")
@click.option("--email", "address", required=True, help="The person's email address.")
@click.option("--apply", is_flag=True, help="Erase. Without it, only show what would be erased.")
def erase_command(address: str, apply: bool) -> None:
    """Erase the person with this address from every program (a dry run unless --apply).

    Their active matches end and each partner is told; their sign-ups, check-ins, goals,
    ratings, emails, links, sessions and logged exports are deleted; a partner's history keeps
    "a former participant". A suppression of the address is kept, as its digest only.
    """
    from portal.domain.addresses import AddressError, typed
    from portal.services.erasure import KINDS, NobodyToErase

    try:
        typed(address)
    except AddressError as exc:
        raise click.BadParameter(
            f"{address!r} is not an email address: {exc}", param_hint="--email"
        ) from None
    settings = command_settings()
    with store(settings) as ready:
        services = services_for(ready)
        try:
            done = (services.erasure.erase if apply else services.erasure.plan)(address)
        except NobodyToErase:
            raise click.ClickException(
                f"no program holds a sign-up for {address} (never signed up, or erased"
                " already): nothing to erase, nothing changed"
            ) from None
    programs = ", ".join(done.programs)
    click.echo(
        f"Erased {address} from {programs}:"
        if apply
        else f"Would erase {address} from {programs} (a dry run: run again with --apply):"
    )
    for kind, words in KINDS:
        click.echo(f"  {done.counts[kind]:>5}  {words}")
