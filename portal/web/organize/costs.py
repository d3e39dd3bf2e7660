"""What the site costs this month, from what the portal counted, and a program's part of it."""

from __future__ import annotations

from decimal import Decimal

from babel import numbers
from flask import render_template

from portal import i18n
from portal.domain import costs as prices
from portal.domain.costs import Line
from portal.i18n import N_, format_number, gettext, ngettext
from portal.presenters.words import join
from portal.web import services
from portal.web.auth import current_program, organizer_required
from portal.web.organize.audit import moment_in
from portal.web.organize.blueprint import bp

# The bill's lines (portal.domain.costs.estimate's names) in words.
ITEMS = {
    "lambda_requests": N_("Lambda requests"),
    "lambda_compute": N_("Lambda compute (%(memory)s MB)"),
    "api_gateway_requests": N_("API Gateway requests"),
    "ses_emails": N_("SES emails"),
    "dynamodb_writes": N_("DynamoDB writes"),
    "dynamodb_reads": N_("DynamoDB reads"),
}
# What the estimate leaves out (portal.domain.costs.NOT_COUNTED) in words.
NOT_COUNTED = {
    "storage": N_(
        "DynamoDB storage and point-in-time recovery ($0.25 and $0.20 per GB-month: cents at "
        "10,000 people)"
    ),
    "logs": N_("CloudWatch logs and alarms"),
    "deployments": N_("the S3 bucket of deployments"),
    "cold_starts": N_("the time Lambda spends starting a new container"),
}


def item_words(item: str, memory_mb: int) -> str:
    """A line of the bill named in the reader's words."""
    words = ITEMS.get(item)
    if words is None:
        return item
    return gettext(words, memory=format_number(memory_mb)) if "%(" in words else gettext(words)


def quantity_words(line: Line) -> str:
    """A line's quantity and unit: "300,000 requests", "0.5 read units"."""
    count = int(line.quantity) if line.quantity == line.quantity.to_integral_value() else 2
    figures = quantity(line.quantity)
    units = {
        "invocation": ngettext("%(num)s invocation", "%(num)s invocations", count, num=figures),
        "gb_second": ngettext("%(num)s GB-second", "%(num)s GB-seconds", count, num=figures),
        "request": ngettext("%(num)s request", "%(num)s requests", count, num=figures),
        "email": ngettext("%(num)s email", "%(num)s emails", count, num=figures),
        "write_unit": ngettext("%(num)s write unit", "%(num)s write units", count, num=figures),
        "read_unit": ngettext("%(num)s read unit", "%(num)s read units", count, num=figures),
    }
    return units.get(line.unit, f"{figures} {line.unit}")


def price_words(line: Line) -> str:
    """A line's unit price: "\N{MULTIPLICATION SIGN} $0.0000035 per request"."""
    each = price(line.unit_price)
    units = {
        "invocation": gettext("\N{MULTIPLICATION SIGN} %(price)s per invocation", price=each),
        "gb_second": gettext("\N{MULTIPLICATION SIGN} %(price)s per GB-second", price=each),
        "request": gettext("\N{MULTIPLICATION SIGN} %(price)s per request", price=each),
        "email": gettext("\N{MULTIPLICATION SIGN} %(price)s per email", price=each),
        "write_unit": gettext("\N{MULTIPLICATION SIGN} %(price)s per write unit", price=each),
        "read_unit": gettext("\N{MULTIPLICATION SIGN} %(price)s per read unit", price=each),
    }
    return units.get(line.unit, f"\N{MULTIPLICATION SIGN} {each} / {line.unit}")


def not_counted_words() -> str:
    """What the estimate leaves out, as one list in the reader's words."""
    return join([gettext(NOT_COUNTED[name]) for name in prices.NOT_COUNTED])


def dollars(amount: Decimal) -> str:
    """An amount in dollars to four places, so that small lines do not read as nothing."""
    written = numbers.format_decimal(amount, format="#,##0.0000", locale=i18n.locale())
    return gettext("$%(amount)s", amount=written)


def price(amount: Decimal) -> str:
    """A unit price as AWS writes it (no trailing zeros): $0.0000002, $0.0000166667."""
    written = format(amount.normalize(), "f").replace(
        ".", numbers.get_decimal_symbol(i18n.locale())
    )
    return gettext("$%(amount)s", amount=written)


def quantity(amount: Decimal) -> str:
    """A quantity with thousands separators; GB-seconds and half units keep their fraction."""
    return numbers.format_decimal(amount, format="#,##0.###", locale=i18n.locale())


@bp.get("/programs/<slug>/costs")
@organizer_required
def costs(slug: str) -> str:
    """The month's bill so far and projected, line by line, and the program's share."""
    portal = services()
    program = current_program()
    return render_template(
        "organize/costs.html",
        program=program,
        moment=moment_in(program),
        number=format_number,
        cost=portal.usage.month_cost(slug),
        region=portal.settings.region,
        prices_region=prices.PRICES_REGION,
        prices_read=prices.PRICES_READ,
        not_counted=not_counted_words(),
        dollars=dollars,
        item_words=item_words,
        quantity_words=quantity_words,
        price_words=price_words,
    )
