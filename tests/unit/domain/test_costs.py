"""The month's bill: quantity x list price = amount, no free tier, and the projection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from portal.domain.costs import (
    Usage,
    elapsed_share,
    estimate,
    month_of,
    per_participant,
    program_share,
    projected,
)
from portal.settings import Settings
from tests.conftest import ROOT

# infrastructure/README.md's 10,000 participants, as the portal would count them.
TEN_THOUSAND = Usage(
    requests=300_000,
    invocations=310_830,
    function_ms=32_950_000,  # 32,950 s at 1 GB: 32,950 GB-seconds
    emails=50_000,
    read_units=2_910_000,
    write_units=3_000_000,
)


def test_a_known_month_costs_the_known_dollars_line_by_line() -> None:
    bill = estimate(TEN_THOUSAND, memory_mb=1024)
    amounts = {line.item: line.amount for line in bill.lines}
    assert amounts == {
        "lambda_requests": Decimal("0.062166"),
        "lambda_compute": Decimal("0.549167765"),
        "api_gateway_requests": Decimal("1.05"),
        "ses_emails": Decimal("5.00"),
        "dynamodb_writes": Decimal("1.875"),
        "dynamodb_reads": Decimal("0.36375"),
    }
    assert bill.total == Decimal("8.900083765")
    for line in bill.lines:
        assert line.quantity * line.unit_price == line.amount


def test_compute_is_priced_at_the_functions_memory() -> None:
    one_second = Usage(invocations=1, function_ms=1000)
    (compute,) = [x for x in estimate(one_second, 512).lines if x.item == "lambda_compute"]
    assert compute.quantity == Decimal("0.5")
    assert compute.amount == Decimal("0.00000833335")


def test_nothing_counted_costs_nothing() -> None:
    assert estimate(Usage(), 1024).total == 0


def test_half_units_are_kept() -> None:
    bill = estimate(Usage(read_units=0.5), 1024)
    assert bill.total == Decimal("0.0000000625")


def test_the_projection_goes_on_at_the_pace_of_the_month_so_far() -> None:
    ten_days_in = datetime(2026, 12, 11, tzinfo=UTC)  # 10 of December's 31 days
    assert elapsed_share(ten_days_in) == Decimal(10) / Decimal(31)
    assert projected(Usage(emails=100, read_units=1.5), ten_days_in) == Usage(
        emails=310, read_units=5.0
    )
    # On the month's first minutes the pace is taken over an hour, not a second.
    start = datetime(2026, 12, 1, 0, 1, tzinfo=UTC)
    assert projected(Usage(requests=1), start) == Usage(requests=744)
    assert month_of(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12"


def test_a_program_pays_its_share_of_the_sites_participants() -> None:
    assert program_share(Decimal("9.00"), 100, 300) == Decimal("3.00")
    assert per_participant(Decimal("9.00"), 300) == Decimal("0.03")
    assert per_participant(Decimal("9.00"), 0) is None
    assert program_share(Decimal("9.00"), 0, 0) == 0


def test_the_default_memory_is_the_one_zappa_deploys_with() -> None:
    zappa = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))
    assert Settings().function_memory_mb == zappa["dev"]["memory_size"]
