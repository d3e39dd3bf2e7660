"""Taking the data out: a program's CSV files, and its weekly summary as a printable page.

A download is a POST with the CSRF token, so that a link preview or a crawler never starts
one and the audit log, which records each, stays true.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import Response, render_template, request, stream_with_context

from portal.i18n import N_, gettext
from portal.web import services
from portal.web.auth import current_organizer, current_program, organizer_required
from portal.web.organize.blueprint import bp

# The services' modules are imported by the views that use them: every cold start of the
# Lambda imports this module to register its routes, few of them serve an export.
if TYPE_CHECKING:
    from portal.services.summaries import WeekError

# The weekly summary's words (portal.services.summaries, shared with its email), marked for
# the catalogue: the printable page says them in the reader's language.
SUMMARY_WORDS = (
    N_("Signed up"),
    N_("Confirmed their email"),
    N_("Matched"),
    N_("In an active match"),
    N_("Completed the cycle"),
    N_("asked for another match"),
    N_("paused"),
    N_("left the program"),
    N_("gave a one-click rating"),
    N_("answered the closing survey"),
    N_("logged a check-in"),
    N_("logged a group check-in"),
)
# Why a week asked of the printable summary cannot be shown (WeekError's words).
# Patterns, compiled when first used (re caches them): not at import, which every cold
# start pays.
WEEK_ERRORS: tuple[tuple[str, str], ...] = (
    (
        r"\u201c(?P<text>.*)\u201d is not a date written as year-month-day, such as "
        r"2026-04-10\.",
        N_("“%(text)s” is not a date written as year-month-day, such as 2026-04-10."),
    ),
    (
        r"(?P<text>.*) is not a day of the calendar\.",
        N_("%(text)s is not a day of the calendar."),
    ),
    (
        r"(?P<text>.*) is after today \((?P<today>[\d-]+)\): no summary yet\.",
        N_("%(text)s is after today (%(today)s): no summary yet."),
    ),
    (
        r"(?P<text>.*) is more than ten years ago: nothing that old is kept\.",
        N_("%(text)s is more than ten years ago: nothing that old is kept."),
    ),
)


def week_error_words(error: WeekError) -> str:
    """Why the week cannot be shown, in the reader's language."""
    message = str(error)
    for pattern, words in WEEK_ERRORS:
        found = re.fullmatch(pattern, message)
        if found:
            return gettext(words, **found.groupdict())
    return message


def _page(error: str = "", status: int = 200) -> tuple[str, int]:
    program = current_program()
    return render_template(
        "organize/exports.html",
        program=program,
        kinds=services().csv_exports.kinds(program),
        error=error,
    ), status


@bp.get("/programs/<slug>/exports")
@organizer_required
def exports(slug: str) -> tuple[str, int]:
    """The three files, what each holds, and a button for each set of columns."""
    return _page()


@bp.post("/programs/<slug>/exports/<kind>.csv")
@organizer_required
def export_csv(slug: str, kind: str) -> Response | tuple[str, int]:
    """One file, streamed as it is read, after its line in the audit log."""
    from portal.services.csv_exports import ALL, DEFAULT, KINDS

    if kind not in KINDS:
        return _page(
            gettext("There is no file called %(kind)s.csv: choose one of these.", kind=kind[:40]),
            404,
        )
    columns = request.form.get("columns", "")
    if columns not in (DEFAULT, ALL):
        return _page(
            gettext("Choose one of the two buttons of a file: its usual or all its columns."), 400
        )
    program = current_program()
    portal = services()
    chunks = portal.csv_exports.start(program, current_organizer(), kind, columns == ALL)
    name = portal.csv_exports.filename(program, kind)
    return Response(
        stream_with_context(chunks),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/programs/<slug>/summary")
@organizer_required
def summary(slug: str) -> tuple[str, int]:
    """The weekly summary email's content as a page to print: this week so far, or the
    week of the summary sent on a `week=` day (or the last one before it)."""
    from portal.services.summaries import WeekError

    program = current_program()
    portal = services()
    now = portal.clock()
    week = request.args.get("week")
    if week is None or week == "":
        until, asked = now, None
    else:
        try:
            asked = portal.summaries.week_of(program, week, now)
        except WeekError as exc:
            return render_template(
                "organize/summary.html", program=program, error=week_error_words(exc), week=week
            ), 400
        until = portal.summaries.week_ending(program, asked)
    return render_template(
        "organize/summary.html",
        asked=asked,
        **portal.summaries.printable(program, until),  # the program among them
    ), 200
