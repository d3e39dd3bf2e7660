"""Addresses that must not receive program email."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from portal.domain.addresses import address_digest
from portal.persistence.conditional import delete_if
from portal.persistence.tables import SuppressionRecord


def _key(email: str) -> str:
    # One key however the address is written: SES reports it as sent (the domain in ASCII,
    # xn--...), the outbox holds it as typed (in Unicode, in any case).
    # Kept as a digest, never as the address: see docs/architecture.md.
    return address_digest(email)


@dataclass(frozen=True)
class Suppression:
    reason: str  # unsubscribe | bounce | complaint
    since: datetime


class SuppressionRepository:
    def add(self, email: str, reason: str, now: datetime) -> None:
        self.add_digest(_key(email), reason, now)

    def add_digest(self, digest: str, reason: str, now: datetime) -> None:
        """Suppress the address with this digest (an unsubscribe link carries no address)."""
        SuppressionRecord(digest, reason=reason, created_at=now).save()

    def reason(self, email: str) -> str | None:
        """Why the address is suppressed, or None if it may be written to."""
        return self.reason_of(_key(email))

    def reason_of(self, digest: str) -> str | None:
        """Why the address with this digest is suppressed, or None."""
        try:
            return str(SuppressionRecord.get(digest, consistent_read=True).reason)
        except DoesNotExist:
            return None

    def of(self, email: str) -> Suppression | None:
        """The address's suppression with its date, or None."""
        try:
            record = SuppressionRecord.get(_key(email), consistent_read=True)
        except DoesNotExist:
            return None
        return Suppression(reason=record.reason, since=record.created_at)

    def reasons(self, emails: Iterable[str]) -> dict[str, str]:
        """Why each suppressed address of these is suppressed, by address (batched reads)."""
        by_key: dict[str, list[str]] = {}
        for email in emails:
            by_key.setdefault(_key(email), []).append(email)
        found: dict[str, str] = {}
        for record in SuppressionRecord.batch_get(list(by_key)):
            for email in by_key[record.address_hash]:
                found[email] = str(record.reason)
        return found

    def remove(self, email: str) -> None:
        SuppressionRecord(_key(email)).delete()

    def remove_if(self, email: str, reason: str) -> bool:
        """Let the address be written to again, if it is suppressed for this reason; False if
        it is not (it was lifted meanwhile, or is suppressed for another reason now)."""
        return delete_if(SuppressionRecord(_key(email)), SuppressionRecord.reason == reason)
