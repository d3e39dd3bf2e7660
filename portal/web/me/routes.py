"""A participant's own page, reached by a magic link from an email: no password."""

from __future__ import annotations

import time

from flask import Blueprint, abort, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from portal.content import ContentError, read_document, render_markdown
from portal.services.magic_links import MagicLinkError
from portal.services.rounds import ME
from portal.web import services

bp = Blueprint("me", __name__, url_prefix="/me")
SESSION_SECONDS = 8 * 3600


@bp.get("/<token>")
def open_link(token: str) -> str | tuple[str, int]:
    # A GET only looks: mail scanners follow links.
    try:
        grant = services().links.check(token, ME)
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    program = services().programs.get(grant.program)
    if program is None:
        return render_template("signup/link_problem.html", problem="gone"), 410
    return render_template("me/open.html", program=program, token=token)


@bp.post("/<token>")
def sign_in(token: str) -> Response | tuple[str, int]:
    try:
        grant = services().links.consume(token, ME)
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    session["me"] = {
        "program": grant.program,
        "email": grant.subject,
        "until": int(time.time()) + SESSION_SECONDS,
    }
    return redirect(url_for("me.page", slug=grant.program))


@bp.get("/programs/<slug>")
def page(slug: str) -> str:
    who = session.get("me") or {}
    if who.get("program") != slug or int(who.get("until", 0)) < time.time():
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
