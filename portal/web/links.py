"""Pages behind magic links: a GET shows one button, the POST uses the link and signs in."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from portal.services.magic_links import LinkGrant, MagicLinkError
from portal.web import services


def _problem(kind: str) -> tuple[str, int]:
    return render_template("signup/link_problem.html", problem=kind), 410


def landing(token: str, purpose: str, template: str) -> str | tuple[str, int]:
    """The page a link opens: it only checks the token, because mail scanners follow links."""
    try:
        grant = services().links.check(token, purpose)
    except MagicLinkError as exc:
        return _problem(exc.problem.value)
    program = services().programs.get(grant.program)
    if program is None:
        return _problem("gone")
    return render_template(template, program=program, token=token)


def sign_in(
    token: str,
    purpose: str,
    session_key: str,
    seconds: int,
    endpoint: str,
    target: Callable[[LinkGrant], str] | None = None,
) -> Response | tuple[str, int]:
    """The button's POST: use the link up and open a session for its program and address.

    It then goes to `endpoint` for the program, or to the address `target` makes of the grant.
    """
    try:
        grant = services().links.consume(token, purpose)
    except MagicLinkError as exc:
        return _problem(exc.problem.value)
    session[session_key] = {
        "program": grant.program,
        "email": grant.subject,
        "until": int(time.time()) + seconds,
    }
    return redirect(target(grant) if target else url_for(endpoint, slug=grant.program))


def signed_in(session_key: str, program: str) -> dict[str, Any] | None:
    """This session's sign-in for the program, if it has one that has not run out."""
    who = session.get(session_key) or {}
    if who.get("program") != program or int(who.get("until", 0)) < time.time():
        return None
    return dict(who)
