"""The log of exports of a person's data: one item per export, by the address's digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.domain.addresses import address_digest
from portal.persistence.tables import ExportRecord

# Long enough to answer "when did I (or you) export my data?", then DynamoDB's TTL removes it.
KEEP_EXPORTS_FOR = timedelta(days=365)


@dataclass(frozen=True)
class ExportEntry:
    """One export: when, by which route (web | cli), asked for by whom, of which programs."""

    exported_at: datetime
    route: str
    requested_by: str
    programs: tuple[str, ...]


class ExportLog:
    def record(self, email: str, entry: ExportEntry) -> None:
        """Log an export of the data held about this address."""
        ExportRecord(
            address_digest(email),
            entry.exported_at,
            route=entry.route,
            requested_by=entry.requested_by,
            programs=list(entry.programs),
            expires_at=entry.exported_at + KEEP_EXPORTS_FOR,
        ).save()

    def of(self, email: str) -> list[ExportEntry]:
        """The address's logged exports, oldest first."""
        return [
            ExportEntry(
                exported_at=record.exported_at,
                route=record.route,
                requested_by=record.requested_by,
                programs=tuple(record.programs or ()),
            )
            for record in ExportRecord.query(address_digest(email), consistent_read=True)
        ]
