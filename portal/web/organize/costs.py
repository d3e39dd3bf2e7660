"""What the site costs this month, from what the portal counted, and a program's part of it."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template

from portal.domain import costs as prices
from portal.web import services
from portal.web.auth import current_program, organizer_required
from portal.web.organize.blueprint import bp


def dollars(amount: Decimal) -> str:
    """An amount in dollars to four places, so that small lines do not read as nothing."""
    return f"${amount:,.4f}"


def price(amount: Decimal) -> str:
    """A unit price as AWS writes it (no trailing zeros): $0.0000002, $0.0000166667."""
    return "$" + format(amount.normalize(), "f")


def quantity(amount: Decimal) -> str:
    """A quantity with thousands separators; GB-seconds and half units keep their fraction."""
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.3f}".rstrip("0").rstrip(".")


@bp.get("/programs/<slug>/costs")
@organizer_required
def costs(slug: str) -> str:
    """The month's bill so far and projected, line by line, and the program's share."""
    portal = services()
    return render_template(
        "organize/costs.html",
        program=current_program(),
        cost=portal.usage.month_cost(slug),
        region=portal.settings.region,
        prices_region=prices.PRICES_REGION,
        prices_read=prices.PRICES_READ,
        not_counted=prices.NOT_COUNTED,
        dollars=dollars,
        price=price,
        quantity=quantity,
    )
