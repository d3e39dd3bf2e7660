"""What the portal costs in a month, from what it counted, at AWS list prices and no free tier.

Pure arithmetic: the counts come from the usage table (portal.persistence.usage), the prices
are written here. Amounts are Decimals, so that each line's quantity x price = amount is exact.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal

# AWS's published on-demand list prices for us-east-1, as infrastructure/README.md gives them
# (read from AWS's pricing pages in 2025). No free tier is taken off: the figure is what the
# portal would cost an account that has used its allowances up elsewhere.
PRICES_REGION = "us-east-1"
PRICES_READ = "2025"
LAMBDA_PER_REQUEST = Decimal("0.20") / 1_000_000
LAMBDA_PER_GB_SECOND = Decimal("0.0000166667")  # x86_64, as zappa_settings.json deploys
API_GATEWAY_PER_REQUEST = Decimal("3.50") / 1_000_000  # REST API, which Zappa makes
SES_PER_EMAIL = Decimal("0.10") / 1_000
DYNAMODB_PER_WRITE_UNIT = Decimal("0.625") / 1_000_000  # on-demand write request unit
DYNAMODB_PER_READ_UNIT = Decimal("0.125") / 1_000_000  # on-demand read request unit

# What the estimate leaves out, by name (the console says each in the reader's words).
NOT_COUNTED = ("storage", "logs", "deployments", "cold_starts")


@dataclass(frozen=True)
class Usage:
    """What the portal counted over some time: the quantities it is billed for."""

    requests: int = 0  # web requests served, each one API Gateway request
    invocations: int = 0  # Lambda invocations: web requests and scheduled or queued runs
    function_ms: int = 0  # the invocations' time, in milliseconds
    emails: int = 0  # emails SES accepted
    read_units: float = 0.0  # DynamoDB read request units
    write_units: float = 0.0  # DynamoDB write request units

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Usage)}
        )

    def is_empty(self) -> bool:
        """Nothing counted."""
        return all(not getattr(self, f.name) for f in fields(Usage))

    def scaled(self, factor: Decimal) -> Usage:
        """The same pace over a time `factor` times as long (rounded to whole units)."""

        def scale(value: float) -> Decimal:
            return (Decimal(str(value)) * factor).quantize(Decimal(1))

        return Usage(
            requests=int(scale(self.requests)),
            invocations=int(scale(self.invocations)),
            function_ms=int(scale(self.function_ms)),
            emails=int(scale(self.emails)),
            read_units=float(scale(self.read_units)),
            write_units=float(scale(self.write_units)),
        )


@dataclass(frozen=True)
class Line:
    """One line of the bill: quantity x unit price = amount. `item` and `unit` are names
    (see ITEMS, UNITS) that the console puts into words."""

    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Estimate:
    """The lines of a month's bill and their total."""

    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def gb_seconds(function_ms: int, memory_mb: int) -> Decimal:
    """Lambda's compute: the seconds run times the memory, in GB (1,024 MB)."""
    return Decimal(function_ms) / 1000 * Decimal(memory_mb) / 1024


def estimate(usage: Usage, memory_mb: int) -> Estimate:
    """The bill for `usage` at the list prices above, with no free tier."""

    def line(item: str, quantity: Decimal, unit: str, price: Decimal) -> Line:
        return Line(item, quantity, unit, price, quantity * price)

    return Estimate(
        (
            line("lambda_requests", Decimal(usage.invocations), "invocation", LAMBDA_PER_REQUEST),
            line(
                "lambda_compute",
                gb_seconds(usage.function_ms, memory_mb),
                "gb_second",
                LAMBDA_PER_GB_SECOND,
            ),
            line(
                "api_gateway_requests",
                Decimal(usage.requests),
                "request",
                API_GATEWAY_PER_REQUEST,
            ),
            line("ses_emails", Decimal(usage.emails), "email", SES_PER_EMAIL),
            line(
                "dynamodb_writes",
                Decimal(str(usage.write_units)),
                "write_unit",
                DYNAMODB_PER_WRITE_UNIT,
            ),
            line(
                "dynamodb_reads",
                Decimal(str(usage.read_units)),
                "read_unit",
                DYNAMODB_PER_READ_UNIT,
            ),
        )
    )


def month_of(moment: datetime) -> str:
    """The month a moment falls in, in UTC, as the usage table keys it: "2026-12"."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def month_start(moment: datetime) -> datetime:
    at = moment.astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def month_length(moment: datetime) -> timedelta:
    at = moment.astimezone(UTC)
    return timedelta(days=monthrange(at.year, at.month)[1])


def elapsed_share(now: datetime) -> Decimal:
    """How much of its month has passed at `now` (at least an hour's worth)."""
    elapsed = max(now - month_start(now), timedelta(hours=1))
    return min(
        Decimal(1),
        Decimal(elapsed.total_seconds()) / Decimal(month_length(now).total_seconds()),
    )


def projected(month_to_date: Usage, now: datetime) -> Usage:
    """The whole month's usage if the rest of it goes at the pace of the part so far."""
    return month_to_date.scaled(1 / elapsed_share(now))


def per_participant(total: Decimal, participants: int) -> Decimal | None:
    """One participant's share of the site's cost; None when there is nobody to share it."""
    return total / participants if participants > 0 else None


def program_share(total: Decimal, in_program: int, everyone: int) -> Decimal:
    """A program's part of the site's cost: its share of all the site's participants."""
    return total * in_program / everyone if everyone > 0 else Decimal(0)
