"""Limits per client: how many sign-ups one source address, and one recipient, may make.

Lambda instances share no memory, so the counts live in DynamoDB (the limits table), one
item per limit, client and fixed window, named by a keyed hash: neither an email address nor
an IP address is ever stored in a counter.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.domain.clock import Clock
from portal.persistence.conditional import CONFLICT, Put, Update, transact
from portal.persistence.limits import LimitRepository

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TEN_MINUTES = timedelta(minutes=10)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    """At most `count` in each fixed window of length `window` (windows start at UTC midnight)."""

    name: str
    count: int
    window: timedelta

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """The start and end of the window `now` falls in."""
        size = int(self.window.total_seconds())
        start = EPOCH + timedelta(seconds=int((now - EPOCH).total_seconds()) // size * size)
        return start, start + self.window


@dataclass(frozen=True)
class Refusal:
    """Which limit a request went over, and how many seconds until its window ends."""

    limit: Limit
    retry_after: int


def signup_limits(
    per_source: tuple[int, int], per_recipient: tuple[int, int]
) -> tuple[tuple[Limit, ...], tuple[Limit, ...]]:
    """The sign-up limits from Settings: per source (10 minutes, day), per recipient (hour, day)."""
    return (
        (
            Limit("signup-source-10m", per_source[0], TEN_MINUTES),
            Limit("signup-source-1d", per_source[1], DAY),
        ),
        (
            Limit("signup-recipient-1h", per_recipient[0], HOUR),
            Limit("signup-recipient-1d", per_recipient[1], DAY),
        ),
    )


def source_network(address: str) -> str:
    """Whom a source address stands for: an IPv4 address, or an IPv6 address's /64 network.

    One IPv6 subscriber usually holds a whole /64, so counting single IPv6 addresses would
    give one client billions of allowances.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip() or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True)
class Counter:
    """One limit applied to one client now: its counter's key and its window's end."""

    limit: Limit
    digest: str
    now: datetime

    @property
    def end(self) -> datetime:
        return self.limit.bounds(self.now)[1]

    @property
    def key(self) -> str:
        start = self.limit.bounds(self.now)[0]
        return f"{self.limit.name}#{self.digest}#{int(start.timestamp())}"


# A transaction that met another on one of its items decided nothing: try again a little later,
# at a random moment so that two racers do not meet again.
ATTEMPTS = 6


def pause_before_retry(attempt: int) -> None:
    """Wait a random few milliseconds, longer after each conflict (at most about 0.3 s)."""
    time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (a jitter, not a secret)


class Limits:
    def __init__(
        self,
        counters: LimitRepository,
        clock: Clock,
        secret_key: str,
        per_source: Sequence[Limit],
        per_recipient: Sequence[Limit],
    ) -> None:
        self.counters = counters
        self.clock = clock
        # A key of its own, derived from the app's: the counters' names cannot be reversed
        # into addresses by hashing guesses without it.
        self._key = hmac.new(secret_key.encode(), b"portal-limits", hashlib.sha256).digest()
        self.per_source = tuple(per_source)
        self.per_recipient = tuple(per_recipient)

    def for_signup(self, source: str, recipient: str) -> tuple[Counter, ...]:
        """The counters a sign-up from `source` for `recipient` takes: it reads nothing.

        The sign-up's own transaction takes them (SignupService.sign_up), so a sign-up is
        counted exactly when it is stored, and a refused one counts against no limit.
        """
        now = self.clock()
        who = self._digest("source", source_network(source))
        whom = self._digest("recipient", recipient.strip().lower())
        return (
            *(Counter(limit, who, now) for limit in self.per_source),
            *(Counter(limit, whom, now) for limit in self.per_recipient),
        )

    def writes(self, counters: Sequence[Counter]) -> list[Update]:
        """The transaction's writes that count these, each refused once its limit is reached."""
        return [self.counters.counting(c.key, c.limit.count, c.end) for c in counters]

    def refusal(self, counters: Sequence[Counter], full: Sequence[Counter]) -> Refusal:
        """The refusal for a request some of whose counters were `full`.

        The wait named is until every full window has ended, so that the client that waits
        that long is admitted. A database may name only the first condition that failed in a
        transaction: the other counters are read to be sure.
        """
        reached = [*full, *(c for c in counters if c not in full and self._is_full(c))]
        last = max(reached, key=lambda c: c.end)
        wait = math.ceil((last.end - self.clock()).total_seconds())
        return Refusal(last.limit, max(1, wait))

    def admit(self, counters: Sequence[Counter], also: Sequence[Put] = ()) -> Refusal | None:
        """Count a request, and store `also` with it, all or nothing: None if admitted, else
        the Refusal (and nothing is stored or counted).

        `also` are new items, each under a key nobody else writes (a fresh link, an email
        under a key of its own): only the counters can refuse.
        """
        first = len(also)
        for attempt in range(ATTEMPTS):
            reasons = transact(*also, *self.writes(counters))
            if not reasons:
                return None
            refused = {i: why for i, why in reasons.items() if why != CONFLICT}
            if any(i < first for i in refused):
                raise RuntimeError(f"a new item was refused: {sorted(refused)}")
            if refused:
                return self.refusal(counters, [counters[i - first] for i in refused])
            pause_before_retry(attempt)
        raise LimitsBusyError("the limit counters stayed busy")

    def admit_signup(self, source: str, recipient: str, also: Sequence[Put] = ()) -> Refusal | None:
        """Count a sign-up (or a request for a sign-in link) from `source` for `recipient`,
        with the items it stores; a Refusal if a limit is reached."""
        return self.admit(self.for_signup(source, recipient), also)

    def _is_full(self, counter: Counter) -> bool:
        return self.counters.is_full(counter.key, counter.limit.count)

    def _digest(self, kind: str, value: str) -> str:
        message = f"{kind}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]


class LimitsBusyError(Exception):
    """Counters that other requests kept changing at the same moment, every time we tried."""
