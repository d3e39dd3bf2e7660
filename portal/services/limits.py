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
import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.domain.clock import Clock
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
class _Check:
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


# Shared by the requests of a process (one at a time on Lambda, many under `portal dev`).
# Its tasks take counters and submit nothing to it: a task that waited for another task of
# the pool could wait for ever once every thread was such a task.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="limits")


def _new_pool() -> None:
    # A forked process (`portal dev --processes`) has none of its parent's threads: a pool
    # that had started some would wait for them for ever.
    global _POOL
    _POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="limits")


os.register_at_fork(after_in_child=_new_pool)


class Admission:
    """A sign-up's counters being taken; `result()` waits for them, once."""

    def __init__(
        self,
        limits: Limits,
        chains: list[Future[tuple[list[_Check], _Check | None]]],
        now: datetime,
    ) -> None:
        self._limits = limits
        self._chains = chains
        self._now = now
        self._refusal: Refusal | None = None
        self._decided = False

    def result(self) -> Refusal | None:
        """None if every limit admitted the sign-up; else the Refusal, with the counters this
        sign-up had taken given back (a refused sign-up counts against no limit)."""
        if self._decided:
            return self._refusal
        outcomes = [chain.result() for chain in self._chains]
        refused = [check for _, check in outcomes if check is not None]
        if refused:
            for taken, _ in outcomes:
                for check in taken:
                    self._limits.counters.give_back(check.key)
            last = max(refused, key=lambda check: check.end)  # the longest wait of those reached
            wait = math.ceil((last.end - self._now).total_seconds())
            self._refusal = Refusal(last.limit, max(1, wait))
        self._decided = True
        return self._refusal


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

    def admit_signup(self, source: str, recipient: str) -> Refusal | None:
        """Count a sign-up from `source` for `recipient`; a Refusal if a limit is reached.

        A refused sign-up counts against no limit: the counters it had taken are given back.
        """
        return self.begin_signup(source, recipient).result()

    def begin_signup(self, source: str, recipient: str) -> Admission:
        """Start counting a sign-up, as `admit_signup` does; its `result()` waits for the count.

        The request reads what it needs meanwhile, and writes nothing before the result.
        """
        now = self.clock()
        who = self._digest("source", source_network(source))
        whom = self._digest("recipient", recipient.strip().lower())
        chains = [
            [_Check(limit, who, now) for limit in self.per_source],
            [_Check(limit, whom, now) for limit in self.per_recipient],
        ]
        # The source's and the recipient's counters are taken at once (two round trips cost
        # one's time); within each, the shortest window first, and a longer one only if it
        # admitted. So a request the short window refuses never holds a place in the long one,
        # and racers for one address are admitted up to exactly the short window's limit.
        return Admission(self, [_POOL.submit(self._take_chain, chain) for chain in chains], now)

    def _take_chain(self, chain: list[_Check]) -> tuple[list[_Check], _Check | None]:
        """Take each counter in turn: those taken, and the one that refused, if one did."""
        taken: list[_Check] = []
        for position, check in enumerate(chain):
            if not self._take(check):
                # The wait to name is until every full window of the chain has ended.
                full = [c for c in chain[position + 1 :] if self._is_full(c)]
                return taken, max([check, *full], key=lambda c: c.end)
            taken.append(check)
        return taken, None

    def _is_full(self, check: _Check) -> bool:
        return self.counters.is_full(check.key, check.limit.count)

    def _take(self, check: _Check) -> bool:
        return self.counters.take(check.key, check.limit.count, check.end)

    def _digest(self, kind: str, value: str) -> str:
        message = f"{kind}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]
