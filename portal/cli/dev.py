"""`portal dev`: DynamoDB Local, the tables, the demo and the portal, on this machine."""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Any

import click

from portal.cli.common import command_settings, services_for, store
from portal.settings import remember_base_url

# The local portal's site admin unless PORTAL_ADMINS names others: example.org takes no mail.
LOCAL_ADMIN = "admin@example.org"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option("--no-demo", is_flag=True, help="Do not seed the demo program's participants.")
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Serve with this many worker processes, each answering one request at a time, as "
    "Lambda instances do (the default: one process, a thread per request).",
)
def dev(host: str, port: int, no_demo: bool, processes: int) -> None:
    """Start DynamoDB Local, create the tables, seed the demo and serve the portal."""
    from werkzeug.serving import run_simple

    from portal import create_app
    from portal.local.demo import seed_demo
    from portal.local.mail_loop import EVERY_SECONDS, Doorbell, MailLoop
    from portal.local.workers import Workers

    settings = command_settings()
    if settings.stage != "local":
        raise click.ClickException(
            f"`portal dev` runs the local stage, not {settings.stage!r} (unset PORTAL_STAGE)"
        )
    if "PORTAL_BASE_URL" not in os.environ:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only compared
        settings = settings.with_overrides(base_url=f"http://{shown}:{port}")
    remember_base_url(settings.data_dir, settings.base_url)
    if "PORTAL_ADMINS" not in os.environ:
        # Someone trying the portal on their machine can create programs in the console.
        settings = settings.with_overrides(admins=(LOCAL_ADMIN,))

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    # A request queues its email and rings the mail loop, which sends it at once: as on AWS,
    # where another invocation sends it, the request does not wait for the sending.
    doorbell = Doorbell()
    with store(settings, publish=True) as ready:
        services = services_for(ready, courier=doorbell.ring)
        if not no_demo and (demo := services.programs.get("demo")) is not None:
            seeded = seed_demo(demo, services.participants, services.clock())
            if seeded:
                click.echo(f"Seeded the demo program with {seeded} participants.")

        def worker_app() -> Any:
            from portal import container

            container.reconnect_tables()  # clients of its own, not the dev server's sockets
            return create_app(ready, services_for(ready, courier=doorbell.ring))

        app = create_app(ready, services)  # also checks the content before saying "on"
        workers = Workers(host, port, processes, worker_app) if processes > 1 else None
        click.secho(f"Mentor Portal on {ready.base_url} (data in {ready.data_dir})", fg="green")
        if workers is not None:
            click.echo(f"{processes} worker processes, each answering one request at a time.")
        click.echo(f"Mail is written to {ready.mail_dir} and listed at {ready.base_url}/dev/mail")
        click.echo(
            f"Site admins: {', '.join(ready.admins) or 'none'} (sign in at "
            f"{ready.base_url}/sign-in; the link is in the mail list; PORTAL_ADMINS to change)"
        )
        click.echo(
            "Queued email is sent at once by a background loop, which also looks for any left "
            f"queued every {EVERY_SECONDS:g} s, as the scheduled function does on AWS."
        )
        click.echo("Press Ctrl-C to stop.")
        mail_loop = MailLoop(services.mail, ready.mail_rate, doorbell=doorbell)
        try:
            if workers is not None:
                try:
                    workers.start()  # forked before the mail loop's thread starts
                except OSError as exc:
                    raise click.ClickException(
                        f"cannot listen on {host}:{port}: {exc.strerror}"
                    ) from None
                mail_loop.start()
                workers.wait()
                if workers.failed:
                    raise click.ClickException(
                        f"{workers.failed} worker process(es) could not serve (see above)"
                    )
            else:
                mail_loop.start()
                run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
        except KeyboardInterrupt:
            pass
        finally:
            click.echo("Stopping.")
            if workers is not None:
                workers.stop()
            mail_loop.stop()
            doorbell.close()
