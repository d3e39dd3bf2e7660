"""The console's matches: the program's matches and the people waiting; end a match, move a
waiting mentee to a mentor with room. Each action is asked first and written to the audit log.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.domain.checkins import match_ref
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.i18n import gettext, lazy_gettext
from portal.presenters.words import match_state_word
from portal.services.console_matches import STATUSES
from portal.services.participation import MatchChangedError, ParticipationError, StoredMatch
from portal.services.rounds import AdjustmentError
from portal.web import services
from portal.web.auth import current_organizer, current_program, organizer_required
from portal.web.forms import PlainText, PortalForm
from portal.web.organize.audit import today_in
from portal.web.organize.blueprint import bp

REASON_MAX = 500


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class EndMatchForm(PortalForm):
    """Ending a match: the state the organizer saw, and their reason for the record."""

    seen = HiddenField()
    reason = TextAreaField(
        lazy_gettext("Why are you ending it?"),
        filters=[_stripped],
        validators=[
            DataRequired(
                message=lazy_gettext("Please give a reason: it is kept in the audit log.")
            ),
            Length(
                max=REASON_MAX,
                message=lazy_gettext("Up to %(max)s characters, please.", max=REASON_MAX),
            ),
            PlainText(),
        ],
        description=lazy_gettext(
            "For the audit log only: neither of them is sent it. Up to %(max)s characters.",
            max=REASON_MAX,
        ),
    )


class MoveForm(FlaskForm):
    """Moving a waiting mentee: whom to whom, by participant id."""

    mentee = HiddenField()
    mentor = HiddenField()


@bp.get("/programs/<slug>/matches")
@organizer_required
def matches(slug: str) -> str:
    """The program's matches, filtered by status, and below them the people waiting."""
    program = current_program()
    desk = services().console_matches
    status = request.args.get("status") or None
    if status not in STATUSES:
        status = None
    everyone = desk.everyone(program)
    number = request.args.get("page", "1")
    listed = desk.listing(program, everyone, status, int(number) if number.isdigit() else 1)
    return render_template(
        "organize/matches.html",
        program=program,
        rows=listed.rows,
        listed=listed,
        status=status,
        statuses=STATUSES,
        waiting=desk.waiting(program, everyone),
        mentors=desk.mentors_with_room(program, everyone),
        ref=match_ref,
        now=services().clock(),
        today=today_in(program),
    )


def _match(program: Program, ref: str) -> StoredMatch:
    """The program's match whose reference is in the address; 404 if none."""
    found = services().console_matches.by_ref(program, ref)
    if found is None:
        abort(404)
    return found


def _names(program: Program, match: StoredMatch) -> dict[str, str]:
    everyone = services().console_matches.everyone(program)

    def name(email: str) -> str:
        person = everyone.get(email)
        return person.name if person else "someone no longer in the program"

    return {"mentor": name(match.mentor), "mentee": name(match.mentee)}


def _end_page(program: Program, match: StoredMatch, form: EndMatchForm, changed: str = "") -> str:
    return render_template(
        "organize/end_match.html",
        program=program,
        match=match,
        names=_names(program, match),
        form=form,
        ref=match_ref(match.match_id),
        changed=changed,
        state_word=match_state_word,
    )


@bp.get("/programs/<slug>/matches/<ref>/end")
@organizer_required
def confirm_end_match(slug: str, ref: str) -> str:
    """Asked first: who is in the match and what ending it does."""
    program = current_program()
    match = _match(program, ref)
    form = EndMatchForm(seen=match.status.value)
    return _end_page(program, match, form)


@bp.post("/programs/<slug>/matches/<ref>/end")
@organizer_required
def end_match(slug: str, ref: str) -> Response | tuple[str, int]:
    """End the match, as the organizer saw it, with a kind email to both people."""
    program = current_program()
    match = _match(program, ref)
    form = EndMatchForm()
    if not form.validate_on_submit():
        return _end_page(program, match, form), 422
    try:
        services().participation.end_by_organizer(
            slug, match.match_id, seen=str(form.seen.data or ""), organizer=current_organizer()
        )
    except MatchChangedError as exc:
        current = services().console_matches.match(program, match.match_id) or match
        return _end_page(program, current, form, changed=str(exc)), 409
    except ParticipationError:
        abort(404)
    services().audit.record(
        slug,
        current_organizer(),
        "end_match",
        subject_kind="match",
        subject=match.match_id,
        detail=str(form.reason.data),
    )
    names = _names(program, match)
    flash(
        gettext(
            "Ended the match of %(mentor)s and %(mentee)s: both were emailed, and both places "
            "are free.",
            mentor=names["mentor"],
            mentee=names["mentee"],
        ),
        "ok",
    )
    return redirect(url_for("organize.matches", slug=slug))


def _people(program: Program, mentee_id: str, mentor_id: str) -> tuple[Participant, Participant]:
    """The mentee and mentor a move names by participant id; 404 unless both are the program's."""
    by_id = {p.participant_id: p for p in services().console_matches.everyone(program).values()}
    mentee, mentor = by_id.get(mentee_id), by_id.get(mentor_id)
    if mentee is None or mentor is None:
        abort(404)
    return mentee, mentor


@bp.get("/programs/<slug>/matches/move")
@organizer_required
def confirm_move(slug: str) -> str | Response:
    """Asked first: match this waiting mentee with this mentor, and introduce them now."""
    program = current_program()
    mentee_id, mentor_id = request.args.get("mentee", ""), request.args.get("mentor", "")
    if not mentor_id:
        flash(gettext("Choose a mentor for the mentee first."), "error")
        return redirect(url_for("organize.matches", slug=slug, _anchor="waiting"))
    mentee, mentor = _people(program, mentee_id, mentor_id)
    return render_template(
        "organize/move.html",
        program=program,
        mentee=mentee,
        mentor=mentor,
        form=MoveForm(mentee=mentee.participant_id, mentor=mentor.participant_id),
    )


@bp.post("/programs/<slug>/matches/move")
@organizer_required
def move_mentee(slug: str) -> Response:
    """Match the mentee with the mentor if the rules and capacity allow; introduce them."""
    program = current_program()
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    mentee, mentor = _people(program, str(form.mentee.data or ""), str(form.mentor.data or ""))
    try:
        pair = services().rounds.move(program, mentee.email, mentor.email)
    except AdjustmentError as exc:
        flash(gettext("Not moved: %(why)s.", why=str(exc)), "error")
        return redirect(url_for("organize.matches", slug=slug, _anchor="waiting"))
    services().audit.record(
        slug, current_organizer(), "move_mentee", subject_kind="match", subject=pair.match_id
    )
    flash(
        gettext(
            "Matched %(mentee)s with %(mentor)s: both have their introduction email.",
            mentee=mentee.name,
            mentor=mentor.name,
        ),
        "ok",
    )
    return redirect(url_for("organize.matches", slug=slug))
