"""Browser sessions: the cookie carries a random id; who it signed in as stays on the server.

A session id is 256 random bits; only its hash is stored, like a magic link's token, so that
a copy of the table signs nobody in. Each sign-in makes a new id (the old one is deleted), so
an id seen before signing in is worth nothing after.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from portal.domain.clock import Clock
from portal.persistence.sessions import SessionRepository
from portal.persistence.sessions import SignIn as SignIn  # what callers are given


def _hash(session_id: str) -> str:
    # 256 random bits need no salt or slow hash (as for magic links).
    return hashlib.sha256(session_id.encode()).hexdigest()


def _plausible(session_id: str) -> bool:
    return 20 <= len(session_id) <= 100 and all(c.isalnum() or c in "-_" for c in session_id)


class Sessions:
    def __init__(self, repository: SessionRepository, clock: Clock) -> None:
        self.repository = repository
        self.clock = clock

    def sign_in(
        self, previous: str | None, kind: str, program: str, email: str, seconds: int
    ) -> str:
        """A new session id with this sign-in and the previous session's others still running.

        One sign-in of each kind ("me", "organizer"), as one browser has one person at a time.
        """
        now = self.clock()
        sign_ins = {k: s for k, s in self.sign_ins(previous).items() if k != kind}
        sign_ins[kind] = SignIn(program, email, now + timedelta(seconds=seconds))
        session_id = secrets.token_urlsafe(32)
        self.repository.add(_hash(session_id), sign_ins, now=now)
        if previous and _plausible(previous):
            self.repository.delete(_hash(previous))
        return session_id

    def sign_ins(self, session_id: str | None) -> dict[str, SignIn]:
        """The session's sign-ins that have not run out, by kind."""
        if not session_id or not _plausible(session_id):
            return {}
        return self.repository.get(_hash(session_id), self.clock())

    def sign_out(self, session_id: str | None) -> None:
        """Forget the session on the server: its id signs nobody in any more."""
        if session_id and _plausible(session_id):
            self.repository.delete(_hash(session_id))
