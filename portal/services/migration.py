"""`portal migrate`'s use case: move a deployment's data to the tables keyed by id."""

from __future__ import annotations

from dataclasses import dataclass

from portal.persistence.migration import Migration, TableCount


class MigrationError(Exception):
    """The migration cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class MigrationReport:
    applied: bool
    tables: list[TableCount]
    stopped: bool = False  # stopped at the write limit, the counts so far: run again to finish


def migrate(
    table_prefix: str,
    region: str,
    endpoint: str | None,
    *,
    apply: bool,
    limit: int | None = None,
) -> MigrationReport:
    """Copy the earlier tables into the new ones (`apply`), or count what that would do."""
    # The tables' place, not Settings: services do not read settings (docs/architecture.md).
    migration = Migration(table_prefix, region, endpoint)
    missing = migration.missing_targets()
    if missing:
        raise MigrationError(
            f"the new tables do not exist yet: {', '.join(missing)}. Deploy the template "
            "first (infrastructure/README.md, Upgrading), or `portal tables create` locally"
        )
    counts = migration.run(apply=apply, limit=limit)
    return MigrationReport(apply, counts, stopped=migration.stopped)
