"""The organizers' audit log: one item per action, by program, newest last in the key order."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from portal.domain.audit import AuditEntry
from portal.persistence.tables import AuditRecord

# Long enough to answer "who ended this match last spring?", then DynamoDB's TTL removes it.
KEEP_AUDIT_FOR = timedelta(days=365)


def _entry_id(at: datetime) -> str:
    # Time-ordered, and unique for two actions in the same microsecond.
    return f"{at.isoformat(timespec='microseconds')}#{secrets.token_hex(4)}"


def _to_entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        program=record.program,
        at=record.at,
        organizer=record.organizer,
        action=record.action,
        subject_kind=record.subject_kind or "",
        subject=record.subject or "",
        detail=record.detail or "",
    )


def audit_record(entry: AuditEntry) -> AuditRecord:
    """The item an entry is stored as (for a transaction that writes it with what it records)."""
    return AuditRecord(
        entry.program,
        _entry_id(entry.at),
        at=entry.at,
        organizer=entry.organizer,
        action=entry.action,
        subject_kind=entry.subject_kind or None,
        subject=entry.subject or None,
        detail=entry.detail or None,
        expires_at=entry.at + KEEP_AUDIT_FOR,
    )


class AuditTrail:
    def add(self, entry: AuditEntry) -> str:
        """Store one entry; its id (time-ordered)."""
        record = audit_record(entry)
        record.save()
        return str(record.entry_id)

    def newest(
        self, program: str, limit: int, before: str | None = None
    ) -> tuple[list[AuditEntry], str | None]:
        """Up to `limit` entries, newest first, older than the id `before`; and the id to go on
        from when there are more."""
        condition = AuditRecord.entry_id < before if before else None
        records = list(
            AuditRecord.query(
                program,
                range_key_condition=condition,
                scan_index_forward=False,
                limit=limit + 1,
                page_size=limit + 1,
                consistent_read=True,
            )
        )
        # One item past the page says whether there is an older page, which starts after the last.
        after = records[limit - 1].entry_id if len(records) > limit else None
        return [_to_entry(r) for r in records[:limit]], after

    def of_subject(self, program: str, subject: str) -> list[AuditEntry]:
        """Every entry about one subject, newest first (a person's page shows them)."""
        return [
            _to_entry(r)
            for r in AuditRecord.query(
                program,
                filter_condition=AuditRecord.subject == subject,
                scan_index_forward=False,
                consistent_read=True,
            )
        ]
