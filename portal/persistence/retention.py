"""The reads and deletes of the retention run (portal/services/retention.py): items past their
time, found by an index where one fits and by a scan of the small tables otherwise, and each
deleted only while it is still past its time.

DynamoDB's TTL deletes these items too, but up to a few days late (and DynamoDB Local and moto
never): the daily run is what keeps the privacy notice's promise on the day. Items written
before they carried an `expires_at` are judged by their dates here, as TTL cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.domain.addresses import address_digest
from portal.domain.participants import Participant, Status
from portal.persistence.conditional import Delete, delete_if, transact_if
from portal.persistence.outbox import FAILED, KEEP_SENT_FOR, SENT
from portal.persistence.tables import (
    AddressRecord,
    ExportRecord,
    OutboxRecord,
    ParticipantRecord,
    SessionRecord,
    TokenRecord,
)

# An email's `due_at` is when its last claim's lease ran out: minutes after it was sent or
# given up. Candidates are read with a day to spare, then judged by their own dates.
_DUE_AFTER_SENDING = timedelta(days=1)


@dataclass(frozen=True)
class ExportKey:
    """One logged export, by its key (the address's digest holds no address)."""

    address_hash: str
    exported_at: datetime


class RetentionStore:
    # -- links, sessions and the export log: their TTL attribute is always set -------------

    def expired_links(self, now: datetime) -> list[str]:
        """The hashes of links past their expiry (a scan: the table holds only live links)."""
        return [
            record.token_hash
            for record in TokenRecord.scan(
                TokenRecord.expires_at <= now, attributes_to_get=["token_hash"]
            )
        ]

    def delete_link(self, token_hash: str, now: datetime) -> bool:
        return delete_if(TokenRecord(token_hash), TokenRecord.expires_at <= now)

    def expired_sessions(self, now: datetime) -> list[str]:
        """The hashes of sessions whose every sign-in has run out."""
        return [
            record.session_hash
            for record in SessionRecord.scan(
                SessionRecord.expires_at <= now, attributes_to_get=["session_hash"]
            )
        ]

    def delete_session(self, session_hash: str, now: datetime) -> bool:
        return delete_if(SessionRecord(session_hash), SessionRecord.expires_at <= now)

    def expired_exports(self, now: datetime) -> list[ExportKey]:
        """The logged exports kept for their year (a scan: the log has no index by time)."""
        return [
            ExportKey(record.address_hash, record.exported_at)
            for record in ExportRecord.scan(
                ExportRecord.expires_at <= now, attributes_to_get=["address_hash", "exported_at"]
            )
        ]

    def delete_export(self, key: ExportKey, now: datetime) -> bool:
        return delete_if(
            ExportRecord(key.address_hash, key.exported_at), ExportRecord.expires_at <= now
        )

    # -- the outbox: sent and given-up emails, 90 days after sending ----------------------

    def old_emails(self, now: datetime) -> list[str]:
        """The keys of emails sent or given up more than 90 days ago; queued ones never.

        Found by the by-status index (no scan); an item without `expires_at` (older than the
        attribute) is judged by when it was sent, or else queued.
        """
        bound = int((now - KEEP_SENT_FOR + _DUE_AFTER_SENDING).timestamp())
        keys = [
            record.key
            for status in (SENT, FAILED)
            for record in OutboxRecord.by_status.query(status, OutboxRecord.due_at <= bound)
        ]
        wanted = ["key", "status", "expires_at", "sent_at", "created_at"]
        return sorted(
            record.key
            for record in OutboxRecord.batch_get(keys, attributes_to_get=wanted)
            if record.status in (SENT, FAILED)
            and (
                record.expires_at <= now
                if record.expires_at is not None
                else (record.sent_at or record.created_at) + KEEP_SENT_FOR <= now
            )
        )

    def delete_email(self, key: str) -> bool:
        return delete_if(OutboxRecord(key), OutboxRecord.status.is_in(SENT, FAILED))

    # -- unconfirmed sign-ups ----------------------------------------------------------------

    def delete_unconfirmed(self, person: Participant, now: datetime) -> bool:
        """Delete a sign-up never confirmed, with its address item, both at once; False if
        it was confirmed (or sent again) meanwhile, and then nothing is deleted."""
        still_expired = (ParticipantRecord.status == Status.PENDING.value) & (
            ParticipantRecord.expires_at.does_not_exist() | (ParticipantRecord.expires_at <= now)
        )
        refused = transact_if(
            Delete(ParticipantRecord(person.program, person.participant_id), still_expired),
            Delete(
                AddressRecord(address_digest(person.email), person.program),
                AddressRecord.participant_id.does_not_exist()
                | (AddressRecord.participant_id == person.participant_id),
            ),
        )
        return not refused
