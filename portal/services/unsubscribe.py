"""Unsubscribe links: one click to stop program email, with no address in the URL.

A link carries, signed, the digest that suppressions are keyed by and the address masked for
the page ("ad•••@example.org"), never the address itself: URLs end up in logs, browser
history and forwarded emails.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from portal.domain.addresses import address_digest
from portal.domain.clock import Clock
from portal.persistence.suppressions import SuppressionRepository


def masked(email: str) -> str:
    """The address as the unsubscribe pages show it: its first two characters and domain."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(len(local) - 2, 1)}@{domain}"


@dataclass(frozen=True)
class Subscriber:
    """Whom an unsubscribe link stands for."""

    digest: str  # portal.domain.addresses.address_digest of the address
    masked: str


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
        """The one-click link that stops program email to this address."""
        token = self._serializer.dumps({"d": address_digest(email), "m": masked(email)})
        return f"{self.base_url}/unsubscribe/{token}"

    def subscriber_for(self, token: str) -> Subscriber | None:
        """Whom a link was made for, or None if it was not made by us."""
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return None
        if isinstance(data, str):
            # A link in an email sent before links stopped carrying the address: still honoured.
            return Subscriber(address_digest(data), masked(data))
        if isinstance(data, dict) and isinstance(data.get("d"), str):
            return Subscriber(data["d"], str(data.get("m", "")))
        return None

    def unsubscribe(self, token: str) -> Subscriber | None:
        """Stop program email to the link's address; whom, or None for a bad link."""
        subscriber = self.subscriber_for(token)
        if subscriber is not None and self.suppressions.reason_of(subscriber.digest) is None:
            self.suppressions.add_digest(subscriber.digest, "unsubscribe", self.clock())
        return subscriber
