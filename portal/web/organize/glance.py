"""The program at a glance: figures first, then the people and pairs that need an organizer.

The figures are computed by the hourly function (portal.services.console_figures) and read
here as one item, so that the page is fast however large the program; the page says how
fresh they are, and a button recomputes them now. They are stored as data and put into
words here, in the reader's language. Charts are pygal's SVG as images, each
with its numbers in a table beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import i18n
from portal.domain.program import Approval
from portal.i18n import gettext, ngettext
from portal.presenters.figures import page
from portal.web import services
from portal.web.auth import current_program, organizer_required
from portal.web.organize.blueprint import bp


def freshness(computed_at: datetime, now: datetime, timezone: str) -> str:
    """When the figures were computed, in the program's zone (named), and how long ago."""
    minutes = max(int((now - computed_at).total_seconds() // 60), 0)
    if minutes < 1:
        ago = gettext("just now")
    elif minutes < 60:
        ago = ngettext("%(num)s minute ago", "%(num)s minutes ago", minutes)
    else:
        hours = minutes // 60
        ago = ngettext("%(num)s hour ago", "%(num)s hours ago", hours)
    stamp = i18n.format_time(computed_at, timezone)
    local = i18n.zone(timezone)
    if computed_at.astimezone(local).date() != now.astimezone(local).date():
        stamp = gettext(
            "%(day)s, %(time)s",
            day=i18n.format_day(computed_at, timezone, year=True),
            time=stamp,
        )
    # functions.console_figures runs at rate(1 hour).
    return gettext(
        "Figures as of %(when)s (%(zone)s), %(ago)s; refreshed every hour.",
        when=stamp,
        zone=i18n.zone_name(timezone, computed_at),
        ago=ago,
    )


def _value(shown: dict[str, Any]) -> float | None:
    value = shown.get("value")
    return float(value) if value is not None else None


def _charts(figures: dict[str, Any]) -> dict[str, str]:
    """Each chart's image source; a chart with nothing it may draw is left out."""
    # pygal is imported here, not with the module: the app's other pages do not pay for it
    # when a Lambda starts (as the matching engine, see portal/services/rounds/run.py).
    import pygal

    from portal.presenters.charts import data_uri, new_chart

    charts: dict[str, str] = {}
    funnel = [_value(step) for step in figures["funnel"]]
    if any(v for v in funnel):
        chart = new_chart(pygal.HorizontalBar, height=300)
        chart.x_labels = [step["label"] for step in figures["funnel"]]
        chart.add(gettext("People"), funnel)
        charts["funnel"] = data_uri(chart)
    weeks = figures["weeks"]
    counts = [_value(week["checkins"]) for week in weeks]
    if any(v for v in counts):
        chart = new_chart(pygal.Bar, x_label_rotation=-45)
        chart.x_labels = [week["label"] for week in weeks]
        chart.add(gettext("Check-ins"), counts)
        charts["checkins"] = data_uri(chart)
    means = [_value(week["satisfaction"]) for week in weeks]
    if any(v is not None for v in means):
        chart = new_chart(pygal.Line, range=(1, 5), x_label_rotation=-45, dots_size=4)
        chart.x_labels = [week["label"] for week in weeks]
        chart.add(gettext("Average satisfaction"), means)
        charts["satisfaction"] = data_uri(chart)
    distribution = figures["distribution"]
    if distribution["shown"] and any(r["count"] for r in distribution["ratings"]):
        chart = new_chart(pygal.Bar, height=280)
        chart.x_labels = [
            gettext("%(rating)s of 5", rating=r["rating"]) for r in distribution["ratings"]
        ]
        chart.add(gettext("Ratings"), [r["count"] for r in distribution["ratings"]])
        charts["distribution"] = data_uri(chart)
    cohorts = [c for c in figures["cohorts"] if c["shown"]]
    if cohorts:
        chart = new_chart(pygal.StackedBar, show_legend=True, legend_at_bottom=True)
        chart.x_labels = [c["label"] for c in cohorts]
        chart.add(gettext("Active"), [c["active"] for c in cohorts])
        chart.add(gettext("Completed"), [c["completed"] for c in cohorts])
        chart.add(gettext("Ended early"), [c["ended_early"] for c in cohorts])
        charts["cohorts"] = data_uri(chart)
    meetings = figures["first_meetings"]
    if meetings["shown"] and any(b["pairs"] for b in meetings["buckets"]):
        chart = new_chart(pygal.Bar, height=280)
        chart.x_labels = [b["label"] for b in meetings["buckets"]]
        chart.add(gettext("Pairs"), [b["pairs"] for b in meetings["buckets"]])
        charts["first_meetings"] = data_uri(chart)
    goals = figures["goals"]
    if goals["shown"] and any(s["count"] for s in goals["states"]):
        chart = new_chart(pygal.Bar, height=280)
        chart.x_labels = [s["label"] for s in goals["states"]]
        chart.add(gettext("Goals"), [s["count"] for s in goals["states"]])
        charts["goals"] = data_uri(chart)
    return charts


@bp.get("/programs/<slug>")
@organizer_required
def program(slug: str) -> str:
    """The program at a glance, from its stored figures (computed now if there are none)."""
    current = current_program()
    portal = services()
    stored = portal.figures.current(current)
    # Stored as data: in words here, in the reader's language and the program's zone.
    figures = page(stored.figures, current.timezone)
    return render_template(
        "organize/glance.html",
        program=current,
        figures=figures,
        charts=_charts(figures),
        freshness=freshness(stored.computed_at, portal.clock(), current.timezone),
        reviews=current.approval is Approval.ORGANIZER,
    )


@bp.post("/programs/<slug>/figures")
@organizer_required
def refresh_figures(slug: str) -> Response:
    """Recompute the program's figures now, then show them."""
    program = current_program()
    stored = services().figures.refresh(program)
    flash(
        gettext(
            "Refreshed: the figures are as of %(time)s (%(zone)s).",
            time=i18n.format_time(stored.computed_at, program.timezone),
            zone=i18n.zone_name(program.timezone, stored.computed_at),
        ),
        "ok",
    )
    return redirect(url_for("organize.program", slug=slug))
