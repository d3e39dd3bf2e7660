"""A program's life in the console: create one from a template (site admins), its Status page
(where its settings come from, its state, its versions), open or close sign-up, pause or resume
rounds, archive or bring back (each asked first, against the version the organizer saw), and
duplicate it for a new cohort (site admins).

The changes themselves are `services().program_admin`'s, which validates, stores a new version
with a conditional write and records each in the audit log. The forms and words are in
`lifecycle_words`.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal.domain.program import Program
from portal.domain.program_templates import TEMPLATES
from portal.i18n import format_moment, gettext
from portal.services.programs import ProgramChanged, ProgramRefused
from portal.web import services
from portal.web.auth import (
    admin_required,
    current_organizer,
    current_program,
    is_admin,
    organizer_required,
)
from portal.web.forms import PortalForm
from portal.web.organize.blueprint import bp
from portal.web.organize.lifecycle_words import (
    SLUG_RULE,
    STEPS,
    DuplicateForm,
    LifecycleForm,
    NewProgramForm,
    change_words,
    errors_in_page_order,
    file_actions_words,
    file_words,
    not_now,
    possible,
    refusal_placed,
    refusal_words,
    settings_path,
    state_words,
    suggested_slug,
)
from portal.web.organize.program_form import LOST_VERSION, opened_version
from portal.web.organize.republish import republish

__all__ = ["STEPS", "suggested_slug"]


def _render_form(
    template: str, form: PortalForm, general: list[str], **context: Any
) -> tuple[str, int] | str:
    page = render_template(
        template,
        form=form,
        general=general,
        problems=errors_in_page_order(form),
        templates=TEMPLATES,
        slug_rule=SLUG_RULE,
        **context,
    )
    return (page, 422) if form.is_submitted() else page


def _unfill_slug(form: PortalForm, slug: str) -> None:
    """A web address made from the title was refused: empty the field again (so that a new
    title makes a new one) and say which address was tried."""
    form["slug"].data = ""
    form["slug"].errors = [
        gettext(
            "The web address /programs/%(slug)s is another program's: it was made from the "
            "title. Change the title, or choose a web address here.",
            slug=slug,
        )
    ]


def _fill_slug(form: PortalForm) -> str:
    """The web address asked for, or the one made from the title (shown in the field)."""
    if not form["slug"].data:
        form["slug"].data = suggested_slug(str(form["title"].data or ""))
        if not form["slug"].data:
            form["slug"].errors = [
                *form["slug"].errors,
                gettext(
                    "Please choose a web address: none could be made from the title. %(rule)s",
                    rule=SLUG_RULE,
                ),
            ]
    return str(form["slug"].data)


# -- creating a program -------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new_program() -> str | tuple[str, int] | Response:
    """Create a program from a template (site admins only)."""
    form = NewProgramForm()
    if not form.is_submitted():
        form.organizers.data = current_organizer()
        form.signup_open.data = False
        return _render_form("organize/new_program.html", form, [])
    general: list[str] = []
    if form.validate():
        made = not form.slug.data
        slug = _fill_slug(form)
        if not form.slug.errors:
            try:
                program = services().program_admin.create(
                    str(form.template.data),
                    title=str(form.title.data),
                    slug=slug,
                    organizers=form.addresses,
                    signup_open=bool(form.signup_open.data),
                    by=current_organizer(),
                )
            except ProgramRefused as exc:
                general = refusal_placed(form, exc)
                if made and form.slug.errors:
                    _unfill_slug(form, slug)
            else:
                flash(_created(program), "ok")
                republish(program.slug)
                return redirect(url_for("organize.program", slug=program.slug))
    return _render_form("organize/new_program.html", form, general)


def _created(program: Program, original: Program | None = None) -> str:
    """What was made (created, or duplicated from `original`), in one whole sentence."""
    words = {"title": program.title, "slug": program.slug, "path": settings_path(program.slug)}
    if original is None:
        if program.signup_open:
            return gettext(
                "Created “%(title)s” at /programs/%(slug)s, with sign-up open. Change its "
                "questions, schedule and page on its settings page, %(path)s.",
                **words,
            )
        return gettext(
            "Created “%(title)s” at /programs/%(slug)s, with sign-up closed (open it on its "
            "Status page). Change its questions, schedule and page on its settings page, "
            "%(path)s.",
            **words,
        )
    if program.signup_open:
        return gettext(
            "Duplicated %(original)s as “%(title)s” at /programs/%(slug)s, with sign-up open. "
            "Change its questions, schedule and page on its settings page, %(path)s.",
            original=original.title,
            **words,
        )
    return gettext(
        "Duplicated %(original)s as “%(title)s” at /programs/%(slug)s, with sign-up closed "
        "(open it on its Status page). Change its questions, schedule and page on its settings "
        "page, %(path)s.",
        original=original.title,
        **words,
    )


# -- a program's status -------------------------------------------------------------------


@bp.get("/programs/<slug>/status")
@organizer_required
def program_status(slug: str) -> str:
    """Where the program's settings come from, its state, its versions and what can be done."""
    program = current_program()
    admin = services().program_admin
    info = admin.info(slug)
    return render_template(
        "organize/status.html",
        program=program,
        info=info,
        file_words=file_words(slug),
        file_actions=file_actions_words(slug),
        state=state_words(program),
        versions=admin.versions(slug) if info is not None else [],
        actions=[action for action in STEPS if possible(program, action)]
        if info is not None
        else [],
        steps=STEPS,
        admin=is_admin(),
        settings_path=settings_path(slug),
        moment=format_moment,
        change_words=change_words,
    )


@bp.route("/programs/<slug>/status/<action>", methods=["GET", "POST"])
@organizer_required
def program_lifecycle(slug: str, action: str) -> str | tuple[str, int] | Response:
    """Open/close sign-up, pause/resume rounds, archive/bring back: asked first, then done."""
    if action not in STEPS:
        abort(404)
    program = current_program()
    portal = services()
    info = portal.program_admin.info(slug)
    form = LifecycleForm()
    if not form.is_submitted():
        form.expected.data = str(info.version) if info else ""
        return render_template(
            "organize/lifecycle.html",
            program=program,
            action=action,
            step=STEPS[action],
            form=form,
            file_words=file_words(slug) if info is None else "",
            possible=possible(program, action),
            not_now=not_now(program, action),
        )
    if not form.validate():
        abort(400)  # the token checks failed before; nothing else is typed on this form
    back = redirect(url_for("organize.program_status", slug=slug))
    if info is None:
        flash(gettext("%(why)s Nothing was changed.", why=file_words(slug)), "error")
        return back
    if not possible(program, action):
        flash(gettext("%(why)s Nothing was changed.", why=not_now(program, action)), "error")
        return back
    expected = opened_version(form.expected.data)
    if expected is None:
        flash(
            gettext(
                "%(problem)s: choose again on this page, which shows the live version.",
                problem=gettext(LOST_VERSION),
            ),
            "error",
        )
        return back
    try:
        portal.program_admin.lifecycle(slug, action, expected=expected, by=current_organizer())
    except ProgramChanged as exc:
        # Its message says nothing was saved; the Status page it leads back to reads the live
        # version from the table (organizer_required), so it shows what changed.
        flash(refusal_words(exc), "error")
    except ProgramRefused as exc:
        flash(gettext("%(why)s Nothing was changed.", why=refusal_words(exc)), "error")
    else:
        flash(str(STEPS[action].done), "ok")
        republish(slug)
    return back


# -- duplicating it -------------------------------------------------------------------------


@bp.route("/programs/<slug>/duplicate", methods=["GET", "POST"])
@organizer_required
def duplicate_program(slug: str) -> str | tuple[str, int] | Response:
    """A new program for the next cohort: these settings, none of the people (site admins)."""
    if not is_admin():
        abort(404)
    program = current_program()
    form = DuplicateForm()
    general: list[str] = []
    if form.is_submitted() and form.validate():
        made = not form.slug.data
        new_slug = _fill_slug(form)
        if not form.slug.errors:
            try:
                copy = services().program_admin.duplicate(
                    slug,
                    new_slug=new_slug,
                    new_title=str(form.title.data),
                    signup_open=bool(form.signup_open.data),
                    by=current_organizer(),
                )
            except ProgramRefused as exc:
                general = refusal_placed(form, exc)
                if made and form.slug.errors:
                    _unfill_slug(form, new_slug)
            else:
                flash(_created(copy, program), "ok")
                republish(copy.slug)
                return redirect(url_for("organize.program", slug=copy.slug))
    return _render_form("organize/duplicate.html", form, general, program=program)
