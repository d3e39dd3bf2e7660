"""`portal site`: the public pages as static files, for the site's bucket behind CloudFront."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from portal.cli.common import command_settings, services_for, store
from portal.cli.site_publish import publish_command

DEFAULT_OUT = Path("build") / "site"


@click.group("site")
def site_group() -> None:
    """The static site: the public pages rendered to files, one folder per language, and
    published to the stage's bucket."""


@site_group.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="The folder to write the site into (its language folders are built anew).",
)
def build_command(out: Path) -> None:
    """Render every public page into OUT/<language>/: home, content pages, the programs list,
    each program's page and agreement, and the 404 and error pages."""
    from portal import create_app, i18n
    from portal.services.site import SiteBuildError, build_site

    held = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    others = [name for name in held if name not in i18n.LANGUAGES]
    if others:
        # Only a site's own folders are replaced: never someone's other files.
        raise click.ClickException(
            f"{out} holds more than a built site ({', '.join(others)}): choose a new or empty "
            "folder with --out"
        )
    settings = command_settings()
    with store(settings) as ready:
        app = create_app(ready, services_for(ready))
        for language in i18n.LANGUAGES:
            # A page no longer public (a removed program) must not stay behind.
            shutil.rmtree(out / language, ignore_errors=True)
        try:
            written = build_site(out, app)
        except SiteBuildError as exc:
            raise click.ClickException(str(exc)) from None
    for language in i18n.LANGUAGES:
        count = sum(1 for path in written if path.is_relative_to(out / language))
        click.echo(f"{language}: {count} files in {out / language}")
    click.echo(
        f"Preview: cd {out / i18n.DEFAULT_LANGUAGE} && python -m http.server "
        "(or `make site-preview`, with the app's CSS)"
    )


site_group.add_command(publish_command)


@site_group.command("origin-token")
def origin_token_command() -> None:
    """Print the stage's origin token: the stack's OriginToken parameter, which the
    distribution adds to each request it sends the app, made from PORTAL_SECRET_KEY."""
    settings = command_settings()
    if not settings.secret_key:
        raise click.ClickException(
            "PORTAL_SECRET_KEY is not set: the origin token is made from the stage's secret key "
            "(set it as the deployed function has it)"
        )
    click.echo(settings.origin_token)
