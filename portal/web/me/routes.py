"""A participant's own page, reached by a magic link from an email: no password.

From it a person sees their match and why, accepts the agreement, keeps the pair's goals,
logs check-ins, and pauses, leaves or asks for another match. Every change is a POST with a
CSRF token, from a session that the link's one button opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import i18n
from portal.catalog.documents import render_markdown
from portal.domain.checkins import GOAL_STATES, Checkin, Fit, Goal, GoalState, Kind
from portal.domain.checkins import match_ref as ref  # goals' ids hold addresses too
from portal.domain.participants import BLOCKS, DAYS, Participant, Status
from portal.domain.program import Program
from portal.i18n import gettext, lazy_gettext
from portal.presenters.words import GOAL_STATE_WORDS, goal_state_word
from portal.services.checkins import CHECKIN, RATING_LABELS, CheckinError, split_scope
from portal.services.erasure import NobodyToErase
from portal.services.export import BY_THE_PERSON, WEB, UnknownPerson
from portal.services.magic_links import GROUP_PAGE, LinkGrant
from portal.services.participation import ParticipationError, StoredMatch
from portal.services.rounds import ME
from portal.web import links, services
from portal.web.auth import PARTICIPANT, current_participant, current_program, participant_required
from portal.web.languages.routes import reader_speaks
from portal.web.me.forms import (
    FIT_CHOICES,
    ActionForm,
    CheckinForm,
    GoalForm,
    GoalStateForm,
    LanguageForm,
    build_checkin_form,
)
from portal.web.signup.forms import answers_for_form, build_signup_form

bp = Blueprint("me", __name__)
SESSION_SECONDS = 8 * 3600
ANOTHER_MATCH = lazy_gettext(
    "Your match has ended and you are back in the matching pool: the next round will find "
    "you someone new. Your match and the organizers are told."
)
SURVEY_PATTERN = r"^(day-\d{1,4}|closing)$"


@dataclass(frozen=True)
class Me:
    """Who is signed in, in which program."""

    program: Program
    person: Participant


def _me() -> Me:
    """Who `participant_required` let through, in which program; the page in their language."""
    person = current_participant()
    reader_speaks(person.language)
    return Me(current_program(), person)


def _match(me: Me, match_ref: str, *, feedback: bool = False) -> StoredMatch:
    """One of the person's active matches; with `feedback`, also one that completed its cycle
    (its closing survey is answered afterwards)."""
    portal = services()
    mine = (portal.checkins.checkin_matches if feedback else portal.participation.active_matches)(
        me.program.slug, me.person.email
    )
    for match in mine:
        if ref(match.match_id) == match_ref:
            return match
    abort(404)


def _back(slug: str, anchor: str = "") -> Response:
    return redirect(url_for("me.page", slug=slug) + (f"#{anchor}" if anchor else ""))


# -- the links from emails ------------------------------------------------------------------


@bp.get("/me/<token>")
def open_link(token: str) -> str | Response | tuple[str, int]:
    return links.landing(token, PAGE_LINK, "me/open.html")


@bp.post("/me/<token>")
def sign_in(token: str) -> Response | tuple[str, int]:
    return links.sign_in(token, PAGE_LINK)


def _checkin_form_of(grant: LinkGrant) -> str:
    match_id, survey = split_scope(grant.scope)
    target = url_for("me.checkin", slug=grant.program, match_ref=ref(match_id))
    return target + (f"?survey={quote(survey)}" if survey else "")


def _page_of(grant: LinkGrant) -> str:
    # A /me link of a group email opens the group's page (portal.web.group).
    endpoint = "group.page" if grant.scope == GROUP_PAGE else "me.page"
    return url_for(endpoint, slug=grant.program)


PAGE_LINK = links.SignInLink(ME, PARTICIPANT, SESSION_SECONDS, "me.page", _page_of)
CHECKIN_LINK = links.SignInLink(CHECKIN, PARTICIPANT, SESSION_SECONDS, "me.page", _checkin_form_of)


@bp.get("/checkin/<token>")
def open_checkin_link(token: str) -> str | Response | tuple[str, int]:
    return links.landing(token, CHECKIN_LINK, "me/open_checkin.html")


@bp.post("/checkin/<token>")
def checkin_sign_in(token: str) -> Response | tuple[str, int]:
    return links.sign_in(token, CHECKIN_LINK)


# -- the page -------------------------------------------------------------------------------


def _dated(moment: datetime, timezone: str) -> str:
    """A day with its year, in the reader's zone and language: "9 December 2026"."""
    return i18n.format_day(moment, timezone, year=True)


def survey_name(survey: str) -> str:
    """A survey as the page names it: "closing survey", "day 30 survey"."""
    if survey == "closing":
        return gettext("closing survey")
    return gettext("day %(day)s survey", day=survey.removeprefix("day-"))


def _checkin_words(checkin: Checkin, timezone: str) -> str:
    """What a check-in said, in a line of the history: "met on 1 Mar for 45 minutes, ..."."""
    if checkin.kind is Kind.RATING:
        return gettext("rated %(score)s of 5", score=checkin.satisfaction)
    day = i18n.format_short_day(checkin.day, weekday=False) if checkin.day else ""
    minutes = checkin.minutes
    if not checkin.met:
        words = gettext("did not meet")
    elif day and minutes:
        words = gettext("met on %(day)s for %(minutes)s minutes", day=day, minutes=minutes)
    elif day:
        words = gettext("met on %(day)s", day=day)
    elif minutes:
        words = gettext("met for %(minutes)s minutes", minutes=minutes)
    else:
        words = gettext("met")
    if checkin.topics:
        words += ", " + gettext("talked about %(topics)s", topics=", ".join(checkin.topics))
    if checkin.satisfaction:
        words += "; " + gettext("rated %(score)s of 5", score=checkin.satisfaction)
    if checkin.survey:
        words += f" ({survey_name(checkin.survey)})"
    return words


@dataclass(frozen=True)
class MatchView:
    """One match as its page shows it."""

    match: StoredMatch
    ref: str
    other: Participant | None
    goals: list[Goal]
    history: list[Checkin]
    i_agreed: bool
    they_agreed: bool


def _agreement(program: Program) -> str:
    text = services().agreements.of(program, i18n.current_language()).text
    return render_markdown(text) if text else ""


@bp.get("/me/programs/<slug>")
@participant_required
def page(slug: str) -> str:
    return _page(_me())


def _page(me: Me, goal_form: GoalForm | None = None, goal_ref: str = "") -> str:
    """The person's page; a refused goal comes back in its match's form, beside the field."""
    slug = me.program.slug
    portal = services()
    views = []
    for match in portal.participation.active_matches(slug, me.person.email):
        other_email = match.other(me.person.email)
        views.append(
            MatchView(
                match=match,
                ref=ref(match.match_id),
                other=portal.participation.person(slug, other_email),
                goals=portal.checkins.goals_of(match.match_id),
                history=list(reversed(portal.checkins.history(match.match_id))),
                i_agreed=match.agreed(me.person.email) is not None,
                they_agreed=match.agreed(other_email) is not None,
            )
        )
    return render_template(
        "me/page.html",
        program=me.program,
        person=me.person,
        views=views,
        agreement=_agreement(me.program),
        goal_form=goal_form if goal_form is not None else GoalForm(),
        goal_ref=goal_ref if goal_form is not None and goal_form.errors else "",
        action=ActionForm(),
        goal_states={state: GOAL_STATE_WORDS[state.value] for state in GOAL_STATES},
        ratings=RATING_LABELS,
        fits=FIT_CHOICES,
        ref=ref,
        dated=_dated,
        short_day=partial(i18n.format_short_day, weekday=False, year=True),
        checkin_words=_checkin_words,
        paused=me.person.status is Status.PAUSED,
        notice_changed=_notice_changed(me.person),
        waiting=_waiting(me) if not views else None,
    )


@dataclass(frozen=True)
class Waiting:
    """What the page says to someone without a match: since when, and the next round."""

    since: datetime | None  # None before a round has left them waiting
    next_round: datetime | None  # None when the organizers start rounds by hand
    today: date  # dates in another year say the year


def _waiting(me: Me) -> Waiting | None:
    """Since when a confirmed person without a match waits, and when the next round is."""
    if me.person.status is not Status.CONFIRMED:
        return None
    portal = services()
    return Waiting(
        since=me.person.waiting_since,
        next_round=portal.rounds.next_round(me.program),
        today=portal.clock().date(),
    )


def _notice_changed(person: Participant) -> bool:
    """Whether the privacy notice reads otherwise than the one the person agreed to.

    Sign-ups from before the version was recorded are not told: nothing says which they saw.
    """
    current = services().pages.version("privacy")
    return bool(person.consent_version and current and person.consent_version != current)


# -- changes from the page ------------------------------------------------------------------


def _checked_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.post("/me/programs/<slug>/matches/<match_ref>/agree")
@participant_required
def agree(slug: str, match_ref: str) -> Response:
    me = _me()
    _checked_action()
    match = _match(me, match_ref)
    services().participation.agree(slug, match.match_id, me.person.email)
    flash(gettext("You accepted the mentoring agreement."), "notice")
    return _back(slug, f"match-{match_ref}")


@bp.post("/me/programs/<slug>/matches/<match_ref>/goals")
@participant_required
def add_goal(slug: str, match_ref: str) -> Response | tuple[str, int]:
    me = _me()
    match = _match(me, match_ref)
    form = GoalForm()
    if not form.validate_on_submit():
        return _page(me, form, match_ref), 422
    try:
        services().checkins.add_goal(slug, match.match_id, me.person.email, form.text.data or "")
    except CheckinError as exc:
        flash(str(exc), "error")
    else:
        flash(gettext("Goal added."), "notice")
    return _back(slug, f"goals-{match_ref}")


@bp.post("/me/programs/<slug>/matches/<match_ref>/goals/<goal_ref>")
@participant_required
def update_goal(slug: str, match_ref: str, goal_ref: str) -> Response:
    me = _me()
    match = _match(me, match_ref)
    goal = next(
        (g for g in services().checkins.goals_of(match.match_id) if ref(g.goal_id) == goal_ref),
        None,
    )
    if goal is None:
        abort(404)
    form = GoalStateForm()
    if not form.validate_on_submit():
        flash(gettext("Choose the goal's progress from the list."), "error")
        return _back(slug, f"goals-{match_ref}")
    services().checkins.update_goal(
        slug, match.match_id, me.person.email, goal.goal_id, state=GoalState(form.state.data)
    )
    state = goal_state_word(GoalState(form.state.data)).lower()
    flash(gettext("“%(goal)s”: %(state)s.", goal=goal.text, state=state), "notice")
    return _back(slug, f"goals-{match_ref}")


@bp.route("/me/programs/<slug>/matches/<match_ref>/checkin", methods=["GET", "POST"])
@participant_required
def checkin(slug: str, match_ref: str) -> str | Response | tuple[str, int]:
    me = _me()
    match = _match(me, match_ref, feedback=True)
    portal = services()
    survey = request.args.get("survey", "")
    if survey and not _is_survey(survey):
        abort(404)
    goals = portal.checkins.goals_of(match.match_id)
    history = portal.checkins.history(match.match_id)
    mine = [c for c in history if c.author == me.person.email]
    # Whether the pairing works is asked once, and only while the pair works together.
    asks_fit = match.holds_places and not any(c.fit is not None for c in mine)
    today = portal.clock().date()
    form = build_checkin_form(me.program, goals, asks_fit=asks_fit, today=today)
    if request.method == "GET":
        _prefill(form, mine, today)
    elif form.validate_on_submit():
        answers = form.to_answers(survey)
        try:
            portal.checkins.record(slug, match.match_id, me.person.email, answers)
        except CheckinError as exc:
            flash(str(exc), "error")
        else:
            if answers.fit is Fit.REMATCH:
                saved = gettext("Thank you: your check-in is saved.")
                flash(f"{saved} {ANOTHER_MATCH}", "notice")
                return _back(slug)
            flash(gettext("Thank you: your check-in is saved."), "notice")
            # A completed match is no longer on the page: no anchor to return to.
            return _back(slug, f"history-{match_ref}" if match.holds_places else "")
    other = portal.participation.person(slug, match.other(me.person.email))
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "me/checkin.html",
            program=me.program,
            person=me.person,
            other=other,
            form=form,
            match_ref=match_ref,
            survey=survey,
            goals=goals,
        ),
        status,
    )


def _is_survey(name: str) -> bool:
    return re.fullmatch(SURVEY_PATTERN, name) is not None


def _prefill(form: CheckinForm, mine: list[Checkin], today: date) -> None:
    """Start from today and from what the person said last time: most check-ins look alike."""
    form.day.data = today.isoformat()
    last_meeting = next((c for c in reversed(mine) if c.met), None)
    if last_meeting is not None:
        form.minutes.data = str(last_meeting.minutes or "")
        form.topics.data = list(last_meeting.topics)


@bp.post("/me/programs/<slug>/matches/<match_ref>/rematch")
@participant_required
def rematch(slug: str, match_ref: str) -> Response:
    me = _me()
    _checked_action()
    match = _match(me, match_ref)
    services().participation.end_match(slug, match.match_id, me.person.email, "rematch")
    flash(str(ANOTHER_MATCH), "notice")
    return _back(slug)


@bp.post("/me/programs/<slug>/pause")
@participant_required
def pause(slug: str) -> Response:
    # No message of its own: the page's standing notice says "You are paused" (once).
    return _change_status(slug, Status.PAUSED, "")


@bp.post("/me/programs/<slug>/resume")
@participant_required
def resume(slug: str) -> Response:
    return _change_status(
        slug, Status.CONFIRMED, gettext("Welcome back: the next matching round includes you again.")
    )


def _change_status(slug: str, status: Status, done: str) -> Response:
    me = _me()
    _checked_action()
    try:
        services().participation.set_status(slug, me.person.email, status)
    except ParticipationError as exc:
        flash(str(exc), "error")
    else:
        if done:
            flash(done, "notice")
    return _back(slug)


@bp.route("/me/programs/<slug>/leave", methods=["GET", "POST"])
@participant_required
def leave(slug: str) -> str | Response:
    me = _me()
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services().participation.set_status(slug, me.person.email, Status.LEFT)
        except ParticipationError as exc:
            flash(str(exc), "error")
            return _back(slug)
        return render_template("me/left.html", program=me.program, person=me.person)
    return render_template("me/leave.html", program=me.program, person=me.person, action=form)


@bp.post("/me/programs/<slug>/export")
@participant_required
def export(slug: str) -> Response:
    """Everything held about the signed-in person, in every program, as a JSON download."""
    me = _me()
    _checked_action()  # a POST with the CSRF token: another site cannot make them download it
    try:
        done = services().exports.export(me.person.email, route=WEB, requested_by=BY_THE_PERSON)
    except UnknownPerson:
        abort(404)  # their sign-up went between the check and the export
    response = Response(done.text, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{done.filename}"'
    # Personal data: no browser or proxy cache may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/me/programs/<slug>/erase", methods=["GET", "POST"])
@participant_required
def erase(slug: str) -> str | Response:
    """Delete my data: asks first; the POST erases the person everywhere and signs them out."""
    me = _me()
    form = ActionForm()
    if request.method == "GET":
        return render_template("me/erase.html", program=me.program, person=me.person, action=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        done = services().erasure.erase(me.person.email)
    except NobodyToErase:
        abort(404)  # erased between the check and now (another tab, an organizer)
    links.sign_out()
    return render_template("me/erased.html", programs=len(done.programs))


@bp.route("/me/programs/<slug>/profile", methods=["GET", "POST"])
@participant_required
def profile(slug: str) -> str | Response | tuple[str, int]:
    me = _me()
    person = me.person
    form = build_signup_form(
        me.program,
        person.role,
        data=None
        if request.method == "POST"
        else {
            "name": person.name,
            "email": person.email,
            "languages": list(person.languages),
            "timezone": person.timezone,
            "availability": list(person.availability),
            "skills": list(person.skills),
            "goals": list(person.goals),
            "department": person.department,
            "reports_to": person.reports_to,
            "seniority": person.seniority,
            "capacity": str(person.capacity),
            "bio": person.bio,
            **answers_for_form(me.program, person.answers),
        },
    )
    # The address is who they are and consent was given at sign-up: neither is edited here.
    del form.email, form.consent, form.website
    # A form without the field (one loaded before the field existed) keeps the saved language.
    sent_language = request.method == "POST" and "language" in request.form
    language_form = (
        LanguageForm() if sent_language else LanguageForm(None, data={"language": person.language})
    )
    # Both forms are checked, so that every wrong answer gets its message at once.
    answers_valid = form.validate_on_submit()
    if form.is_submitted() and language_form.validate() and answers_valid:
        language = language_form.language.data or person.language
        portal = services()
        try:
            portal.participation.update_profile(person, {**form.to_profile(), "language": language})
            # One person, one language: the choice holds for every program they signed up to.
            portal.participation.set_language(person.email, language)
        except ParticipationError as exc:
            flash(str(exc), "error")
        else:
            reader_speaks(language)  # the message says it in the language just chosen
            flash(
                gettext("Your profile is updated. Matching uses it from the next round."), "notice"
            )
            return _back(slug)
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "me/profile.html",
            program=me.program,
            person=person,
            role=person.role,
            form=form,
            language_form=language_form,
            days=DAYS,
            blocks=BLOCKS,
        ),
        status,
    )
