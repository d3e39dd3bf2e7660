"""Programs' public pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal import i18n
from portal.catalog.documents import render_markdown
from portal.domain.program import Program
from portal.domain.schedule import rate_of
from portal.i18n import gettext
from portal.web import services
from portal.web.organize.program_words import read_weekly, when_words

bp = Blueprint("programs", __name__, url_prefix="/programs")


@bp.get("/")
def index() -> str:
    return render_template("programs/index.html", programs=services().programs.listed())


@bp.get("/<slug>")
def detail(slug: str) -> str:
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    summary, text, written_in = program.page_in(i18n.current_language())
    return render_template(
        "programs/detail.html",
        program=program,
        summary=summary,
        body=render_markdown(text),
        written_in=written_in,
        rounds=_rounds_in_words(program),
    )


def _rounds_in_words(program: Program) -> str:
    """When the program's matching rounds run, as a visitor reads it."""
    expression = program.schedule.rounds
    words = when_words(expression, program.timezone.replace("_", " "))
    if words is None:
        return gettext("When the organizers run one")
    if read_weekly(expression) is None and rate_of(expression) is None:
        return gettext("On the organizers' schedule")  # a cron the words cannot say
    return words[:1].upper() + words[1:]


@bp.get("/<slug>/agreement")
def agreement(slug: str) -> str:
    """The agreement a program asks its pairs to keep; the introduction links here."""
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    found = services().agreements.of(program, i18n.current_language())
    if not found.text:
        abort(404)  # a program without an agreement has no such page, and no link to it
    return render_template(
        "programs/agreement.html",
        program=program,
        title=found.title or gettext("Our mentoring agreement"),
        body=render_markdown(found.text),
    )
