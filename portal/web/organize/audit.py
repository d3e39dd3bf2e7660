"""The program's audit log: every console action, who did it and when, newest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from flask import render_template, request

from portal import i18n
from portal.domain.program import Program
from portal.presenters.roster import audit_detail
from portal.web import services
from portal.web.auth import current_program, organizer_required
from portal.web.organize.blueprint import bp


@bp.get("/programs/<slug>/audit")
@organizer_required
def audit(slug: str) -> str:
    """A page of the log; `before` (an entry id) pages back to older entries."""
    program = current_program()
    page = services().audit.page(slug, request.args.get("before") or None)
    return render_template(
        "organize/audit.html",
        program=program,
        rows=page.rows,
        older=page.older,
        moment=moment_in(program),
        detail=audit_detail,
    )


def today_in(program: Program) -> date:
    """Today's date in the program's time zone (a day of another year says its year)."""
    return services().clock().astimezone(i18n.zone(program.timezone)).date()


def moment_in(program: Program) -> Callable[[datetime], str]:
    """A time as the console shows it: in the program's time zone, the zone named."""
    today = today_in(program)

    def moment(at: datetime) -> str:
        return i18n.format_moment(at, program.timezone, today=today)

    return moment
