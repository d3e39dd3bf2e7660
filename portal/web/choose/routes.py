"""A mentee picks one of their suggested mentors: one click from the email, one button."""

from __future__ import annotations

import contextlib

from flask import Blueprint, abort, render_template

from portal.domain.program import Program
from portal.services.magic_links import LinkGrant, MagicLinkError
from portal.services.participation import StoredMatch
from portal.services.rounds import ACTIVATED, CHOOSE, MENTEE_TAKEN
from portal.web import services
from portal.web.languages.routes import reader_speaks

bp = Blueprint("choose", __name__, url_prefix="/choose")


def _resolve(round_id: str, token: str, index: int) -> tuple[Program, LinkGrant, StoredMatch]:
    """The program, the link's grant and the chosen suggestion; the link is only checked."""
    portal = services()
    grant = portal.links.check(token, f"{CHOOSE}:{round_id}")
    program = portal.programs.get(grant.program)
    if program is None:
        abort(404)
    mentee = portal.participation.person(program.slug, grant.subject)
    reader_speaks(mentee.language if mentee is not None else None)
    options = portal.rounds.suggestions_for(program, round_id, grant.subject)
    if not 1 <= index <= len(options):
        abort(404)
    return program, grant, options[index - 1]


@bp.get("/<round_id>/<token>/<int:index>")
def confirm(round_id: str, token: str, index: int) -> str | tuple[str, int]:
    # A GET only looks: mail scanners follow links.
    try:
        program, _, option = _resolve(round_id, token, index)
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    mentor = services().participation.person(program.slug, option.mentor)
    return render_template(
        "choose/confirm.html",
        program=program,
        option=option,
        mentor=mentor,
        round_id=round_id,
        token=token,
        index=index,
    )


@bp.post("/<round_id>/<token>/<int:index>")
def choose(round_id: str, token: str, index: int) -> str | tuple[str, int]:
    try:
        program, grant, option = _resolve(round_id, token, index)
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    outcome = services().rounds.choose(program, round_id, grant.subject, option.mentor)
    mentor = services().participation.person(program.slug, option.mentor)
    if outcome == ACTIVATED:
        # The link has done its job: nobody can use it again (the mentee is matched anyway).
        with contextlib.suppress(MagicLinkError):
            services().links.consume(token, f"{CHOOSE}:{round_id}")
        return render_template("choose/chosen.html", program=program, mentor=mentor)
    if outcome == MENTEE_TAKEN:
        return render_template("choose/already.html", program=program), 409
    return render_template("choose/full.html", program=program, mentor=mentor), 409
