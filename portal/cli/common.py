"""What the `portal` commands share: settings, the database to use, services, a program, --at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from portal.catalog.documents import ContentError
from portal.local.dynamodb import LocalStoreError
from portal.settings import (
    Settings,
    SettingsError,
    load_settings,
    remembered_base_url,
)

if TYPE_CHECKING:
    from portal.container import Services
    from portal.domain.program import Program


def command_settings() -> Settings:
    """The settings a command runs with; locally, links lead to where `portal dev` served."""
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


def at_moment(settings: Settings, moment: datetime | None) -> Settings:
    """The settings with their clock starting at `--at`, when it is given."""
    return settings if moment is None else settings.with_overrides(clock_start=moment)


@contextmanager
def store(settings: Settings, *, publish: bool = False) -> Iterator[Settings]:
    """The database this command should use: AWS in the aws stage, else the local store."""
    if settings.stage == "aws":
        from portal.container import bind_tables

        bind_tables(settings)
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


def services_for(settings: Settings, **wiring: Any) -> Services:
    """The services wired by the container, or the content folder's errors as the message."""
    # Imported when a command runs: `portal --help` and `portal match` need no database.
    from portal import container

    try:
        return container.build_services(settings, **wiring)
    except ContentError as exc:
        raise click.ClickException(f"the content folder has errors:\n{exc}") from None


def program_of(services: Services, slug: str) -> Program:
    """The program with this slug, or a usage error listing the known ones."""
    program = services.programs.get(slug)
    if program is None:
        known = ", ".join(p.slug for p in services.programs) or "none"
        raise click.UsageError(f"no program {slug!r} (known: {known})")
    return program


def send_hint(settings: Settings, now: datetime) -> str:
    """How to send what was queued: on a simulated clock, a moment after it was queued."""
    if settings.clock_start is None:
        return "portal send-mail"
    # Each command's simulated clock starts again at PORTAL_CLOCK (or --at): mail queued a
    # few seconds after it would not be due yet at that same moment.
    later = now + timedelta(hours=1)
    return f"portal send-mail --at {later.strftime('%Y-%m-%dT%H:%M')}"


class Moment(click.ParamType[datetime]):
    """An ISO date or date-time (UTC unless it carries an offset)."""

    name = "ISO-DATETIME"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
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
at_option = click.option("--at", "moment", type=Moment(), help=AT_HELP)
