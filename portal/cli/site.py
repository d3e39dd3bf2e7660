"""`portal site`: the public pages as a static site."""

from __future__ import annotations

import click

from portal.cli.site_publish import publish_command


@click.group("site")
def site_group() -> None:
    """The public pages as a static site: publish them to the stage's bucket."""


site_group.add_command(publish_command)
