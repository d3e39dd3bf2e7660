"""Who may see a page: `participant_required` and `organizer_required`, on the magic-link sessions.

As flaskr's `login_required`: the decorator checks the session before the view runs and puts who
it is in `g` (`g.program`, and `g.participant` or `g.organizer`), so that a view only does its
work. A view they guard takes the program's slug as `slug`. Nobody signed in, or a session that
has run out, gets a 403 with the sign-in form that emails them a link back.

An organizer's session is theirs, not one program's: it opens the pages of every program its
address may organize (the program's `organizers`, or every program for a site admin in
PORTAL_ADMINS), decided on each request from the files and settings. Any other program's
pages answer 404, as a program that does not exist would.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import abort, g, make_response, render_template

from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.web import links, services
from portal.web.signin.forms import SignInForm

# The kinds of sign-in a session holds, one of each (portal.services.sessions).
PARTICIPANT = "me"
ORGANIZER = "organizer"

P = ParamSpec("P")
R = TypeVar("R")


def participant_required(view: Callable[P, R]) -> Callable[P, R]:
    """Only the participant an emailed link signed in, on their own program's pages."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        slug = str(kwargs["slug"])
        who = links.signed_in(PARTICIPANT, slug)
        if who is None:
            # Their own page, once its session has ended (or in another browser): a way back
            # in, with the sign-in form, instead of the organizers' refusal.
            abort(make_response(signed_out_page(slug), 403))
        portal = services()
        program = portal.programs.get(slug)
        person = portal.participation.person(slug, who.email)
        if program is None or person is None:
            abort(404)
        g.program = program
        g.participant = person
        return view(*args, **kwargs)

    return guarded


def signed_out_page(slug: str) -> str:
    """A participant's page for a browser not signed in to it: the sign-in form."""
    return render_template(
        "signin/ended.html", program=services().programs.get(slug), form=SignInForm()
    )


def organizer_signed_out_page() -> str:
    """An organizer's page for a browser not signed in as an organizer: the sign-in form."""
    return render_template("organize/signed_out.html", form=SignInForm())


def organizer_required(view: Callable[P, R]) -> Callable[P, R]:
    """Only someone signed in as an organizer who may organize the program in the address."""

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        portal = services()
        who = links.signed_in_as(ORGANIZER)
        if who is None:
            abort(make_response(organizer_signed_out_page(), 403))
        program = portal.programs.get(str(kwargs["slug"]))
        if program is None or not portal.organizers.may_organize(who.email, program):
            abort(404)
        g.program = program
        g.organizer = who.email
        return view(*args, **kwargs)

    return guarded


def current_program() -> Program:
    """The program of the page a guard let through."""
    program: Program = g.program
    return program


def current_participant() -> Participant:
    """The participant `participant_required` let through."""
    person: Participant = g.participant
    return person


def current_organizer() -> str:
    """The address of the organizer `organizer_required` let through."""
    email: str = g.organizer
    return email
