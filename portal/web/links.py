"""Pages behind magic links: a GET shows one button, the POST uses the link and signs in.

The session cookie holds only a random id (`SESSION_ID`) and the forms' CSRF token; who the
browser is signed in as, and until when, is kept server-side (`portal.services.sessions`),
so that nothing personal is readable in the cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import g, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from portal.services.magic_links import LinkGrant, LinkProblem, MagicLinkError
from portal.services.sessions import SignIn
from portal.web import services
from portal.web.languages.routes import reader_speaks

SESSION_ID = "sid"
# A participant's session (portal.web.auth.PARTICIPANT, which imports this module).
PARTICIPANT = "me"
ORGANIZER = "organizer"  # an organizer's (portal.web.auth.ORGANIZER)


@dataclass(frozen=True)
class SignInLink:
    """A kind of emailed link that opens a session: whose, for how long, and where it leads."""

    purpose: str
    session_key: str
    seconds: int
    endpoint: str  # called with the program's slug, unless `target` says otherwise
    target: Callable[[LinkGrant], str] | None = None
    # A link for no one program (the organizers' console): its grant's program is this.
    any_program: str | None = None

    def destination(self, grant: LinkGrant) -> str:
        return self.target(grant) if self.target else url_for(self.endpoint, slug=grant.program)


def _problem(kind: str, link: SignInLink | None = None) -> tuple[str, int]:
    # An organizer's link says where an organizer gets a new one (ORGANIZER in web.auth).
    for_organizers = link is not None and link.session_key == ORGANIZER
    return render_template(
        "signup/link_problem.html", problem=kind, for_organizers=for_organizers
    ), 410


def landing(token: str, link: SignInLink, template: str) -> str | Response | tuple[str, int]:
    """The page a link opens: it only checks the token, because mail scanners follow links.

    A link used before, opened again in the browser it signed in, goes straight on: people
    click the same email twice.
    """
    try:
        grant = services().links.check(token, link.purpose)
    except MagicLinkError as exc:
        return _already_signed_in(exc, link) or _problem(exc.problem.value, link)
    if link.session_key == ORGANIZER:
        # The organizer's link opens a page in the language they chose for the console.
        reader_speaks(services().organizers.language_of(grant.subject))
    if link.any_program is not None and grant.program == link.any_program:
        return render_template(template, program=None, token=token)
    program = services().programs.get(grant.program)
    if program is None:
        return _problem("gone")
    if link.session_key == PARTICIPANT:
        person = services().participation.person(grant.program, grant.subject)
        reader_speaks(person.language if person is not None else None)
    return render_template(template, program=program, token=token)


def sign_in(token: str, link: SignInLink) -> Response | tuple[str, int]:
    """The button's POST: use the link up and open a session for its program and address."""
    try:
        grant = services().links.consume(token, link.purpose)
    except MagicLinkError as exc:
        return _already_signed_in(exc, link) or _problem(exc.problem.value, link)
    session[SESSION_ID] = services().sessions.sign_in(
        session.get(SESSION_ID), link.session_key, grant.program, grant.subject, link.seconds
    )
    g.pop("sign_ins", None)
    return redirect(link.destination(grant))


def _already_signed_in(exc: MagicLinkError, link: SignInLink) -> Response | None:
    """Where a used link leads when this browser is still signed in as the link's owner."""
    used = exc.grant if exc.problem is LinkProblem.USED else None
    if used is None:
        return None
    who = signed_in_as(link.session_key)
    if who is None or who.email != used.subject:
        return None
    if who.program != used.program and link.any_program is None:
        return None
    return redirect(link.destination(used))


def signed_in(session_key: str, program: str) -> SignIn | None:
    """This session's sign-in of this kind for the program, if it has not run out."""
    who = signed_in_as(session_key)
    return who if who is not None and who.program == program else None


def signed_in_as(session_key: str) -> SignIn | None:
    """This session's sign-in of this kind, whatever its program, if it has not run out."""
    if "sign_ins" not in g:  # read once per request
        g.sign_ins = services().sessions.sign_ins(session.get(SESSION_ID))
    who: SignIn | None = g.sign_ins.get(session_key)
    return who


def sign_out() -> None:
    """Forget this browser's sign-ins, on the server and in its cookie."""
    services().sessions.sign_out(session.pop(SESSION_ID, None))
    g.pop("sign_ins", None)
