"""Unsubscribe from program email: a page with one button, and RFC 8058 one-click POSTs."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.extensions import csrf
from portal.web import services
from portal.web.languages.routes import reader_speaks

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")


@bp.get("/<token>")
def confirm(token: str) -> str | tuple[str, int]:
    # A GET only asks: mail scanners follow links.
    subscriber = services().unsubscribes.subscriber_for(token)
    if subscriber is None:
        return render_template("unsubscribe/bad_link.html"), 404
    reader_speaks(services().participation.language_at(subscriber.digest))
    return render_template("unsubscribe/confirm.html", token=token, masked=subscriber.masked)


@bp.post("/<token>")
@csrf.exempt  # mail clients' one-click unsubscribe (RFC 8058) posts without our form token
def unsubscribe(token: str) -> str | tuple[str, int]:
    subscriber = services().unsubscribes.unsubscribe(token)
    if subscriber is None:
        return render_template("unsubscribe/bad_link.html"), 404
    reader_speaks(services().participation.language_at(subscriber.digest))
    return render_template("unsubscribe/done.html", masked=subscriber.masked)
