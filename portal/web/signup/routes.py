"""Sign-up forms and email confirmation by magic link."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.domain.participants import BLOCKS, DAYS, Role
from portal.domain.program import Program
from portal.services.magic_links import MagicLinkError
from portal.services.signup import SignupError
from portal.web import services, source_address
from portal.web.signup.forms import build_signup_form

bp = Blueprint("signup", __name__)


def _program_and_role(slug: str, role_name: str) -> tuple[Program, Role]:
    program = services().programs.get(slug)
    if program is None or role_name not in program.roles:
        abort(404)
    return program, Role(role_name)


@bp.route("/programs/<slug>/join/<role_name>", methods=["GET", "POST"])
def join(slug: str, role_name: str) -> str | Response | tuple[str, int]:
    program, role = _program_and_role(slug, role_name)
    if not program.signup_open:
        return render_template("signup/closed.html", program=program), 403
    form = build_signup_form(program, role)
    if form.validate_on_submit():
        if not form.is_bot():
            application = form.to_application()
            # Counted before anything is stored or queued: past a limit, nothing is.
            refusal = services().limits.admit_signup(
                source_address(request.environ), application.email
            )
            if refusal is not None:
                abort(429, retry_after=refusal.retry_after)
            services().signup.sign_up(program, application)
        return redirect(url_for("signup.check_email", slug=program.slug))
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "signup/form.html", program=program, role=role, form=form, days=DAYS, blocks=BLOCKS
        ),
        status,
    )


@bp.get("/programs/<slug>/join/check-your-email")
def check_email(slug: str) -> str:
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    return render_template("signup/check_email.html", program=program)


def _programs() -> dict[str, Program]:
    return {program.slug: program for program in services().programs}


@bp.get("/confirm/<token>")
def confirm(token: str) -> str | tuple[str, int]:
    # A GET only looks: mail scanners follow links, and must not use the token up.
    try:
        pending = services().signup.pending_confirmation(token, _programs())
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    except SignupError:
        return render_template("signup/link_problem.html", problem="gone"), 410
    return render_template(
        "signup/confirm.html", program=pending.program, participant=pending.participant, token=token
    )


@bp.post("/confirm/<token>")
def confirm_post(token: str) -> str | tuple[str, int]:
    try:
        done = services().signup.confirm(token, _programs())
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    except SignupError:
        return render_template("signup/link_problem.html", problem="gone"), 410
    return render_template(
        "signup/confirmed.html", program=done.program, participant=done.participant
    )
