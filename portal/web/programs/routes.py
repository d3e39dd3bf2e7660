"""Programs' public pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal.catalog.documents import render_markdown
from portal.domain.program import Program
from portal.web import services
from portal.web.organize.program_words import when_words

bp = Blueprint("programs", __name__, url_prefix="/programs")


@bp.get("/")
def index() -> str:
    return render_template("programs/index.html", programs=services().programs.listed())


@bp.get("/<slug>")
def detail(slug: str) -> str:
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    return render_template(
        "programs/detail.html",
        program=program,
        body=render_markdown(program.body),
        rounds=_rounds_in_words(program),
    )


def _rounds_in_words(program: Program) -> str:
    """When the program's matching rounds run, as a visitor reads it."""
    words = when_words(program.schedule.rounds, program.timezone.replace("_", " "))
    if words is None:
        return "When the organizers run one"
    if words.startswith("on the schedule"):
        return "On the organizers' schedule"  # a cron the words cannot say
    return words[:1].upper() + words[1:]


@bp.get("/<slug>/agreement")
def agreement(slug: str) -> str:
    """The agreement a program asks its pairs to keep; the introduction links here."""
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    found = services().agreements.of(program)
    if not found.text:
        abort(404)  # a program without an agreement has no such page, and no link to it
    return render_template(
        "programs/agreement.html",
        program=program,
        title=found.title or "Our mentoring agreement",
        body=render_markdown(found.text),
    )
