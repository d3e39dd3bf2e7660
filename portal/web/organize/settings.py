"""The program editor: every setting of a stored program in plain words, checked whole by the
one validation every program goes through, previewed, and saved as a new version."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from portal import i18n
from portal.catalog.documents import render_markdown
from portal.domain.program import MAX_QUESTIONS, Program
from portal.i18n import format_moment, gettext
from portal.services.program_changes import ChangePreview
from portal.services.programs import (
    InvalidProgram,
    ProgramRefused,
    changed_settings,
    document_of,
)
from portal.web import services
from portal.web.auth import current_organizer, current_program, is_admin, organizer_required
from portal.web.organize.blueprint import bp
from portal.web.organize.editor_errors import error_summary
from portal.web.organize.program_form import LOST_VERSION, ProgramForm, opened_version
from portal.web.organize.program_words import (
    APPROVAL_WORDS,
    DAYS,
    FORMAT_WORDS,
    WEIGHT_WORDS,
    read_weekly,
)
from portal.web.organize.republish import republish, site_publishes

ACTIONS = ("save", "preview_page", "preview_effect")


def _fingerprint(warnings: tuple[str, ...]) -> str:
    """What the organizer confirmed: the warnings they saw (new warnings ask again)."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


def _form(program: Program) -> ProgramForm:
    portal = services()
    form = ProgramForm()
    if request.method == "GET":
        form.load(program)
        info = portal.programs.stored_info(program.slug)
        form.version.data = str(info.version if info else 0)
    form.offer(
        program,
        portal.agreements.available(i18n.current_language()) | _kept(program.agreement),
        {track.slug: track.title for track in portal.tracks} | _kept(program.track),
    )
    return form


def _kept(slug: str | None) -> dict[str, str]:
    # A program may name one that is gone from the folder: keep it choosable, not silently lost.
    return {slug: slug} if slug else {}


def _page(program: Program, form: ProgramForm | None, status: int = 200, **extra: Any) -> Any:
    portal = services()
    return (
        render_template(
            "organize/settings.html",
            program=program,
            form=form,
            info=portal.programs.stored_info(program.slug),
            is_file=portal.programs.is_file(program.slug),
            format_words=FORMAT_WORDS,
            approval_words=APPROVAL_WORDS,
            weight_words=WEIGHT_WORDS,
            weekly=read_weekly,
            day_words=dict(DAYS),
            max_questions=MAX_QUESTIONS,
            summary=error_summary(form) if form is not None else [],
            admin=is_admin(),
            agreement_titles=portal.agreements.available(i18n.current_language()),
            track_titles={track.slug: track.title for track in portal.tracks},
            moment=format_moment,
            **extra,
        ),
        status,
    )


def _editable(program: Program) -> bool:
    return not services().programs.is_file(program.slug) and not program.archived


def _model_problems(form: ProgramForm, program: Program) -> list[str]:
    """The program validation's problems too, when the form's own checks failed, beside the
    fields that have no message yet: one save shows every problem, not one kind at a time."""
    try:
        document = form.to_document(document_of(program))
    except (TypeError, ValueError):  # a setting so wrong that no program can be built from it
        return []
    try:
        services().program_admin.validate(document)
    except InvalidProgram as exc:
        return form.show_errors(exc.errors, after_form_errors=True)
    return []


@bp.route("/programs/<slug>/settings", methods=["GET", "POST"])
@organizer_required
def program_settings(slug: str) -> Any:
    """The program's settings: a form for a stored program, read-only words for a file's or an
    archived one. A POST checks the whole program, previews it, or saves it as a new version."""
    program = current_program()
    if not _editable(program):
        return _page(program, None, 200 if request.method == "GET" else 409)
    if request.method == "GET":
        return _page(program, _form(program))
    portal = services()
    form = _form(program)
    action = request.form.get("action", "save")
    action = action if action in ACTIONS else "save"
    extra: dict[str, Any] = {}
    if action == "preview_page" and form.basics.body.validate(form):
        extra["page_preview"] = render_markdown(form.basics.body.data or "")
        return _page(program, form, **extra)
    if not form.validate():
        general = _model_problems(form, program)
        return _page(program, form, 422, invalid=True, problems=general)
    try:
        candidate = portal.program_admin.validate(form.to_document(document_of(program)))
    except InvalidProgram as exc:
        return _page(program, form, 422, invalid=True, problems=form.show_errors(exc.errors))
    changes = portal.program_changes
    if action == "preview_effect":
        preview: ChangePreview = changes.preview(program, candidate)
        return _page(program, form, preview=preview)
    if not changed_settings(program, candidate):
        info = portal.programs.stored_info(slug)
        live = info.version if info else form.version.data
        flash(gettext("Nothing changed: version %(version)s stays live.", version=live), "ok")
        return redirect(url_for("organize.program_settings", slug=slug))
    refusals = changes.refusals(program, candidate)
    if refusals:
        return _page(program, form, 409, refusals=refusals)
    warnings = changes.warnings(program, candidate)
    if warnings and form.confirmed.data != _fingerprint(warnings):
        form.confirmed.data = _fingerprint(warnings)
        return _page(program, form, warnings=warnings)
    expected = opened_version(form.version.data)
    if expected is None:
        reload = gettext(
            "%(problem)s: copy anything you typed, then open the settings again.",
            problem=gettext(LOST_VERSION),
        )
        return _page(program, form, 409, problems=[reload])
    try:
        version = portal.program_admin.save(candidate, expected=expected, by=current_organizer())
    except ProgramRefused as exc:  # someone saved since (ProgramChanged), or another refusal
        return _page(program, form, 409, problems=[str(exc)])
    if site_publishes():
        # The public pages are the published site's: republish() says when they show it.
        flash(gettext("Saved: version %(version)s is live.", version=version), "ok")
        republish(slug)
    else:
        flash(
            gettext(
                "Saved: version %(version)s is live. It reaches every page within a minute.",
                version=version,
            ),
            "ok",
        )
    return redirect(url_for("organize.program_settings", slug=slug))
