"""Magic links: random single-use tokens whose hash is stored with an expiry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from portal.domain.clock import Clock
from portal.persistence.tokens import NewToken, StoredToken, TokenRepository


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class MagicLinkError(Exception):
    def __init__(self, problem: LinkProblem, grant: LinkGrant | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.grant = grant  # whose the link was, when it exists but was used or expired


@dataclass(frozen=True)
class LinkGrant:
    """What an accepted link lets its holder do."""

    purpose: str
    program: str
    subject: str
    scope: str = ""  # what within the program the link is about, e.g. a match id
    # What the link was sent for, stored with it (a sign-up's answers).
    payload: dict[str, Any] | None = field(default=None, compare=False, hash=False)


def token_hash(token: str) -> str:
    """The key a token is stored under."""
    # 256 random bits need no salt or slow hash; the table never holds the token itself.
    return hashlib.sha256(token.encode()).hexdigest()


class MagicLinks:
    def __init__(self, tokens: TokenRepository, clock: Clock, ttl: timedelta) -> None:
        self.tokens = tokens
        self.clock = clock
        self.ttl = ttl

    def issue(
        self,
        purpose: str,
        program: str,
        subject: str,
        *,
        scope: str = "",
        ttl: timedelta | None = None,
    ) -> str:
        """A new token for `subject`; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.tokens.add(
            token_hash(token),
            purpose=purpose,
            program=program,
            subject=subject,
            now=now,
            expires_at=now + (ttl or self.ttl),
            scope=scope,
        )
        return token

    def prepare(
        self,
        purpose: str,
        program: str,
        subject: str,
        *,
        ttl: timedelta | None = None,
        payload: dict[str, Any] | None = None,
    ) -> tuple[str, NewToken]:
        """A new token and what to store for it, for a caller that stores it with other writes."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        return token, NewToken(
            token_hash(token),
            purpose,
            program,
            subject,
            created_at=now,
            expires_at=now + (ttl or self.ttl),
            payload=payload,
        )

    def check(self, token: str, purpose: str) -> LinkGrant:
        """What the token would grant, without using it up (for GET)."""
        stored = self.tokens.get(token_hash(token)) if _plausible(token) else None
        if stored is None or stored.purpose != purpose:
            raise MagicLinkError(LinkProblem.UNKNOWN)
        if stored.used_at is not None:
            raise MagicLinkError(LinkProblem.USED, _grant(stored))
        if stored.expires_at <= self.clock():
            raise MagicLinkError(LinkProblem.EXPIRED, _grant(stored))
        return _grant(stored)

    def consume(self, token: str, purpose: str) -> LinkGrant:
        """Use the token up (for POST); exactly one caller succeeds."""
        if not _plausible(token):
            raise MagicLinkError(LinkProblem.UNKNOWN)
        key = token_hash(token)
        if self.tokens.mark_used(key, purpose, self.clock()):
            stored = self.tokens.get(key)
            assert stored is not None
            return _grant(stored)
        # Say why, from a second read; the conditional update already decided.
        self.check(token, purpose)  # raises with the reason and whose the link was
        raise MagicLinkError(LinkProblem.USED)


def _grant(stored: StoredToken) -> LinkGrant:
    return LinkGrant(
        purpose=stored.purpose,
        program=stored.program,
        subject=stored.subject,
        scope=stored.scope,
        payload=stored.payload,
    )


def _plausible(token: str) -> bool:
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)
