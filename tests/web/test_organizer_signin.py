"""Organizers sign in at the same /sign-in form, to a console listing the programs they organize.

The program's `organizers`, and the site admins of PORTAL_ADMINS (every program), get a link
to the console in the one sign-in email; the answer on the page is the same for every address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email import message_from_string, policy
from email.message import EmailMessage

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.catalog import EMAILS, Recipient
from portal.mail.senders import MemorySender
from portal.services.magic_links import Purpose
from portal.services.signin import CONSOLE
from tests.conftest import FakeClock, csrf_token, links_in, plain
from tests.factories import stored_person
from tests.specimens import every_email
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
CONSOLE_PATH = "/organize/"
DEMO_ORGANIZER = "organizer@example.org"  # content/programs/demo.md
ADMIN = "admin@example.org"
ALL_PROGRAMS = {
    "Demo: Tech Careers mentoring",
    "Group mentoring: New managers",
    "Peer mentoring: Returners' network",
}


def ask_for_link(client: FlaskClient, address: str) -> str:
    form = client.get("/sign-in")
    sent = client.post("/sign-in", data={"email": address, "csrf_token": csrf_token(form.text)})
    assert sent.status_code == 200
    return sent.text


def only_message(mailbox: MemorySender) -> EmailMessage:
    ((_, message),) = mailbox.sent
    return message


def console_links(message: EmailMessage) -> list[str]:
    """The sign-in links of the organize purpose (not the plain console address)."""
    return [u for u in links_in(message) if "/organize/" in u and not u.endswith(CONSOLE_PATH)]


def console_programs(client: FlaskClient) -> dict[str, str]:
    """The programs the console lists, by title, with where each leads."""
    page = client.get(CONSOLE_PATH)
    assert page.status_code == 200
    items = parse(page.text).one("ul", class_="console-programs").find_all("a")
    return {a.text.strip(): a.get("href") for a in items}


def test_an_organizer_is_emailed_a_link_to_the_console_which_lists_their_program(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    answer = ask_for_link(client, DEMO_ORGANIZER.upper())  # found whatever the case

    assert parse(answer).h1 == "Check your email"
    message = only_message(mailbox)
    assert message["Subject"] == "Your link to the organizers' console on Mentor Portal"
    text = plain(message)
    assert "You organize Demo: Tech Careers mentoring." in text
    assert "/me/" not in text  # no participant's page: none was asked for
    (link,) = console_links(message)

    landed = sign_in(client, link)

    assert landed == CONSOLE_PATH
    demo = "/organize/programs/demo"
    assert console_programs(client) == {"Demo: Tech Careers mentoring": demo}
    assert client.get("/organize/programs/demo/review").status_code == 200
    assert client.get("/organize/programs/leaders-group/review").status_code == 404


def test_a_site_admin_sees_every_program(
    build_site: Callable[..., Site], mailbox: MemorySender
) -> None:
    site = build_site(admins=(ADMIN,))
    ask_for_link(site.client, ADMIN)
    message = only_message(mailbox)
    assert "You organize 3 programs" in plain(message)
    (link,) = console_links(message)
    sign_in(site.client, link)

    assert set(console_programs(site.client)) == ALL_PROGRAMS
    assert "site admin" in site.client.get(CONSOLE_PATH).text
    for slug in ("demo", "leaders-group", "peer-circles"):
        assert site.client.get(f"/organize/programs/{slug}/review").status_code == 200, slug


def test_an_unknown_address_gets_the_same_page_and_no_email(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    organizer = ask_for_link(client, DEMO_ORGANIZER)
    assert len(mailbox.sent) == 1

    unknown = ask_for_link(client, "nobody@example.org")

    assert unknown.replace("nobody@example.org", DEMO_ORGANIZER) == organizer
    assert len(mailbox.sent) == 1


def test_a_participant_who_also_organizes_gets_both_links_in_one_email(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    # The demo program's organizer takes part in leaders-group as a mentee.
    person = stored_person("Olu", Role.MENTEE, clock(), program="leaders-group")
    services.participants.save(replace(person, email=DEMO_ORGANIZER))

    ask_for_link(client, DEMO_ORGANIZER)

    message = only_message(mailbox)
    assert message["Subject"] == "Your link to your page on Mentor Portal"
    text = plain(message)
    assert "Open your own page in Group mentoring: New managers" in text
    assert "You organize Demo: Tech Careers mentoring." in text
    (page_link,) = [u for u in links_in(message) if "/me/" in u]
    (console_link,) = console_links(message)
    browser = client.application.test_client()
    assert sign_in(browser, page_link) == "/me/programs/leaders-group"
    assert sign_in(browser, console_link) == CONSOLE_PATH
    # One browser, both sessions: the participant's page and the console.
    assert browser.get("/me/programs/leaders-group").status_code == 200
    assert set(console_programs(browser)) == {"Demo: Tech Careers mentoring"}


def test_organizer_pages_are_not_stored_by_browsers(
    client: FlaskClient, services: Services
) -> None:
    signed_out = client.get(CONSOLE_PATH)
    assert signed_out.headers["Cache-Control"] == "no-store"
    token = services.links.issue(Purpose.ORGANIZE, CONSOLE, DEMO_ORGANIZER)
    landing = client.get(f"/organize/{token}")
    assert landing.headers["Cache-Control"] == "no-store"
    sign_in(client, f"{BASE}/organize/{token}")
    for path in (CONSOLE_PATH, "/organize/programs/demo/review"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_signed_out_the_console_offers_the_sign_in_form(client: FlaskClient) -> None:
    response = client.get(CONSOLE_PATH)
    assert response.status_code == 403
    page = parse(response.text)
    assert page.h1 == "Sign in to the organizers' console"
    assert page.one("form", action="/sign-in").find("input", name="email") is not None


def test_the_console_session_ends_after_two_hours(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    token = services.links.issue(Purpose.ORGANIZE, CONSOLE, DEMO_ORGANIZER)
    sign_in(client, f"{BASE}/organize/{token}")
    clock.advance(hours=2, seconds=-1)
    assert client.get(CONSOLE_PATH).status_code == 200
    clock.advance(seconds=2)
    assert client.get(CONSOLE_PATH).status_code == 403
    assert client.get("/organize/programs/demo/review").status_code == 403


def test_a_forged_or_expired_console_link_is_refused_with_a_clear_page(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    forged = client.get("/organize/" + "x" * 43)
    assert forged.status_code == 410
    shown = parse(forged.text)
    assert shown.h1 == "This link cannot be used"
    assert "We could not find what this organizer's link was for" in shown.text
    assert shown.one("main").find("a", href="/sign-in") is not None
    token = services.links.issue(Purpose.ORGANIZE, CONSOLE, DEMO_ORGANIZER)
    clock.advance(hours=services.settings.token_ttl_hours, seconds=1)
    for response in (
        client.get(f"/organize/{token}"),
        client.post(
            f"/organize/{token}", data={"csrf_token": csrf_token(client.get("/sign-in").text)}
        ),
    ):
        assert response.status_code == 410
        assert "This organizer's link has expired" in parse(response.text).text
    assert client.get(CONSOLE_PATH).status_code == 403  # nobody signed in


def test_every_email_to_organizers_links_to_the_console_and_no_other_does(
    services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    emails = every_email(services, clock, mailbox)
    for_organizers = {name for name, e in EMAILS.items() if Recipient.ORGANIZER in e.recipients}
    assert for_organizers <= set(emails)
    for name, raw in emails.items():
        message = message_from_string(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        console = parse(str(html.get_content())).find("a", href=f"{BASE}{CONSOLE_PATH}")
        if name in for_organizers:
            assert f"{BASE}{CONSOLE_PATH}" in links_in(message), name
            assert console is not None, name
            assert console.text == "Open the console", name
        else:
            assert f"{BASE}{CONSOLE_PATH}" not in links_in(message), name
            assert console is None, name


def test_a_match_summary_link_opens_the_console_of_the_same_organizer(
    client: FlaskClient, services: Services
) -> None:
    token = services.links.issue(Purpose.ORGANIZE, "peer-circles", "community@example.org")
    assert sign_in(client, f"{BASE}/organize/{token}") == "/organize/programs/peer-circles/review"
    assert set(console_programs(client)) == {"Peer mentoring: Returners' network"}
