"""What each organizer chose for the console: its language, keyed by the address's digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from portal.domain.addresses import address_digest
from portal.persistence.tables import PreferenceRecord


@dataclass(frozen=True)
class Preference:
    """An organizer's chosen language, and when they chose it."""

    language: str
    updated_at: datetime


class PreferenceRepository:
    def of(self, email: str) -> Preference | None:
        """The address's saved choice, or None if it never chose."""
        try:
            record = PreferenceRecord.get(address_digest(email), consistent_read=True)
        except DoesNotExist:
            return None
        return Preference(language=record.language, updated_at=record.updated_at)

    def save(self, email: str, language: str, now: datetime) -> None:
        """Keep `language` as the address's choice, replacing any earlier one."""
        PreferenceRecord(address_digest(email), language=language, updated_at=now).save()

    def delete(self, email: str) -> bool:
        """Forget the address's choice; False if it had none."""
        if self.of(email) is None:
            return False
        PreferenceRecord(address_digest(email)).delete()
        return True
