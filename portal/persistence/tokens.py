"""Magic-link tokens, stored by hash, consumed once with a conditional update."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

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
    # What the link was sent for (a sign-up's answers); not compared, not hashed.
    payload: dict[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class NewToken:
    """A token about to be stored, by the caller that stores it with other writes."""

    token_hash: str
    purpose: str
    program: str
    subject: str
    created_at: datetime
    expires_at: datetime
    scope: str = ""
    payload: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    def record(self) -> TokenRecord:
        return TokenRecord(
            self.token_hash,
            purpose=self.purpose,
            program=self.program,
            subject=self.subject,
            scope=self.scope or None,
            payload=self.payload,
            created_at=self.created_at,
            expires_at=self.expires_at,
        )


def _to_stored(record: TokenRecord) -> StoredToken:
    return StoredToken(
        purpose=record.purpose,
        program=record.program,
        subject=record.subject,
        expires_at=record.expires_at,
        used_at=record.used_at,
        scope=record.scope or "",
        payload=record.payload,
    )


def unused(purpose: str, now: datetime) -> Condition:
    """The condition for using a token up: it exists, is unused, of this purpose, unexpired."""
    condition: Condition = (  # PynamoDB leaves Condition's & untyped
        TokenRecord.token_hash.exists()
        & TokenRecord.used_at.does_not_exist()
        & (TokenRecord.purpose == purpose)
        & (TokenRecord.expires_at > now)
    )
    return condition


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
        NewToken(
            token_hash,
            purpose,
            program,
            subject,
            created_at=now,
            expires_at=expires_at,
            scope=scope,
        ).record().save(condition=TokenRecord.token_hash.does_not_exist())

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
            unused(purpose, now),
        )
