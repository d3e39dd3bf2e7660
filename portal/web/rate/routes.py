"""Quick ratings from a reminder email: the link names the rating, one button records it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal.services.checkins import RATE, RATING_LABELS, RATINGS, CheckinError, RatingLink
from portal.services.magic_links import MagicLinkError
from portal.web import links, services
from portal.web.auth import PARTICIPANT
from portal.web.languages.routes import reader_speaks
from portal.web.me.forms import ActionForm

bp = Blueprint("rate", __name__, url_prefix="/rate")


def _problem(kind: str) -> tuple[str, int]:
    # Not the sign-up's page: "sign up again" is no way to rate a match.
    return render_template("rate/link_problem.html", problem=kind), 410


def _refused(message: str, token: str, status: int) -> tuple[str, int]:
    """A rating the link cannot record; the page names who can help, if the link says."""
    try:
        program = services().programs.get(services().links.check(token, RATE).program)
    except MagicLinkError:
        program = None
    return render_template("rate/refused.html", message=message, program=program), status


def _speak_as(link: RatingLink) -> None:
    """Words in the rater's saved language."""
    rater = services().participation.person(link.program, link.rater)
    reader_speaks(rater.language if rater is not None else None)


def _page(link: RatingLink, token: str, score: int) -> str:
    portal = services()
    _speak_as(link)
    program = portal.programs.get(link.program)
    other = portal.participation.person(link.program, link.match.other(link.rater))
    return render_template(
        "rate/confirm.html",
        program=program,
        other=other,
        token=token,
        score=score,
        ratings=RATING_LABELS,
        action=ActionForm(),
    )


@bp.get("/<token>/<int:score>")
def confirm(token: str, score: int) -> str | tuple[str, int]:
    # A GET only looks: mail scanners follow every link in a message, all five ratings too.
    if score not in RATINGS:
        abort(404)
    try:
        link = services().checkins.rating_link(token)
    except MagicLinkError as exc:
        return _problem(exc.problem.value)
    except CheckinError as exc:
        return _refused(str(exc), token, 409)
    return _page(link, token, score)


@bp.post("/<token>/<int:score>")
def record(token: str, score: int) -> str | tuple[str, int]:
    if score not in RATINGS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    portal = services()
    try:
        program = portal.checkins.rating_link(token).program
        signed_in = links.signed_in(PARTICIPANT, program)
        link = portal.checkins.rate(token, score, signed_in.email if signed_in else None)
    except MagicLinkError as exc:
        return _problem(exc.problem.value)
    except CheckinError as exc:
        return _refused(str(exc), token, 403)
    _speak_as(link)
    return render_template(
        "rate/thanks.html",
        program=portal.programs.get(link.program),
        score=score,
        label=RATING_LABELS[score],
    )
