"""Organizers' pages: the console, and a round's draft pairs to review.

Reached by a magic link, no password: the sign-in form's link opens the console, a match
summary's link the program's drafts. Either opens one organizer session, for two hours.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.validators import InputRequired

from portal import i18n
from portal.domain.participants import Role, Status
from portal.domain.program import Program
from portal.i18n import gettext, lazy_gettext, ngettext
from portal.services.magic_links import GLANCE, LinkGrant
from portal.services.rounds import ORGANIZE, AdjustmentError, UnknownRoundError
from portal.services.signin import CONSOLE
from portal.web import links, services
from portal.web.auth import (
    ORGANIZER,
    current_organizer,
    current_program,
    organizer_required,
    organizer_signed_out_page,
)
from portal.web.forms import PortalForm
from portal.web.languages.routes import reader_speaks
from portal.web.organize.blueprint import bp

SESSION_SECONDS = 2 * 3600  # an organizer's session from one link: then they sign in again


def _destination(grant: LinkGrant) -> str:
    """The console for the sign-in form's link, the program at a glance for a digest's, the
    program's drafts for a round summary's."""
    if grant.program == CONSOLE:
        return url_for("organize.console")
    if grant.scope == GLANCE:
        return url_for("organize.program", slug=grant.program)
    return url_for("organize.review", slug=grant.program)


LINK = links.SignInLink(
    ORGANIZE, ORGANIZER, SESSION_SECONDS, "organize.review", _destination, any_program=CONSOLE
)


class LanguageForm(PortalForm):
    """The organizer's language: the console's and the emails' it sends them."""

    language = RadioField(
        lazy_gettext("Language"),
        choices=dict(i18n.LANGUAGES),
        validators=[InputRequired(message=lazy_gettext("Choose a language."))],
    )


@bp.get("/")
def console() -> str | tuple[str, int]:
    """The programs this organizer may organize, each with a link to its organizer page."""
    who = links.signed_in_as(ORGANIZER)
    if who is None:
        return organizer_signed_out_page(), 403
    g.organizer = who.email  # as the guard does: the header offers to sign out
    language = services().organizers.language_of(who.email)
    reader_speaks(language)
    return _console(who.email, LanguageForm(data={"language": language}))


def _console(email: str, form: LanguageForm, status: int = 200) -> tuple[str, int]:
    portal = services()
    page = render_template(
        "organize/console.html",
        programs=portal.organizers.programs_of(email),
        admin=portal.organizers.is_admin(email),
        language_form=form,
    )
    return page, status


@bp.post("/language")
def language() -> Response | tuple[str, int]:
    """Keep the organizer's choice of language for the console and their emails."""
    who = links.signed_in_as(ORGANIZER)
    if who is None:
        return organizer_signed_out_page(), 403
    g.organizer = who.email
    portal = services()
    form = LanguageForm()
    if not form.validate_on_submit():
        reader_speaks(portal.organizers.language_of(who.email))
        return _console(who.email, form, 400)
    chosen = str(form.language.data)
    portal.organizers.set_language(who.email, chosen)
    reader_speaks(chosen)
    flash(
        gettext(
            "Saved: the console and the emails it sends you are in %(language)s.",
            language=i18n.LANGUAGES[chosen],
        ),
        "ok",
    )
    return redirect(url_for("organize.console"), code=303)


@bp.get("/<token>")
def open_link(token: str) -> str | Response | tuple[str, int]:
    return links.landing(token, LINK, "organize/open.html")


@bp.post("/<token>")
def sign_in(token: str) -> Response | tuple[str, int]:
    return links.sign_in(token, LINK)


@bp.get("/programs/<slug>/review")
@organizer_required
def review(slug: str) -> str:
    program = current_program()
    portal = services()
    drafts = portal.rounds.drafts(program)
    people = {p.email: p for p in portal.participation.people(slug)}
    mentors = sorted(
        (p for p in people.values() if p.role is Role.MENTOR and p.status is Status.CONFIRMED),
        key=lambda p: p.name.lower(),
    )
    return render_template(
        "organize/review.html",
        program=program,
        round_id=drafts[0] if drafts else None,
        pairs=drafts[1] if drafts else [],
        people=people,
        mentors=mentors,
    )


def _no_such_round(program: Program) -> tuple[str, int]:
    """The round in the address is not this program's round waiting for approval."""
    return render_template("organize/no_round.html", program=program), 404


@bp.post("/programs/<slug>/rounds/<round_id>/adjust")
@organizer_required
def adjust(slug: str, round_id: str) -> Response | tuple[str, int]:
    program = current_program()
    mentee = request.form.get("mentee", "")
    mentor = request.form.get("mentor") or None
    try:
        pair = services().rounds.adjust(program, round_id, mentee, mentor)
    except UnknownRoundError:
        return _no_such_round(program)
    except AdjustmentError as exc:
        flash(str(exc), "error")
    else:
        services().audit.record(
            slug,
            current_organizer(),
            "adjust_draft",
            subject_kind="round",
            subject=round_id,
            # No names: the log outlives erasure.
            detail="moved to another mentor" if pair is not None else "taken out of the round",
        )
        flash(gettext("Saved: the pair was checked against the rules and capacities."), "ok")
    return redirect(url_for("organize.review", slug=slug))


@bp.post("/programs/<slug>/rounds/<round_id>/approve")
@organizer_required
def approve(slug: str, round_id: str) -> Response | tuple[str, int]:
    program = current_program()
    try:
        outcome = services().rounds.approve(program, round_id)
    except UnknownRoundError:
        return _no_such_round(program)
    services().audit.record(
        slug,
        current_organizer(),
        "approve_round",
        subject_kind="round",
        subject=round_id,
        detail=f"{outcome.pairs} pairs introduced, {outcome.refused} refused",
    )
    message = ngettext(
        # English as it always read, "1 pairs" included; other languages have their forms.
        "Approved: %(num)s pairs are introduced by email.",
        "Approved: %(num)s pairs are introduced by email.",
        outcome.pairs,
    )
    if outcome.refused:
        message += " " + ngettext(
            "%(num)s could not be, because someone no longer had room.",
            "%(num)s could not be, because someone no longer had room.",
            outcome.refused,
        )
    flash(message, "ok")
    return redirect(url_for("organize.review", slug=slug))
