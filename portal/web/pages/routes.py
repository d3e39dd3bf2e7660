"""Content pages from content/pages, and the home page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal import i18n
from portal.domain.personal_data import CATEGORIES
from portal.web import services

bp = Blueprint("pages", __name__)

STORED_DATA_MARK = "<p>{stored-data}</p>"


@bp.get("/")
def home() -> str:
    portal = services()
    page = portal.pages.get("home", i18n.current_language())
    # The page's words before its first heading open the page; the programs follow, then
    # the rest of the words.
    intro, heading, rest = (page.html if page else "").partition("<h2")
    return render_template(
        "pages/home.html",
        page=page,
        intro=intro,
        rest=heading + rest,
        programs=portal.programs.open_for_signup(),
    )


@bp.get("/<slug>")
def page(slug: str) -> str:
    found = services().pages.get(slug, i18n.current_language())
    if found is None or slug == "home":
        abort(404)
    # A page may hold the list of what is stored about a person where a paragraph reads
    # `{stored-data}`: the privacy notice, listing the categories the export follows.
    return render_template(
        "pages/page.html",
        page=found,
        parts=found.html.split(STORED_DATA_MARK),
        stored=CATEGORIES,
    )
