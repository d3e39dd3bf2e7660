"""The console's people: the list with its search and filters, one person's page, and the
actions on a person, each asked first on a page whose button names what it does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.domain.checkins import match_ref
from portal.domain.participants import BLOCKS, DAYS, Status
from portal.domain.program import Program
from portal.i18n import N_, gettext, lazy_gettext, ngettext
from portal.services.roster import (
    LIFTABLE,
    SEARCH_MAX,
    STATUS_CHANGES,
    SUPPRESSION_WORDS,
    Action,
    Filters,
    Matching,
    PersonFile,
    RosterError,
)
from portal.web import services, source_address
from portal.web.auth import current_organizer, current_program, organizer_required
from portal.web.forms import PlainText, PortalForm
from portal.web.organize.audit import moment_in, today_in
from portal.web.organize.blueprint import bp

REASON_MAX = 500

STATUS_WORDS = {
    Status.PENDING.value: lazy_gettext("Pending (email not confirmed)"),
    Status.CONFIRMED.value: lazy_gettext("Confirmed"),
    Status.PAUSED.value: lazy_gettext("Paused"),
    Status.LEFT.value: lazy_gettext("Left or removed"),
}
MATCHING_WORDS = {
    Matching.MATCHED.value: lazy_gettext("In an active match"),
    Matching.WAITING.value: lazy_gettext("Waiting (confirmed, no active match)"),
}
SLOT_WORDS = {
    f"{day}-{block}": f"{day_label} {block_label.split(' (')[0].lower()}"
    for day, day_label in DAYS
    for block, block_label, *_ in BLOCKS
}


class StatusForm(PortalForm):
    """Pause, resume or remove: the status the organizer saw, checked when it is written."""

    seen = HiddenField()


class LinkForm(PortalForm):
    """Send a new sign-in link: only its CSRF token is checked."""


class EmailOnForm(PortalForm):
    """Lift an unsubscribe: why (shown in the audit log), and the reason email was off."""

    seen = HiddenField()
    reason = TextAreaField(
        lazy_gettext("Why turn email back on?"),
        validators=[
            DataRequired(
                message=lazy_gettext("Please say why email is turned back on: the log shows it.")
            ),
            Length(
                max=REASON_MAX,
                message=lazy_gettext("Up to %(max)s characters, please.", max=REASON_MAX),
            ),
            PlainText(),
        ],
        description=lazy_gettext(
            "For example: “Asked by phone on 3 March to get emails again.” Shown in the audit "
            "log to every organizer of the program and kept a year. Up to %(max)s characters; "
            "please leave out names and addresses.",
            max=REASON_MAX,
        ),
    )


def _filters(args: Mapping[str, str], program: Program) -> tuple[Filters, list[str]]:
    """The list's filters from the query string, and a message for each value left out."""
    problems = []
    search = " ".join(args.get("q", "").split())
    if len(search) > SEARCH_MAX:
        problems.append(
            gettext(
                "The search was longer than %(max)s characters: it was cut short.", max=SEARCH_MAX
            )
        )
        search = search[:SEARCH_MAX]
    # Each filter's refusal, a whole sentence per filter (so that a language can reorder it).
    choices = {
        "role": (N_("“%(value)s” is not a role here: every one is shown."), set(program.roles)),
        "status": (N_("“%(value)s” is not a status here: every one is shown."), set(STATUS_WORDS)),
        "matching": (
            N_("“%(value)s” is not a match filter here: every one is shown."),
            set(MATCHING_WORDS),
        ),
        "email": (N_("“%(value)s” is not a email filter here: every one is shown."), {"off"}),
    }
    chosen: dict[str, str] = {}
    for name, (refusal, allowed) in choices.items():
        value = args.get(name, "")
        if value and value not in allowed:
            problems.append(gettext(refusal, value=value[:40]))
            value = ""
        chosen[name] = value
    page_text = args.get("page", "1")
    page = int(page_text) if page_text.isascii() and page_text.isdigit() else 0
    if page < 1 or page > 100_000:
        problems.append(
            gettext(
                "“%(value)s” is not a page number: the first page is shown.", value=page_text[:40]
            )
        )
        page = 1
    return Filters(search=search, page=page, **chosen), problems


@bp.get("/programs/<slug>/people")
@organizer_required
def people(slug: str) -> str:
    """Everyone in the program, found by name or address and filtered, a page at a time."""
    program = current_program()
    filters, problems = _filters(request.args, program)
    found = services().roster.search(slug, filters)
    # Only the filters as understood: a made-up query key (`_external`...) goes nowhere.
    kept = {
        "q": filters.search,
        "role": filters.role,
        "status": filters.status,
        "matching": filters.matching,
        "email": filters.email,
    }
    query: dict[str, Any] = {key: value for key, value in kept.items() if value}
    pages = {
        number: url_for("organize.people", slug=slug, page=str(number), **query)
        for number in (found.page - 1, found.page + 1)
        if 1 <= number <= found.pages
    }
    return render_template(
        "organize/people.html",
        program=program,
        filters=filters,
        problems=problems,
        found=found,
        previous=pages.get(found.page - 1),
        next=pages.get(found.page + 1),
        status_words=STATUS_WORDS,
        matching_words=MATCHING_WORDS,
        suppression_words=SUPPRESSION_WORDS,
    )


def _no_person(program: Program) -> tuple[str, int]:
    """The id in the address is nobody in this program (or someone erased since)."""
    return render_template("organize/no_person.html", program=program), 404


@bp.get("/programs/<slug>/people/<participant_id>")
@organizer_required
def person(slug: str, participant_id: str) -> str | tuple[str, int]:
    """One person: profile, status, matches, check-ins, email, and what organizers did."""
    program = current_program()
    found = services().roster.file(slug, participant_id)
    if found is None:
        return _no_person(program)
    return render_template(
        "organize/person.html",
        program=program,
        file=found,
        status_words=STATUS_WORDS,
        suppression_words=SUPPRESSION_WORDS,
        slot_words=SLOT_WORDS,
        liftable=LIFTABLE,
        match_ref=match_ref,
        moment=moment_in(program),
        today=today_in(program),
    )


def _back(slug: str, participant_id: str) -> Response:
    return redirect(url_for("organize.person", slug=slug, participant_id=participant_id))


@bp.route("/programs/<slug>/people/<participant_id>/<action>", methods=["GET", "POST"])
@organizer_required
def person_action(slug: str, participant_id: str, action: str) -> str | Response | tuple[str, int]:
    """An action on a person: its confirm page (GET), then the action itself (POST)."""
    program = current_program()
    try:
        chosen = Action(action)
    except ValueError:
        abort(404)
    found = services().roster.file(slug, participant_id)
    if found is None:
        return _no_person(program)
    form: PortalForm
    if chosen is Action.EMAIL_ON:
        form = EmailOnForm()
    elif chosen is Action.RESEND_LINK:
        form = LinkForm()
    else:
        form = StatusForm()
    if request.method == "POST":
        return _act(program, found, chosen, form)
    status = 200 if chosen in found.actions else 409
    return _confirm(program, found, chosen, form), status


def _confirm(program: Program, found: PersonFile, action: Action, form: PortalForm) -> str:
    if isinstance(form, StatusForm | EmailOnForm) and not form.is_submitted():
        seen = found.person.status.value if isinstance(form, StatusForm) else ""
        if isinstance(form, EmailOnForm) and found.suppression is not None:
            seen = found.suppression.reason
        form.seen.data = seen
    return render_template(
        "organize/person_action.html",
        program=program,
        file=found,
        action=action.value,
        possible=action in found.actions,
        form=form,
        suppression_words=SUPPRESSION_WORDS,
        limits=services().limits,
        today=today_in(program),
    )


def _act(
    program: Program, found: PersonFile, action: Action, form: PortalForm
) -> str | Response | tuple[str, int]:
    roster = services().roster
    person = found.person
    if not form.validate_on_submit():
        return _confirm(program, found, action, form), 422
    try:
        if isinstance(form, StatusForm):
            seen = form.seen.data or ""
            if seen not in {s.value for s in STATUS_CHANGES[action][1]}:
                flash(
                    gettext("The form did not say which status you saw: please confirm again."),
                    "error",
                )
                return _confirm(program, found, action, StatusForm(formdata=None)), 422
            change = roster.change_status(
                program.slug, person.participant_id, action, Status(seen), current_organizer()
            )
            flash(_status_done(action, change.person.first_name, len(change.ended)), "ok")
        elif isinstance(form, EmailOnForm):
            roster.email_on(
                program.slug,
                person.participant_id,
                form.seen.data or "",
                (form.reason.data or "").strip(),
                current_organizer(),
            )
            flash(
                gettext(
                    "Email to %(name)s is on again. The log records why.", name=person.first_name
                ),
                "ok",
            )
        else:
            refusal = roster.resend_link(
                program.slug, person.participant_id, current_organizer(), _source()
            )
            if refusal is not None:
                minutes = max(1, -(-refusal.retry_after // 60))
                flash(
                    ngettext(
                        "No link was sent: too many sign-in links were asked for lately, from "
                        "your network or for %(name)s's address. Try again in %(num)s minute.",
                        "No link was sent: too many sign-in links were asked for lately, from "
                        "your network or for %(name)s's address. Try again in %(num)s minutes.",
                        minutes,
                        name=person.first_name,
                    ),
                    "error",
                )
            else:
                flash(
                    gettext(
                        "A new sign-in link is on its way to %(name)s, in the same email as the "
                        "Sign in form sends.",
                        name=person.first_name,
                    ),
                    "ok",
                )
    except RosterError as exc:  # a StaleAction too: it says nothing was changed, and why
        flash(str(exc), "error")
    return _back(program.slug, person.participant_id)


def _source() -> str:
    return source_address(request.environ)


def _status_done(action: Action, name: str, ended: int) -> str:
    if action is Action.RESUME:
        return gettext("%(name)s is back: the next matching round includes them.", name=name)
    if action is Action.PAUSE:
        done = gettext("%(name)s is paused: no new matches until resumed.", name=name)
    else:
        done = gettext("%(name)s is removed from the program.", name=name)
    if not ended:
        return done
    # Its own sentence after the first.
    return (
        done
        + " "
        + ngettext(
            "%(num)s active match ended; each partner was told.",
            "%(num)s active matches ended; each partner was told.",
            ended,
        )
    )
