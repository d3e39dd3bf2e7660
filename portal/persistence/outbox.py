"""The email outbox: every message is stored before it is sent, keyed so it is queued once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action

from portal.domain.addresses import address_digest
from portal.persistence.conditional import save_if, update_if
from portal.persistence.tables import OutboxRecord

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
# Sent messages are kept a while for the record, then DynamoDB's TTL removes them.
KEEP_SENT_FOR = timedelta(days=90)


@dataclass(frozen=True)
class OutboxItem:
    key: str
    recipient: str
    template: str
    program: str | None
    raw: str
    status: str = PENDING
    attempts: int = 0
    last_error: str | None = None
    provider_id: str | None = None
    subject: str = ""


@dataclass(frozen=True)
class MailRecord:
    """What is kept of an email to someone once it is queued: never its body or links."""

    template: str
    subject: str  # "" for emails queued before subjects were kept
    program: str | None
    status: str
    queued_at: datetime
    sent_at: datetime | None


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _to_item(record: OutboxRecord) -> OutboxItem:
    return OutboxItem(
        key=record.key,
        recipient=record.recipient,
        template=record.template,
        program=record.program,
        raw=record.raw,
        status=record.status,
        attempts=int(record.attempts or 0),
        last_error=record.last_error,
        provider_id=record.provider_id,
        subject=record.subject or "",
    )


def queued_record(item: OutboxItem, now: datetime) -> OutboxRecord:
    """The outbox item of a message due now (stored alone, or with other writes)."""
    return OutboxRecord(
        item.key,
        status=PENDING,
        due_at=_epoch(now),
        recipient=item.recipient,
        address_hash=address_digest(item.recipient),
        template=item.template,
        subject=item.subject or None,
        program=item.program,
        raw=item.raw,
        attempts=0,
        created_at=now,
    )


class OutboxRepository:
    def enqueue(self, item: OutboxItem, now: datetime) -> bool:
        """Store a message unless one with the same key exists; True if this call stored it."""
        return save_if(queued_record(item, now), OutboxRecord.key.does_not_exist())

    def get(self, key: str) -> OutboxItem | None:
        try:
            return _to_item(OutboxRecord.get(key, consistent_read=True))
        except DoesNotExist:
            return None

    def due_keys(self, now: datetime, limit: int) -> list[str]:
        """Keys of pending messages whose time has come, oldest first."""
        # Only the keys: the index holds whole messages, and a page of their bodies would be
        # read (and paid for) to throw away.
        query = OutboxRecord.by_status.query(
            PENDING, OutboxRecord.due_at <= _epoch(now), limit=limit, attributes_to_get=["key"]
        )
        return [record.key for record in query]

    def to_address(self, email: str) -> list[MailRecord]:
        """Every email queued to this address that the outbox still holds, oldest first.

        Found by the by-recipient index, without a scan; the body is never read. Items queued
        before the index's attribute was written are not found (they expire 90 days after
        sending).
        """
        keys = [
            record.key
            for record in OutboxRecord.by_recipient.query(
                address_digest(email), attributes_to_get=["key"]
            )
        ]
        wanted = ["key", "template", "subject", "program", "status", "created_at", "sent_at"]
        found = [
            MailRecord(
                template=record.template,
                subject=record.subject or "",
                program=record.program,
                status=record.status,
                queued_at=record.created_at,
                sent_at=record.sent_at,
            )
            for record in OutboxRecord.batch_get(keys, attributes_to_get=wanted)
        ]
        return sorted(found, key=lambda mail: mail.queued_at)

    def claim(self, key: str, now: datetime, lease: timedelta) -> OutboxItem | None:
        """Take a due message for sending by pushing its due time past a lease.

        Two drainers cannot both claim it; if the claimer dies, it is due again after the lease.
        """
        claimed = update_if(
            OutboxRecord(key),
            [OutboxRecord.due_at.set(_epoch(now + lease))],
            (OutboxRecord.status == PENDING) & (OutboxRecord.due_at <= _epoch(now)),
        )
        return self.get(key) if claimed else None

    def mark_sent(self, key: str, provider_id: str, now: datetime) -> None:
        OutboxRecord(key).update(
            actions=[
                OutboxRecord.status.set(SENT),
                OutboxRecord.provider_id.set(provider_id),
                OutboxRecord.sent_at.set(now),
                OutboxRecord.attempts.add(1),
                OutboxRecord.expires_at.set(now + KEEP_SENT_FOR),
                # The body (and any link in it) has no use once sent: keep only the envelope.
                OutboxRecord.raw.set(""),
                OutboxRecord.last_error.remove(),
            ]
        )

    def mark_attempt_failed(
        self, key: str, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        """Record a failed attempt; retry at `retry_at`, or give up when it is None.

        An email given up is kept as a sent one is: its envelope and subject, for as long,
        without its body (which holds links and the other person's details).
        """
        actions: list[Action] = [
            OutboxRecord.attempts.add(1),
            OutboxRecord.last_error.set(error[:500]),
        ]
        if retry_at is None:
            actions.append(OutboxRecord.status.set(FAILED))
            actions.append(OutboxRecord.raw.set(""))
            actions.append(OutboxRecord.expires_at.set(now + KEEP_SENT_FOR))
        else:
            actions.append(OutboxRecord.due_at.set(_epoch(retry_at)))
        OutboxRecord(key).update(actions=actions)

    def failed_since(self, program: str, since: datetime) -> list[OutboxItem]:
        """A program's emails that gave up (no more retries) since `since`, oldest first.

        A failed message keeps the due time of its last attempt, so the status index finds the
        recent ones without a scan.
        """
        query = OutboxRecord.by_status.query(FAILED, OutboxRecord.due_at >= _epoch(since))
        found = []
        for key in query:
            try:
                record = OutboxRecord.get(key.key)
            except DoesNotExist:
                continue
            if record.program == program:
                found.append(_to_item(record))
        return found
