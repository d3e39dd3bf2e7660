"""`portal dev`: DynamoDB Local, the tables, the demo and the portal, on this machine."""

from __future__ import annotations

import os
import signal
from types import FrameType

import click

from portal.cli.common import command_settings, services_for, store
from portal.settings import remember_base_url


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option("--no-demo", is_flag=True, help="Do not seed the demo program's participants.")
def dev(host: str, port: int, no_demo: bool) -> None:
    """Start DynamoDB Local, create the tables, seed the demo and serve the portal."""
    from werkzeug.serving import run_simple

    from portal import create_app
    from portal.local.demo import seed_demo
    from portal.local.mail_loop import EVERY_SECONDS, MailLoop

    settings = command_settings()
    if settings.stage != "local":
        raise click.ClickException(
            f"`portal dev` runs the local stage, not {settings.stage!r} (unset PORTAL_STAGE)"
        )
    if "PORTAL_BASE_URL" not in os.environ:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only compared
        settings = settings.with_overrides(base_url=f"http://{shown}:{port}")
    remember_base_url(settings.data_dir, settings.base_url)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    with store(settings, publish=True) as ready:
        services = services_for(ready)
        if not no_demo and (demo := services.programs.get("demo")) is not None:
            seeded = seed_demo(demo, services.participants, services.clock())
            if seeded:
                click.echo(f"Seeded the demo program with {seeded} participants.")
        app = create_app(ready, services)
        click.secho(f"Mentor Portal on {ready.base_url} (data in {ready.data_dir})", fg="green")
        click.echo(f"Mail is written to {ready.mail_dir} and listed at {ready.base_url}/dev/mail")
        click.echo(
            f"Queued email is sent every {EVERY_SECONDS:g} s, "
            "as the scheduled function does on AWS."
        )
        click.echo("Press Ctrl-C to stop.")
        mail_loop = MailLoop(services.mail, ready.mail_rate).start()
        try:
            run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
        except KeyboardInterrupt:
            pass
        finally:
            click.echo("Stopping.")
            mail_loop.stop()
