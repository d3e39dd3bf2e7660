"""Programs stored from the console: each save a new version, the head naming the live one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from portal.domain.audit import AuditEntry
from portal.persistence.audit import audit_record
from portal.persistence.conditional import Put, transact
from portal.persistence.tables import ProgramRecord

HEAD = 0
LISTED = "program"


@dataclass(frozen=True)
class ProgramSave:
    """One program to store as the version after `expected`."""

    slug: str
    document: dict[str, Any]
    expected: int
    saved_at: datetime
    saved_by: str
    change: str


# A transaction holds at most 100 writes: two for each program, one for each audit entry.
MOST_PROGRAMS_AT_ONCE = 30


@dataclass(frozen=True)
class StoredProgram:
    """A program's document at one version, and who saved it when."""

    slug: str
    version: int
    document: dict[str, Any]
    saved_at: datetime
    saved_by: str
    change: str


def _stored(record: ProgramRecord, version: int) -> StoredProgram:
    return StoredProgram(
        slug=record.slug,
        version=version,
        document=dict(record.document or {}),
        saved_at=record.saved_at,
        saved_by=record.saved_by,
        change=record.change or "",
    )


class ProgramStore:
    def live(self) -> list[StoredProgram]:
        """Every stored program at its live version: one Query of the sparse `heads` index."""
        return [
            _stored(record, int(record.live or 0)) for record in ProgramRecord.heads.query(LISTED)
        ]

    def get(self, slug: str) -> StoredProgram | None:
        """The program at its live version, read consistently; None if none is stored."""
        try:
            record = ProgramRecord.get(slug, HEAD, consistent_read=True)
        except DoesNotExist:
            return None
        return _stored(record, int(record.live or 0))

    def versions(self, slug: str, limit: int = 50) -> list[StoredProgram]:
        """The program's saves, newest first (at most `limit`)."""
        records = ProgramRecord.query(
            slug, ProgramRecord.version > HEAD, scan_index_forward=False, limit=limit
        )
        return [_stored(record, int(record.version)) for record in records]

    def version(self, slug: str, version: int) -> StoredProgram | None:
        """One save of the program; None if there is no such version."""
        if version <= HEAD:
            return None
        try:
            return _stored(ProgramRecord.get(slug, version), version)
        except DoesNotExist:
            return None

    def save_all(
        self, saves: Sequence[ProgramSave], audit: Sequence[AuditEntry] = ()
    ) -> dict[str, int] | None:
        """Store each program as the version after its `expected` (0: a new program) and make
        it live, with the audit entries that record it: all in one transaction, or nothing.

        Each save happens only if its program's live version is still `expected`: the new
        versions by slug, or None when any was refused (someone saved first, a new program's
        slug is taken, or another transaction was writing the same item at that moment).
        """
        writes: list[Put] = []
        for save in saves:
            fields: dict[str, Any] = {
                "document": save.document,
                "saved_at": save.saved_at,
                "saved_by": save.saved_by,
                "change": save.change,
            }
            head_condition = (
                ProgramRecord.slug.does_not_exist()
                if save.expected == HEAD
                else ProgramRecord.live == save.expected
            )
            version = save.expected + 1
            writes.append(
                Put(
                    ProgramRecord(save.slug, HEAD, live=version, listed=LISTED, **fields),
                    head_condition,
                )
            )
            writes.append(
                Put(
                    ProgramRecord(save.slug, version, **fields), ProgramRecord.slug.does_not_exist()
                )
            )
        writes.extend(Put(audit_record(entry)) for entry in audit)
        if transact(*writes):
            return None
        return {save.slug: save.expected + 1 for save in saves}

    def save(
        self,
        slug: str,
        document: dict[str, Any],
        *,
        expected: int,
        saved_at: datetime,
        saved_by: str,
        change: str,
    ) -> int | None:
        """Store one program as the version after `expected`, as `save_all` does."""
        saved = self.save_all([ProgramSave(slug, document, expected, saved_at, saved_by, change)])
        return None if saved is None else saved[slug]
