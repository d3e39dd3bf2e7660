"""Who may see a page: `participant_required` and `organizer_required`, on the magic-link sessions.

As flaskr's `login_required`: the decorator checks the session before the view runs and puts who
it is in `g` (`g.program`, and `g.participant` or `g.organizer`), so that a view only does its
work. A view they guard takes the program's slug as `slug`. Nobody signed in, or a session that
has run out, gets a 403 with the sign-in form that emails them a link back.

An organizer's session is theirs, not one program's: it opens the pages of every program its
address may organize (the program's `organizers`, or every program for a site admin in
PORTAL_ADMINS), decided on each request from the files and settings. Any other program's
pages answer 404, as a program that does not exist would.

An archived program is read-only: `organizer_required` refuses every POST on its pages but
bringing it back, duplicating it and exports, with a page that says so, before the view runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import abort, g, make_response, render_template, request

from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.web import links, services
from portal.web.languages.routes import reader_speaks
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
        reader_speaks(person.language)
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
        # The console acts on what it shows: a stored program as it is in the table now, not
        # as this process last read it (another Lambda may have saved since).
        program = portal.programs.current(str(kwargs["slug"]))
        if program is None or not portal.organizers.may_organize(who.email, program):
            abort(404)
        g.program = program
        g.organizer = who.email
        reader_speaks(portal.organizers.chosen_language(who.email))
        if (
            request.method == "POST"
            and program.archived
            and not changes_nothing_archived(request.endpoint or "", request.view_args or {})
        ):
            # Refused here, once for every console action, rather than in each view.
            abort(make_response(render_template("organize/archived.html", program=program), 409))
        return view(*args, **kwargs)

    return guarded


# The console POSTs an archived program still takes: an export (reads only), a duplicate for
# a new cohort (makes another program, leaves this one as it is), and bringing it back.
ARCHIVED_TAKES = frozenset({"organize.export_csv", "organize.duplicate_program"})


def changes_nothing_archived(endpoint: str, arguments: dict[str, object]) -> bool:
    """Whether a console POST may go ahead on an archived program (it is read-only)."""
    if endpoint == "organize.program_lifecycle":
        return arguments.get("action") == "unarchive"
    return endpoint in ARCHIVED_TAKES


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Only someone signed in as an organizer whose address is a site admin's (PORTAL_ADMINS).

    Another organizer gets a 404, as for a program they do not organize: the page is not
    theirs to know about.
    """

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        who = links.signed_in_as(ORGANIZER)
        if who is None:
            abort(make_response(organizer_signed_out_page(), 403))
        if not services().organizers.is_admin(who.email):
            abort(404)
        g.organizer = who.email
        reader_speaks(services().organizers.chosen_language(who.email))
        return view(*args, **kwargs)

    return guarded


def is_admin() -> bool:
    """Whether the organizer a guard let through is a site admin."""
    return services().organizers.is_admin(current_organizer())


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
