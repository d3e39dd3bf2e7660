"""The program's audit log: every console action, who did it and when, newest first."""

from __future__ import annotations

from flask import render_template, request

from portal.web import services
from portal.web.auth import current_program, organizer_required
from portal.web.organize.blueprint import bp


@bp.get("/programs/<slug>/audit")
@organizer_required
def audit(slug: str) -> str:
    """A page of the log; `before` (an entry id) pages back to older entries."""
    page = services().audit.page(slug, request.args.get("before") or None)
    return render_template(
        "organize/audit.html", program=current_program(), rows=page.rows, older=page.older
    )
