"""Programs' public pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal.catalog.documents import render_markdown
from portal.web import services

bp = Blueprint("programs", __name__, url_prefix="/programs")


@bp.get("/")
def index() -> str:
    return render_template("programs/index.html", programs=list(services().programs))


@bp.get("/<slug>")
def detail(slug: str) -> str:
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    return render_template(
        "programs/detail.html", program=program, body=render_markdown(program.body)
    )
