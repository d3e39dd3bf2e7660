"""Signing out: the session's record is deleted on the server, the cookie forgets its id."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.web import links

bp = Blueprint("signout", __name__)


@bp.post("/sign-out")
def sign_out() -> str:
    # A POST with the CSRF token (CSRFProtect checks every POST): a link elsewhere cannot
    # sign anybody out.
    links.sign_out()
    return render_template("signout/done.html")
