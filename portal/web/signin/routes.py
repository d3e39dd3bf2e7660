"""Signing in again: a form that emails a link to the person's own pages.

Its answer is the same whether or not the address is known (portal.services.signin), and
requests are counted against the sign-up limits: past one, the 429 page.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from portal.domain.addresses import email_key, typed
from portal.web import services, source_address
from portal.web.signin.forms import SignInForm

bp = Blueprint("signin", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | tuple[str, int]:
    form = SignInForm()
    if form.validate_on_submit():
        address: str = form.email.data or ""
        # Written to as typed; looked up in the form addresses are stored in.
        mailbox = typed(address)
        refusal = services().signin.request(
            email_key(address), mailbox, source_address(request.environ)
        )
        if refusal is not None:
            abort(429, retry_after=refusal.retry_after)
        # Shown in the POST's response: the address is put in no URL and no cookie.
        return render_template("signin/sent.html", address=mailbox)
    status = 422 if form.is_submitted() else 200
    return render_template("signin/form.html", form=form), status
