"""A group's page, in group programs: who is in the group, and the group's check-ins.

Any member sees every member (what a match sees of them) and the group check-ins logged
since they joined, and logs one with the form on the page. The page is the participant's,
guarded like their own page (`participant_required`: a session opened by an emailed link);
someone signed in but in no group gets a page that says so and where to go instead.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import i18n
from portal.domain.checkins import Checkin
from portal.domain.program import Program
from portal.i18n import gettext, lazy_gettext
from portal.services.groups import GroupCheckinAnswers, GroupError
from portal.web import services
from portal.web.auth import current_participant, current_program, participant_required
from portal.web.languages.routes import reader_speaks
from portal.web.me.forms import CheckinForm, build_checkin_form

bp = Blueprint("group", __name__)


def build_group_checkin_form(program: Program, today: date) -> CheckinForm:
    """The check-in form without what belongs to one pair: no rating, no private note, no
    goals (a pair's goals stay on the pair's own form)."""
    form = build_checkin_form(program, [], asks_fit=False, today=today)
    del form.satisfaction, form.note
    form.met.label.text = lazy_gettext("Did the group meet since the last check-in?")
    form.day.description = lazy_gettext("The date of the group's latest session.")
    return form


def _dated(moment: datetime, timezone: str) -> str:
    """A day with its year, in the reader's zone and language: "9 December 2026"."""
    return i18n.format_day(moment, timezone, year=True)


def _group_checkin_words(checkin: Checkin) -> str:
    """What a group check-in said: "the group met on 1 March for 90 minutes; talked about ..."."""
    day = i18n.format_day(checkin.day) if checkin.day else ""
    minutes = checkin.minutes
    if not checkin.met:
        words = gettext("the group has not met")
    elif day and minutes:
        words = gettext(
            "the group met on %(day)s for %(minutes)s minutes", day=day, minutes=minutes
        )
    elif day:
        words = gettext("the group met on %(day)s", day=day)
    elif minutes:
        words = gettext("the group met for %(minutes)s minutes", minutes=minutes)
    else:
        words = gettext("the group met")
    if checkin.topics:
        words += "; " + gettext("talked about %(topics)s", topics=", ".join(checkin.topics))
    return words + "."


@bp.route("/me/programs/<slug>/group", methods=["GET", "POST"])
@participant_required
def page(slug: str) -> str | Response | tuple[str, int]:
    program, person = current_program(), current_participant()
    reader_speaks(person.language)
    portal = services()
    view = portal.groups.view(program, person.email)
    if view is None:
        return render_template("group/not_member.html", program=program, person=person), 403
    form = build_group_checkin_form(program, portal.clock().date())
    if request.method == "GET":
        form.day.data = portal.clock().date().isoformat()
    elif form.validate_on_submit():
        answers = GroupCheckinAnswers(
            met=form.met.data == "yes",
            day=form.meeting_day,
            minutes=form.meeting_minutes,
            topics=tuple(form.topics.data or ()),
        )
        try:
            portal.groups.log(program, person.email, answers)
        except GroupError as exc:
            flash(str(exc), "error")
        else:
            flash(
                gettext("Thank you: the group's check-in is saved, and everyone in it sees it."),
                "notice",
            )
            return redirect(url_for("group.page", slug=program.slug) + "#checkins")
    status = 422 if form.is_submitted() and form.errors else 200
    return (
        render_template(
            "group/page.html",
            program=program,
            person=person,
            view=view,
            form=form,
            dated=_dated,
            group_checkin_words=_group_checkin_words,
        ),
        status,
    )
