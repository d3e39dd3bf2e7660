"""A participant's own page, reached by a magic link from an email: no password."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from werkzeug.wrappers import Response

from portal.content import ContentError, read_document, render_markdown
from portal.services.rounds import ME
from portal.web import links, services

bp = Blueprint("me", __name__, url_prefix="/me")
SESSION_SECONDS = 8 * 3600


@bp.get("/<token>")
def open_link(token: str) -> str | tuple[str, int]:
    return links.landing(token, ME, "me/open.html")


@bp.post("/<token>")
def sign_in(token: str) -> Response | tuple[str, int]:
    return links.sign_in(token, ME, "me", SESSION_SECONDS, "me.page")


@bp.get("/programs/<slug>")
def page(slug: str) -> str:
    who = links.signed_in("me", slug)
    if who is None:
        abort(403)
    portal = services()
    program = portal.programs.get(slug)
    person = portal.participants.get(slug, str(who.get("email")))
    if program is None or person is None:
        abort(404)
    people = {p.email: p for p in portal.participants.for_program(slug)}
    matches = [
        m
        for m in portal.rounds.matches.for_program(slug)
        if m.status == "active" and person.email in (m.mentor, m.mentee)
    ]
    partners = [
        (m, people.get(m.mentee if m.mentor == person.email else m.mentor)) for m in matches
    ]
    agreement = ""
    if program.agreement:
        try:
            document = read_document(
                portal.settings.content_dir / "agreements" / f"{program.agreement}.md"
            )
            agreement = render_markdown(document.body)
        except (ContentError, FileNotFoundError):
            agreement = ""
    return render_template(
        "me/page.html", program=program, person=person, partners=partners, agreement=agreement
    )
