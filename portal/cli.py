"""The `portal` command: the local server, tables, and organizers' tools."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click

from portal.content import ContentError
from portal.local.dynamodb import LocalStoreError
from portal.settings import (
    Settings,
    SettingsError,
    load_settings,
    remember_base_url,
    remembered_base_url,
)


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if settings.is_local and "PORTAL_BASE_URL" not in os.environ:
        # Links in emails this command queues lead to where `portal dev` serves (its --port).
        served = remembered_base_url(settings.data_dir)
        if served:
            settings = settings.with_overrides(base_url=served)
    return settings


@contextmanager
def _store(settings: Settings, *, publish: bool = False) -> Iterator[Settings]:
    """The database this command should use: AWS in the aws stage, else the local store."""
    if settings.stage == "aws":
        from portal.persistence import tables

        tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
        yield settings
        return
    from portal.local.store import local_store

    try:
        with local_store(
            settings, publish=publish, warn=lambda m: click.secho(m, fg="yellow", err=True)
        ) as ready:
            yield ready
    except LocalStoreError as exc:
        raise click.ClickException(str(exc)) from None


def _services(settings: Settings, **wiring: Any) -> Any:
    from portal.services import build_services

    try:
        return build_services(settings, **wiring)
    except ContentError as exc:
        raise click.ClickException(f"the content folder has errors:\n{exc}") from None


def _program(services: Any, slug: str) -> Any:
    """The program with this slug, or a usage error listing the known ones."""
    program = services.programs.get(slug)
    if program is None:
        known = ", ".join(p.slug for p in services.programs) or "none"
        raise click.UsageError(f"no program {slug!r} (known: {known})")
    return program


class _Moment(click.ParamType):
    """An ISO date or date-time (UTC unless it carries an offset)."""

    name = "ISO-DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        from portal.domain.clock import parse_moment

        try:
            return parse_moment(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


AT_HELP = (
    "Act as if it were this moment, e.g. 2026-03-16T08:00 (UTC unless an offset is given). "
    "Default: PORTAL_CLOCK if set, else now."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Mentor Portal: run it locally and look after programs from a terminal."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("botocore", "pynamodb", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@main.command()
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
    from portal.persistence import tables as table_models

    settings = _settings()
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
    # A request queues its email and rings the mail loop, which sends it at once: as on AWS,
    # where another invocation sends it, the request does not wait for the sending.
    doorbell = Doorbell()
    with _store(settings, publish=True) as ready:
        services = _services(ready, courier=doorbell.ring)
        if not no_demo and (demo := services.programs.get("demo")) is not None:
            seeded = seed_demo(demo, services.participants, services.clock())
            if seeded:
                click.echo(f"Seeded the demo program with {seeded} participants.")

        def worker_app() -> Any:
            table_models.reconnect()  # a client of its own, not the dev server's sockets
            return create_app(ready, _services(ready, courier=doorbell.ring))

        app = create_app(ready, services)  # also checks the content before saying "on"
        workers = Workers(host, port, processes, worker_app) if processes > 1 else None
        click.secho(f"Mentor Portal on {ready.base_url} (data in {ready.data_dir})", fg="green")
        if workers is not None:
            click.echo(f"{processes} worker processes, each answering one request at a time.")
        click.echo(f"Mail is written to {ready.mail_dir} and listed at {ready.base_url}/dev/mail")
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


@main.group()
def tables() -> None:
    """DynamoDB tables."""


@tables.command("create")
def tables_create() -> None:
    """Create any missing table (safe to run again)."""
    from portal.persistence import tables as table_models

    settings = _settings()
    with _store(settings) as ready:
        # The local store creates its tables when it starts.
        created = table_models.create_tables() if ready.stage == "aws" else []
        names = [model.Meta.table_name for model in table_models.ALL_MODELS]
        click.echo(f"{len(names)} tables ready: {', '.join(names)}")
        if created:
            click.echo(f"created: {', '.join(created)}")


@main.command()
@click.option("--program", "slug", required=True, help="The program's slug, e.g. demo.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def participants(slug: str, output: str) -> None:
    """List a program's participants with role and status."""
    settings = _settings()
    with _store(settings) as ready:
        services = _services(ready)
        program = _program(services, slug)
        people = sorted(
            services.participants.for_program(slug), key=lambda p: (p.role.value, p.name.lower())
        )
    if output == "json":
        rows = [
            {
                "email": p.email,
                "name": p.name,
                "role": p.role.value,
                "status": p.status.value,
                "signed_up": p.created_at.isoformat() if p.created_at else None,
                "confirmed": p.confirmed_at.isoformat() if p.confirmed_at else None,
            }
            for p in people
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not people:
        click.echo(f"{program.title}: no participants yet.")
        return
    widths = (max(len(p.name) for p in people), max(len(p.email) for p in people), 6, 9)
    header = ("Name", "Email", "Role", "Status")
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for p in people:
        cells = (p.name, p.email, p.role.value, p.status.value)
        click.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    counts: dict[str, int] = {}
    for p in people:
        counts[p.status.value] = counts.get(p.status.value, 0) + 1
    click.echo(
        f"\n{len(people)} participants: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )


@main.command("match")
@click.argument("source", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--program",
    "program_ref",
    required=True,
    help="A program slug from content/programs or a program file.",
)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--scores",
    "scores_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every candidate pair with its score or veto reason to this CSV file.",
)
@click.option(
    "--at",
    "moment",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Compare availability with the time zones' offsets on this date (default: now), "
    "so that a dry run can be repeated exactly.",
)
def match_command(
    source: Path, program_ref: str, output: str, scores_path: Path | None, moment: datetime | None
) -> None:
    """Dry run: match the participants in a CSV or JSON file and print the result.

    Nothing is stored and no email is sent.
    """
    from portal.domain.imports import ImportProblem, parse_participants
    from portal.domain.matching import match, score_all_pairs
    from portal.programs import resolve_program
    from portal.reports import match_result_json, match_result_table, write_scores

    settings = _settings()
    try:
        program = resolve_program(program_ref, settings.content_dir / "programs")
    except ContentError as exc:
        raise click.BadParameter(str(exc), param_hint="--program") from None
    kind = "json" if source.suffix.lower() == ".json" else "csv"
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise click.BadParameter(f"{source}: no such file", param_hint="INPUT") from None
    except UnicodeDecodeError:
        raise click.BadParameter(f"{source}: is not UTF-8 text", param_hint="INPUT") from None
    try:
        people = parse_participants(text, program, kind=kind)
    except ImportProblem as problem:
        click.echo(f"{source}: {len(problem.errors)} problem(s), nothing was matched:", err=True)
        for line in problem.errors:
            click.echo(f"  {line}", err=True)
        raise SystemExit(1) from None
    now = moment.replace(tzinfo=UTC) if moment else datetime.now(UTC)
    result = match(program, people, now=now)
    if scores_path is not None:
        try:
            write_scores(
                scores_path,
                score_all_pairs(program, people, now=now),
                peer=program.format.value == "peer",
            )
        except OSError as exc:
            raise click.BadParameter(
                f"cannot write {scores_path}: {exc.strerror or exc}", param_hint="--scores"
            ) from None
    if output == "json":
        click.echo(json.dumps(match_result_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(match_result_table(result, program.title))


@main.command("round")
@click.option("--program", "slug", required=True, help="The program's slug, e.g. demo.")
def round_command(slug: str) -> None:
    """Run a matching round now: match everyone waiting, store the pairs, queue the emails.

    Emails are queued, not sent: `portal send-mail` sends them. Running it again in the same
    minute does nothing new.
    """
    from portal.services.rounds import round_id_for

    settings = _settings()
    with _store(settings) as ready:
        services = _services(ready)
        program = _program(services, slug)
        outcome = services.rounds.run(program, round_id_for(services.clock()), trigger="cli")
    _echo_round(outcome)
    if outcome.status == "busy":
        raise SystemExit(1)


def _echo_round(outcome: Any) -> None:
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
        click.echo("Send them with: portal send-mail")
    else:
        click.echo(f"{outcome.program} round {outcome.round_id}: {'; '.join(outcome.notes)}")


@main.command("send-mail")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--at", "moment", type=_Moment(), help=AT_HELP)
def send_mail(limit: int, moment: datetime | None) -> None:
    """Send the queued emails that are due (retrying earlier failures whose time has come)."""
    settings = _settings()
    if moment is not None:
        settings = settings.with_overrides(clock_start=moment)
    with _store(settings) as ready:
        services = _services(ready)
        report = services.mail.drain(limit=limit, per_second=ready.mail_rate)
    click.echo(f"{report.sent} sent, {report.retrying} to retry later, {report.failed} failed")


def _send_hint(settings: Settings, now: datetime) -> str:
    """How to send what was queued: on a simulated clock, a moment after it was queued."""
    if settings.clock_start is None:
        return "portal send-mail"
    # Each command's simulated clock starts again at PORTAL_CLOCK (or --at): mail queued a
    # few seconds after it would not be due yet at that same moment.
    later = now + timedelta(hours=1)
    return f"portal send-mail --at {later.strftime('%Y-%m-%dT%H:%M')}"


@main.command("remind")
@click.option("--at", "moment", type=_Moment(), help=AT_HELP)
def remind_command(moment: datetime | None) -> None:
    """Queue the check-in reminders, nudges, alerts, re-match offers and surveys due now.

    Each step goes once per pair and quiet spell, however often this runs. Emails are
    queued, not sent: `portal send-mail` sends them.
    """
    settings = _settings()
    if moment is not None:
        settings = settings.with_overrides(clock_start=moment)
    with _store(settings) as ready:
        services = _services(ready)
        now = services.clock()
        outcomes = services.reminders.remind(now)
    click.echo(f"Reminders at {now.strftime('%Y-%m-%d %H:%M')} UTC:")
    for outcome in outcomes:
        done = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in outcome.queued.items())
        click.echo(
            f"  {outcome.program}: {outcome.pairs} active pairs, "
            + (f"queued {done}" if done else "nothing due")
        )
        if outcome.status == "failed":
            click.secho(
                f"  {outcome.program}: some reminders failed (see the log above); running "
                "again repeats nothing that was queued",
                fg="red",
                err=True,
            )
    if any(o.queued for o in outcomes):
        click.echo(f"Send them with: {_send_hint(settings, now)}")
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)


@main.command("summaries")
@click.option("--program", "slug", required=True, help="The program's slug, e.g. demo.")
@click.option("--at", "moment", type=_Moment(), help=AT_HELP)
@click.option("--show", is_flag=True, help="Also print the summary's plain text.")
def summaries_command(slug: str, moment: datetime | None, show: bool) -> None:
    """Queue the weekly progress summary of a program (the week up to now) to its organizers.

    Running it again in the same minute does nothing new. `portal send-mail` sends it.
    """
    from portal.mail.render import render
    from portal.services.summaries import TEMPLATE

    settings = _settings()
    if moment is not None:
        settings = settings.with_overrides(clock_start=moment)
    with _store(settings) as ready:
        services = _services(ready)
        program = _program(services, slug)
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
        click.echo(f"Send it with: {_send_hint(settings, now)}")
    if text is not None:
        click.echo(f"\nSubject: {text.subject}\n\n{text.text}")


if __name__ == "__main__":
    sys.exit(main())
