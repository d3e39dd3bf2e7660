"""Sign-up forms and email confirmation by magic link."""

from __future__ import annotations

import math

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import i18n
from portal.domain.participants import BLOCKS, DAYS, Participant, Role
from portal.domain.program import Program
from portal.i18n import gettext
from portal.presenters.words import role_word, seniority_word
from portal.services.limits import Refusal
from portal.services.magic_links import MagicLinkError
from portal.services.signup import AlreadySignedUpError, Emailed, SignupBusyError, SignupError
from portal.web import services, source_address
from portal.web.languages.routes import reader_speaks
from portal.web.signup.forms import build_signup_form, invitee_data, slot_word

bp = Blueprint("signup", __name__)

# A sign-up that met others on the same records every time it tried: a moment later it passes.
BUSY_RETRY_SECONDS = 5


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
    invite = request.args.get("invite", "")
    invitee = services().roster_imports.invitee(program, invite) if invite else None
    # An invitation fills in what the roster says, on the first GET only: what is sent is the
    # person's own answers, signed up and confirmed like anyone's. A bad token: the plain form.
    prefilled = invitee_data(invitee) if invitee and request.method == "GET" else None
    # The language the page is shown in (the browser's, or the footer menu's) to start with.
    form = build_signup_form(program, role, language=i18n.current_language(), data=prefilled)
    if form.validate_on_submit():
        # The notice the form links to and the person agreed to, as it reads now.
        application = form.to_application(privacy_version=services().pages.version("privacy"))
        if form.is_bot():
            # Answered as a first sign-up is, and nothing is stored or sent.
            now = services().clock()
            return _check_email(program, Emailed(application.mailbox, earlier=False, next_at=now))
        # Counted in the transaction that stores it: past a limit, nothing is stored,
        # queued or counted.
        try:
            result = services().signup.sign_up(
                program, application, source_address(request.environ)
            )
        except SignupBusyError:
            abort(503, retry_after=BUSY_RETRY_SECONDS)
        if isinstance(result, Refusal):
            abort(429, retry_after=result.retry_after)
        return _check_email(program, result)
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "signup/form.html",
        program=program,
        role=role,
        form=form,
        days=DAYS,
        blocks=BLOCKS,
        invited=invitee is not None,
    )
    return page, status  # no-store, as every invitation page (portal/app.py)


@bp.get("/programs/<slug>/invited/<token>")
def invited(slug: str, token: str) -> str | Response | tuple[str, int]:
    """An invitation from a roster import: who is invited, and the roles to choose from."""
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    invitee = services().roster_imports.invitee(program, token)
    if invitee is None:
        return render_template("signup/invitation_gone.html", program=program), 410
    if not program.signup_open:
        return render_template("signup/closed.html", program=program), 403
    if len(program.roles) == 1:
        (role,) = program.roles
        return redirect(url_for("signup.join", slug=program.slug, role_name=role, invite=token))
    return render_template("signup/invited.html", program=program, invitee=invitee, token=token)


def _check_email(program: Program, emailed: Emailed) -> str:
    """The answer to a sign-up: where its email went, or that one went there minutes ago.

    Shown in the POST's response, not after a redirect: the address must not be put in a
    URL (logs, history) or in the cookie.
    """
    wait = math.ceil((emailed.next_at - services().clock()).total_seconds() / 60)
    return render_template(
        "signup/check_email.html", program=program, emailed=emailed, wait_minutes=max(1, wait)
    )


@bp.get("/programs/<slug>/join/check-your-email")
def check_email(slug: str) -> str:
    # Where a sign-up once led (a bookmark, the browser's history): the general words.
    program = services().programs.get(slug)
    if program is None:
        abort(404)
    return render_template("signup/check_email.html", program=program, emailed=None)


def _programs() -> dict[str, Program]:
    return {program.slug: program for program in services().programs}


def answers_shown(program: Program, person: Participant) -> list[tuple[str, str]]:
    """A sign-up's answers as a person reads them: (what was asked, what was answered)."""
    shown = [
        (gettext("Name"), person.name),
        (gettext("Email address"), person.email),
        (gettext("Taking part as"), role_word(person.role.value)),
        (gettext("Career stage"), seniority_word(person.seniority) if person.seniority else ""),
        (gettext("Department or team"), person.department),
        (gettext("Your manager's email address"), person.reports_to),
        (
            gettext("Language for the portal and its emails"),
            i18n.LANGUAGES.get(person.language, person.language),
        ),
        (gettext("Languages you can meet in"), ", ".join(person.languages)),
        (gettext("Your time zone"), person.timezone.replace("_", " ")),
        (gettext("When you can usually meet"), ", ".join(map(slot_word, person.availability))),
        (gettext("Topics you can help with"), ", ".join(person.skills)),
        (gettext("What you would like to work on"), ", ".join(person.goals)),
    ]
    if person.role is Role.MENTOR and program.capacity > 1:
        shown.append((gettext("How many mentees you can take on"), str(person.capacity)))
    shown.append((gettext("A few words about you"), person.bio))
    for question in program.questions:
        answer = person.answers.get(question.key, "")
        shown.append((question.label, ", ".join(answer) if isinstance(answer, list) else answer))
    return [(label, value) for label, value in shown if value]


def _already(exc: AlreadySignedUpError) -> tuple[str, int]:
    # The link is fine, but the address takes part already: nothing to confirm.
    return render_template("signup/link_problem.html", problem="already", program=exc.program), 409


@bp.get("/confirm/<token>")
def confirm(token: str) -> str | tuple[str, int]:
    # A GET only looks: mail scanners follow links, and must not use the token up.
    try:
        pending = services().signup.pending_confirmation(token, _programs())
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    except AlreadySignedUpError as exc:
        return _already(exc)
    except SignupError:
        return render_template("signup/link_problem.html", problem="gone"), 410
    reader_speaks(pending.participant.language)  # the language they chose on the form
    return render_template(
        "signup/confirm.html",
        program=pending.program,
        participant=pending.participant,
        answers=answers_shown(pending.program, pending.participant),
        token=token,
    )


@bp.post("/confirm/<token>")
def confirm_post(token: str) -> str | tuple[str, int]:
    try:
        done = services().signup.confirm(token, _programs())
    except MagicLinkError as exc:
        return render_template("signup/link_problem.html", problem=exc.problem.value), 410
    except AlreadySignedUpError as exc:
        return _already(exc)
    except SignupError:
        return render_template("signup/link_problem.html", problem="gone"), 410
    reader_speaks(done.participant.language)
    return render_template(
        "signup/confirmed.html", program=done.program, participant=done.participant
    )
