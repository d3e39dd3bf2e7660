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
from portal.domain.participants import BLOCKS, DAYS, SENIORITY_LEVELS, Status
from portal.domain.program import Program
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
from portal.web.organize.blueprint import bp

REASON_MAX = 500

STATUS_WORDS = {
    Status.PENDING.value: "Pending (email not confirmed)",
    Status.CONFIRMED.value: "Confirmed",
    Status.PAUSED.value: "Paused",
    Status.LEFT.value: "Left or removed",
}
MATCHING_WORDS = {
    Matching.MATCHED.value: "In an active match",
    Matching.WAITING.value: "Waiting (confirmed, no active match)",
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
        "Why turn email back on?",
        validators=[
            DataRequired(message="Please say why email is turned back on: the log shows it."),
            Length(max=REASON_MAX, message=f"Up to {REASON_MAX} characters, please."),
            PlainText(),
        ],
        description="For example: “Asked by phone on 3 March to get emails again.” "
        f"Shown in the audit log to every organizer of the program and kept a year. Up to "
        f"{REASON_MAX} characters; please leave out names and addresses.",
    )


def _filters(args: Mapping[str, str], program: Program) -> tuple[Filters, list[str]]:
    """The list's filters from the query string, and a message for each value left out."""
    problems = []
    search = " ".join(args.get("q", "").split())
    if len(search) > SEARCH_MAX:
        problems.append(f"The search was longer than {SEARCH_MAX} characters: it was cut short.")
        search = search[:SEARCH_MAX]
    choices = {
        "role": ("role", set(program.roles)),
        "status": ("status", set(STATUS_WORDS)),
        "matching": ("match filter", set(MATCHING_WORDS)),
        "email": ("email filter", {"off"}),
    }
    chosen: dict[str, str] = {}
    for name, (words, allowed) in choices.items():
        value = args.get(name, "")
        if value and value not in allowed:
            problems.append(f"“{value[:40]}” is not a {words} here: every one is shown.")
            value = ""
        chosen[name] = value
    page_text = args.get("page", "1")
    page = int(page_text) if page_text.isascii() and page_text.isdigit() else 0
    if page < 1 or page > 100_000:
        problems.append(f"“{page_text[:40]}” is not a page number: the first page is shown.")
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
        seniority_words=dict(SENIORITY_LEVELS),
        liftable=LIFTABLE,
        match_ref=match_ref,
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
                flash("The form did not say which status you saw: please confirm again.", "error")
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
            flash(f"Email to {person.first_name} is on again. The log records why.", "ok")
        else:
            refusal = roster.resend_link(
                program.slug, person.participant_id, current_organizer(), _source()
            )
            if refusal is not None:
                minutes = max(1, -(-refusal.retry_after // 60))
                flash(
                    "No link was sent: too many sign-in links were asked for lately, from your "
                    f"network or for {person.first_name}'s address. Try again in {minutes} "
                    f"minute{'' if minutes == 1 else 's'}.",
                    "error",
                )
            else:
                flash(
                    f"A new sign-in link is on its way to {person.first_name}, in the same "
                    "email as the Sign in form sends.",
                    "ok",
                )
    except RosterError as exc:  # a StaleAction too: it says nothing was changed, and why
        flash(str(exc), "error")
    return _back(program.slug, person.participant_id)


def _source() -> str:
    return source_address(request.environ)


def _status_done(action: Action, name: str, ended: int) -> str:
    matches = f" {ended} active match{'' if ended == 1 else 'es'} ended; each partner was told."
    if action is Action.PAUSE:
        return f"{name} is paused: no new matches until resumed." + (matches if ended else "")
    if action is Action.RESUME:
        return f"{name} is back: the next matching round includes them."
    return f"{name} is removed from the program." + (matches if ended else "")
