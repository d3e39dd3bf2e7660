"""Browser sessions kept server-side, by the hash of the id the cookie carries, expiring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist

from portal.persistence.tables import SessionRecord


@dataclass(frozen=True)
class SignIn:
    """Who an emailed link signed in, in which program, and until when."""

    program: str
    email: str
    until: datetime


class SessionRepository:
    def add(self, session_hash: str, sign_ins: Mapping[str, SignIn], *, now: datetime) -> None:
        """Store a new session; it lives as long as its longest sign-in."""
        SessionRecord(
            session_hash,
            sign_ins={
                kind: {
                    "program": sign_in.program,
                    "email": sign_in.email,
                    "until": int(sign_in.until.timestamp()),
                }
                for kind, sign_in in sign_ins.items()
            },
            created_at=now,
            expires_at=max(sign_in.until for sign_in in sign_ins.values()),
        ).save(condition=SessionRecord.session_hash.does_not_exist())

    def get(self, session_hash: str, now: datetime) -> dict[str, SignIn]:
        """The session's sign-ins that have not run out; none for an unknown or expired one."""
        try:
            record = SessionRecord.get(session_hash, consistent_read=True)
        except DoesNotExist:
            return {}
        # DynamoDB deletes expired items within a few days (DynamoDB Local and moto never):
        # an expired session is no session.
        if record.expires_at <= now:
            return {}
        found = {}
        for kind, value in (record.sign_ins or {}).items():
            until = datetime.fromtimestamp(int(value["until"]), UTC)
            if until > now:
                found[kind] = SignIn(str(value["program"]), str(value["email"]), until)
        return found

    def delete(self, session_hash: str) -> None:
        """Forget a session (signing out, or a new id replacing it); nothing if it is gone."""
        SessionRecord(session_hash).delete()
