"""Magic-link tokens, stored by hash, consumed once with a conditional update."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from portal.persistence.conditional import update_if
from portal.persistence.tables import TokenRecord


@dataclass(frozen=True)
class StoredToken:
    purpose: str
    program: str
    subject: str
    expires_at: datetime
    used_at: datetime | None
    scope: str = ""


def _to_stored(record: TokenRecord) -> StoredToken:
    return StoredToken(
        purpose=record.purpose,
        program=record.program,
        subject=record.subject,
        expires_at=record.expires_at,
        used_at=record.used_at,
        scope=record.scope or "",
    )


class TokenRepository:
    def add(
        self,
        token_hash: str,
        *,
        purpose: str,
        program: str,
        subject: str,
        now: datetime,
        expires_at: datetime,
        scope: str = "",
    ) -> None:
        TokenRecord(
            token_hash,
            purpose=purpose,
            program=program,
            subject=subject,
            scope=scope or None,
            created_at=now,
            expires_at=expires_at,
        ).save(condition=TokenRecord.token_hash.does_not_exist())

    def get(self, token_hash: str) -> StoredToken | None:
        try:
            return _to_stored(TokenRecord.get(token_hash, consistent_read=True))
        except DoesNotExist:
            return None

    def mark_used(self, token_hash: str, purpose: str, now: datetime) -> bool:
        """Use up an unused, unexpired token of this purpose; True if this call did."""
        return update_if(
            TokenRecord(token_hash),
            [TokenRecord.used_at.set(now)],
            TokenRecord.token_hash.exists()
            & TokenRecord.used_at.does_not_exist()
            & (TokenRecord.purpose == purpose)
            & (TokenRecord.expires_at > now),
        )
