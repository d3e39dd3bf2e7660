"""Taking the data out: a program's CSV files, and its weekly summary as a printable page.

A download is a POST with the CSRF token, so that a link preview or a crawler never starts
one and the audit log, which records each, stays true.
"""

from __future__ import annotations

from flask import Response, render_template, request, stream_with_context

from portal.i18n import gettext
from portal.services.csv_exports import ALL, DEFAULT, KINDS
from portal.services.summaries import WeekError
from portal.web import services
from portal.web.auth import current_organizer, current_program, organizer_required
from portal.web.organize.blueprint import bp


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
                "organize/summary.html", program=program, error=str(exc), week=week
            ), 400
        until = portal.summaries.week_ending(program, asked)
    return render_template(
        "organize/summary.html",
        asked=asked,
        **portal.summaries.printable(program, until),  # the program among them
    ), 200
