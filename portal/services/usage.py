"""The portal's own running cost: counting requests and runs, storing the counts, the bill.

Each process counts in memory (portal.persistence.usage.METER) and adds its counts to the
usage table with one UpdateItem: every scheduled or queued function at the end of each
invocation, the web app at most once a minute. What a web container counted since its last
flush is lost when Lambda stops the container: at most a minute of its requests.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from portal.domain.clock import Clock
from portal.domain.costs import (
    Estimate,
    Usage,
    estimate,
    month_of,
    per_participant,
    program_share,
    projected,
)
from portal.persistence.participants import ParticipantRepository
from portal.persistence.usage import Meter, UsageStore

if TYPE_CHECKING:
    # The catalog is read when a month is priced: counting a request needs no program.
    from portal.domain.program import Program

log = logging.getLogger(__name__)

WEB_FLUSH_SECONDS = 60.0


@dataclass(frozen=True)
class MonthCost:
    """A month's bill so far and projected, and a program's part of it."""

    month: str
    at: datetime
    hours: int  # how many hours of the month had anything counted
    so_far: Usage
    so_far_bill: Estimate
    projection: Usage
    projection_bill: Estimate
    participants: int  # in the program
    everyone: int  # in every program of the site
    memory_mb: int

    @property
    def program_so_far(self) -> Decimal:
        return program_share(self.so_far_bill.total, self.participants, self.everyone)

    @property
    def program_projected(self) -> Decimal:
        return program_share(self.projection_bill.total, self.participants, self.everyone)

    @property
    def per_participant_so_far(self) -> Decimal | None:
        return per_participant(self.so_far_bill.total, self.everyone)

    @property
    def per_participant_projected(self) -> Decimal | None:
        return per_participant(self.projection_bill.total, self.everyone)


class UsageService:
    """Counts this process's work, adds it to the usage table, and prices a month."""

    def __init__(
        self,
        meter: Meter,
        store: UsageStore,
        participants: ParticipantRepository,
        programs: Callable[[], Iterable[Program]],
        clock: Clock,
        memory_mb: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.meter = meter
        self.store = store
        self.participants = participants
        self.programs = programs
        self.clock = clock
        self.memory_mb = memory_mb
        self.monotonic = monotonic
        self._last_flush = monotonic()

    def request_served(self, seconds: float) -> None:
        """A web request: one API Gateway request, one invocation, its time (whole ms up)."""
        self.meter.add(Usage(requests=1, invocations=1, function_ms=math.ceil(seconds * 1000)))

    def invocation(self, seconds: float) -> None:
        """One run of a scheduled or queued function, and its time (whole ms, rounded up)."""
        self.meter.add(Usage(invocations=1, function_ms=math.ceil(seconds * 1000)))

    def email_sent(self) -> None:
        self.meter.add(Usage(emails=1))

    def flush(self) -> Usage:
        """Add what this process counted to the current hour's item; what was added.

        A failed write puts the counts back, for the next flush to try again (a write that
        succeeded but whose answer was lost would then be counted twice: rare, and small).
        """
        usage = self.meter.take()
        self._last_flush = self.monotonic()
        now = self.clock().astimezone(UTC)
        try:
            self.store.add(month_of(now), now.strftime("%Y-%m-%dT%H"), usage)
        except Exception:
            self.meter.add(usage)
            log.exception("the usage counts could not be stored; kept for the next flush")
            return Usage()
        return usage

    def flush_if_due(self) -> None:
        """The web app's flush: at most once a minute per process."""
        if self.monotonic() - self._last_flush >= WEB_FLUSH_SECONDS:
            self.flush()

    def month_cost(self, program: str) -> MonthCost:
        """This month's bill so far and projected, shared by participants (Queries only)."""
        now = self.clock().astimezone(UTC)
        month = month_of(now)
        so_far, hours = self.store.month(month)
        projection = projected(so_far, now)
        counts = {p.slug: self.participants.count(p.slug) for p in self.programs()}
        return MonthCost(
            month=month,
            at=now,
            hours=hours,
            so_far=so_far,
            so_far_bill=estimate(so_far, self.memory_mb),
            projection=projection,
            projection_bill=estimate(projection, self.memory_mb),
            participants=counts.get(program, 0),
            everyone=sum(counts.values()),
            memory_mb=self.memory_mb,
        )
