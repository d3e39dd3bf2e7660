"""Unsubscribe links: a signed address in the URL, one click to stop program email."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from portal.domain.clock import Clock
from portal.persistence.suppressions import SuppressionRepository


class Unsubscribes:
    def __init__(
        self, secret_key: str, base_url: str, suppressions: SuppressionRepository, clock: Clock
    ) -> None:
        # Signed, not stored: every email can carry a link without a write per message.
        self._serializer = URLSafeSerializer(secret_key, salt="unsubscribe")
        self.base_url = base_url
        self.suppressions = suppressions
        self.clock = clock

    def url(self, email: str) -> str:
        return f"{self.base_url}/unsubscribe/{self._serializer.dumps(email)}"

    def email_for(self, token: str) -> str | None:
        """The address a link was made for, or None if it was not made by us."""
        try:
            email = self._serializer.loads(token)
        except BadSignature:
            return None
        return email if isinstance(email, str) else None

    def unsubscribe(self, token: str) -> str | None:
        """Stop program email to the link's address; the address, or None for a bad link."""
        email = self.email_for(token)
        if email is not None and self.suppressions.reason(email) is None:
            self.suppressions.add(email, "unsubscribe", self.clock())
        return email
