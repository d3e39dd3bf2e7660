"""The roster imports of each program: the live import's entries, its to-dos, staged uploads.

An import's entries are written under its own id before the head item names it (one
conditional write), so readers see the last import whole or the new one whole.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from portal.domain.addresses import address_digest
from portal.domain.roster_plan import RosterEntry
from portal.persistence.conditional import update_if
from portal.persistence.roster_tables import RosterRecord

HEAD = "head"
UPLOAD_PART = 350 * 1024  # gzipped bytes per item: an item holds 400 KB at most
UPLOAD_KEPT = timedelta(days=1)
_ENTRY_FIELDS = tuple(f.name for f in fields(RosterEntry))


def entry_key(import_id: str, email: str) -> str:
    """The sort key of one person's entry in one import (their address only as its digest)."""
    return _entries_of(import_id) + address_digest(email)


def _entries_of(import_id: str) -> str:
    """The sort-key prefix of one import's entries."""
    return f"e#{import_id}#"


def _upload_key(upload_id: str, part: int) -> str:
    return f"u#{upload_id}#{part}"


@dataclass(frozen=True)
class Head:
    """The program's live import, and what it keeps for the next one."""

    import_id: str | None
    imported_at: datetime | None
    imported_by: str
    filename: str
    full: bool
    summary: str
    entries: int
    pending: int
    previous_import: str | None
    mapping: dict[str, str]


@dataclass(frozen=True)
class StoredEntry:
    """One person of an import: the entry, when it went inactive, and what is left to do."""

    entry: RosterEntry
    gone_at: datetime | None = None
    todo: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StoredUpload:
    """A console upload, as kept for its dry run."""

    data: bytes
    details: dict[str, Any]


def _person(entry: RosterEntry) -> dict[str, Any]:
    person = asdict(entry)
    del person["invitations_sent"]  # kept in its own attribute, which a reminder counts up
    invited_at = person.pop("invited_at")
    person["invited_at"] = invited_at.isoformat() if invited_at else None
    return person


def _entry(person: Mapping[str, Any]) -> RosterEntry:
    values = {name: person[name] for name in _ENTRY_FIELDS if name in person}
    invited_at = values.get("invited_at")
    values["invited_at"] = datetime.fromisoformat(invited_at) if invited_at else None
    return RosterEntry(**values)


def _stored(record: RosterRecord) -> StoredEntry:
    person = dict(record.person or {})
    person["invitations_sent"] = int(record.invitations or 0)
    return StoredEntry(_entry(person), record.gone_at, record.todo or None)


def _head(record: RosterRecord) -> Head:
    return Head(
        import_id=record.import_id,
        imported_at=record.imported_at,
        imported_by=record.imported_by or "",
        filename=record.filename or "",
        full=bool(record.full),
        summary=record.summary or "",
        entries=int(record.entries or 0),
        pending=int(record.pending or 0),
        previous_import=record.previous_import,
        mapping=dict(record.mapping or {}),
    )


def _delete_under(program: str, prefix: str) -> int:
    """Delete the program's items whose key starts with `prefix`; how many."""
    deleted = 0
    keys = RosterRecord.query(
        program,
        RosterRecord.key.startswith(prefix),
        attributes_to_get=["program", "key"],
        consistent_read=True,  # every item just written, or none is missed
    )
    with RosterRecord.batch_write() as batch:
        for record in keys:
            batch.delete(record)
            deleted += 1
    return deleted


class RosterStore:
    """Reads and writes the `roster` table."""

    def head(self, program: str) -> Head | None:
        """The program's head item, read consistently; None before its first import or saved
        mapping."""
        try:
            return _head(RosterRecord.get(program, HEAD, consistent_read=True))
        except DoesNotExist:
            return None

    def entries(self, program: str, import_id: str) -> Iterator[StoredEntry]:
        """Every entry of one import."""
        return self._entries(program, import_id)

    def with_todo(self, program: str, import_id: str) -> Iterator[StoredEntry]:
        """The entries of one import with something left to do."""
        return self._entries(program, import_id, RosterRecord.todo.exists())

    def _entries(
        self, program: str, import_id: str, only: Condition | None = None
    ) -> Iterator[StoredEntry]:
        for record in RosterRecord.query(
            program,
            RosterRecord.key.startswith(_entries_of(import_id)),
            filter_condition=only,
            consistent_read=True,
        ):
            yield _stored(record)

    def entry_by_digest(self, program: str, import_id: str, digest: str) -> StoredEntry | None:
        """One person's entry in one import by their address's digest (an invitation's link)."""
        try:
            return _stored(RosterRecord.get(program, _entries_of(import_id) + digest))
        except DoesNotExist:
            return None

    def write_entries(self, program: str, import_id: str, entries: Iterable[StoredEntry]) -> int:
        """Write an import's entries, which nothing reads until `make_live` names the import."""
        written = 0
        with RosterRecord.batch_write() as batch:
            for stored in entries:
                batch.save(
                    RosterRecord(
                        program,
                        entry_key(import_id, stored.entry.email),
                        address_key=address_digest(stored.entry.email),
                        person=_person(stored.entry),
                        invitations=stored.entry.invitations_sent,
                        todo=dict(stored.todo) if stored.todo else None,
                        gone_at=stored.gone_at,
                    )
                )
                written += 1
        return written

    def delete_import(self, program: str, import_id: str) -> int:
        """Delete every entry of an import (one never made live, or one replaced)."""
        return _delete_under(program, _entries_of(import_id))

    def make_live(
        self,
        program: str,
        *,
        import_id: str,
        expected: str | None,
        imported_at: datetime,
        imported_by: str,
        filename: str,
        full: bool,
        summary: str,
        entries: int,
        pending: int,
        mapping: Mapping[str, str] | None,
    ) -> bool:
        """Name `import_id` the live import if the live one is still `expected` (None: no
        import yet); False, and nothing changed, if another import was applied meanwhile."""
        actions = [
            RosterRecord.import_id.set(import_id),
            RosterRecord.imported_at.set(imported_at),
            RosterRecord.imported_by.set(imported_by),
            RosterRecord.filename.set(filename),
            RosterRecord.full.set(full),
            RosterRecord.summary.set(summary),
            RosterRecord.entries.set(entries),
            RosterRecord.pending.set(pending),
        ]
        condition: Condition
        if expected is None:
            condition = RosterRecord.import_id.does_not_exist()
            actions.append(RosterRecord.previous_import.remove())
        else:
            condition = RosterRecord.import_id == expected
            actions.append(RosterRecord.previous_import.set(expected))
        if mapping is not None:
            actions.append(RosterRecord.mapping.set(dict(mapping)))
        return update_if(RosterRecord(program, HEAD), actions, condition)

    def done(self, program: str, import_id: str, email: str) -> bool:
        """Clear an entry's to-do once it is done; the head's count of pending to-dos goes
        down with it (once: a second run finds the to-do gone)."""
        cleared = update_if(
            RosterRecord(program, entry_key(import_id, email)),
            [RosterRecord.todo.remove()],
            RosterRecord.todo.exists(),
        )
        if cleared:
            update_if(
                RosterRecord(program, HEAD),
                [RosterRecord.pending.add(-1)],
                (RosterRecord.import_id == import_id) & (RosterRecord.pending > 0),
            )
        return cleared

    def forget_previous(self, program: str, previous: str) -> bool:
        """Drop the head's note of a replaced import once its entries are deleted."""
        return update_if(
            RosterRecord(program, HEAD),
            [RosterRecord.previous_import.remove()],
            RosterRecord.previous_import == previous,
        )

    def note_invitation(self, program: str, import_id: str, email: str, *, sent: int) -> bool:
        """Record that invitation number `sent + 1` (a reminder) went out, if `sent` is still
        the count: two reminder runs at once send one reminder."""
        record = RosterRecord(program, entry_key(import_id, email))
        return update_if(
            record,
            [RosterRecord.invitations.set(sent + 1)],
            RosterRecord.invitations == sent,
        )

    def save_mapping(self, program: str, mapping: Mapping[str, str]) -> None:
        """Keep a column mapping (header text -> field) for the program's next file."""
        RosterRecord(program, HEAD).update(actions=[RosterRecord.mapping.set(dict(mapping))])

    # -- uploads ---------------------------------------------------------------------------

    def stage(
        self, program: str, upload_id: str, data: bytes, details: Mapping[str, Any], now: datetime
    ) -> None:
        """Keep an uploaded file (gzipped, in parts) and its details for a day."""
        packed = gzip.compress(data, compresslevel=6)
        parts = [packed[i : i + UPLOAD_PART] for i in range(0, len(packed), UPLOAD_PART)] or [b""]
        expires = now + UPLOAD_KEPT
        with RosterRecord.batch_write() as batch:
            for number, part in enumerate(parts):
                batch.save(
                    RosterRecord(
                        program,
                        _upload_key(upload_id, number),
                        data=part,
                        parts=len(parts) if number == 0 else None,
                        staged=dict(details) if number == 0 else None,
                        expires=expires,
                    )
                )

    def upload(self, program: str, upload_id: str, now: datetime) -> StoredUpload | None:
        """A staged file and its details; None if unknown or past its day."""
        try:
            first = RosterRecord.get(program, _upload_key(upload_id, 0), consistent_read=True)
        except DoesNotExist:
            return None
        if first.expires is not None and first.expires <= now:
            return None  # TTL deletes within days, not at once
        packed = [first.data or b""]
        for number in range(1, int(first.parts or 1)):
            try:
                part = RosterRecord.get(
                    program, _upload_key(upload_id, number), consistent_read=True
                )
            except DoesNotExist:
                return None
            packed.append(part.data or b"")
        return StoredUpload(gzip.decompress(b"".join(packed)), dict(first.staged or {}))

    def update_upload(self, program: str, upload_id: str, details: Mapping[str, Any]) -> bool:
        """Replace a staged upload's details (the organizer's mapping); False if it is gone."""
        return update_if(
            RosterRecord(program, _upload_key(upload_id, 0)),
            [RosterRecord.staged.set(dict(details))],
            RosterRecord.parts.exists(),
        )

    def discard(self, program: str, upload_id: str) -> None:
        """Delete a staged upload."""
        _delete_under(program, f"u#{upload_id}#")

    # -- erasure ----------------------------------------------------------------------------

    def keys_of(self, email: str) -> list[tuple[str, str]]:
        """(program, key) of every entry for an address, in every program and import."""
        return [
            (record.program, record.key)
            for record in RosterRecord.by_address.query(address_digest(email))
        ]

    def forget(self, program: str, import_id: str, emails: Sequence[str]) -> None:
        """Delete people's entries from an import (gone from the roster long enough)."""
        self.delete([(program, entry_key(import_id, email)) for email in emails])
        update_if(
            RosterRecord(program, HEAD),
            [RosterRecord.entries.add(-len(emails))],
            RosterRecord.import_id == import_id,
        )

    def live_entries_of(self, email: str) -> list[tuple[str, StoredEntry]]:
        """(program, entry) of the address in each program's live import (its export)."""
        found = []
        for program, key in self.keys_of(email):
            head = self.head(program)
            if (
                head is None
                or head.import_id is None
                or not key.startswith(_entries_of(head.import_id))
            ):
                continue  # an import replaced, about to be deleted
            try:
                found.append((program, _stored(RosterRecord.get(program, key))))
            except DoesNotExist:
                continue
        return found

    def delete(self, keys: Sequence[tuple[str, str]]) -> None:
        """Delete entries by key."""
        with RosterRecord.batch_write() as batch:
            for program, key in keys:
                batch.delete(RosterRecord(program, key))
