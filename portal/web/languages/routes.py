"""The footer's language menu, and the hook views use once they know who reads."""

from __future__ import annotations

import flask_babel
from flask import Blueprint, abort, g, redirect, request
from werkzeug.wrappers import Response

from portal import i18n

bp = Blueprint("languages", __name__)

# A year: the choice is this browser's, until it is changed.
COOKIE_SECONDS = 365 * 24 * 3600


def reader_speaks(language: str | None) -> None:
    """Show this response in the reader's saved language (unless this browser chose one)."""
    if i18n.is_offered(language):
        g.reader_language = language
        flask_babel.refresh()  # the locale is chosen once per request: choose again


@bp.get("/language/<code>")
def choose(code: str) -> Response:
    """Show the portal in `code` in this browser, and go back to the page it was chosen on."""
    if not i18n.is_offered(code):
        abort(404)
    back = request.args.get("next", "/")
    # Only a path on this site: never an open redirect to another host. Browsers drop tabs
    # and newlines from a URL (and werkzeug a tab from the Location), so "/<tab>/evil" would
    # become "//evil": a control character anywhere sends the reader home instead.
    if (
        not back.startswith("/")
        or back.startswith("//")
        or "\\" in back
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in back)
    ):
        back = "/"
    response = redirect(back, code=303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        code,
        max_age=COOKIE_SECONDS,
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response
