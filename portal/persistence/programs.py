"""Programs stored from the console: each save a new version, the head naming the live one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from portal.persistence.conditional import Put, transact
from portal.persistence.tables import ProgramRecord

HEAD = 0
LISTED = "program"


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
        """Store `document` as the version after `expected` (0: a new program) and make it live.

        Both writes happen together or not at all, and only if the live version is still
        `expected`: the new version's number, or None when someone saved first (or, for a new
        program, when the slug is taken).
        """
        version = expected + 1
        fields: dict[str, Any] = {
            "document": document,
            "saved_at": saved_at,
            "saved_by": saved_by,
            "change": change,
        }
        head_condition = (
            ProgramRecord.slug.does_not_exist()
            if expected == HEAD
            else ProgramRecord.live == expected
        )
        refused = transact(
            Put(
                ProgramRecord(slug, HEAD, live=version, listed=LISTED, **fields),
                head_condition,
            ),
            Put(ProgramRecord(slug, version, **fields), ProgramRecord.slug.does_not_exist()),
        )
        return None if refused else version
