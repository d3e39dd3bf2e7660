"""Signing in again: the header's Sign in link, its form, and the email with a link back.

The form answers the same for every address, emails a link only to an address with a page,
counts requests against the sign-up limits, and is what a participant whose session ended
finds on their own page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from portal.persistence.tables import LimitRecord
from tests.conftest import FakeClock, csrf_token, links_in, plain, table_snapshot
from tests.factories import matched_pair, stored_person
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import sign_in, sign_up

PAGE_LINK = "/me/"


def ask_for_link(client: FlaskClient, address: str, page: str = "/sign-in") -> TestResponse:
    """Open a page with the sign-in form and send it with `address`."""
    form = client.get(page)
    return client.post("/sign-in", data={"email": address, "csrf_token": csrf_token(form.text)})


def without_counters() -> dict[str, object]:
    """Every table but the limits' counters (which every request takes)."""
    return {
        table: items
        for table, items in table_snapshot().items()
        if table != LimitRecord.Meta.table_name
    }


def page_links(mailbox: MemorySender) -> list[str]:
    (message,) = [m for _, m in mailbox.sent]
    return [url for url in links_in(message) if PAGE_LINK in url]


@pytest.mark.parametrize("path", ["/", "/programs/", "/faq", "/programs/demo/join/mentee"])
def test_every_page_has_a_sign_in_link_in_its_header(client: FlaskClient, path: str) -> None:
    header = parse(client.get(path).text).one("header")
    links = {a.text.strip(): a.get("href") for a in header.find_all("a")}
    assert links["Sign in"] == "/sign-in"


def test_the_sign_in_form_asks_for_the_address_with_a_label_and_autocomplete(
    client: FlaskClient,
) -> None:
    response = client.get("/sign-in")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.h1 == "Sign in"
    form = page.one("form", action="/sign-in")
    field = form.one("input", name="email")
    assert field.get("type") == "email"
    assert field.get("autocomplete") == "email"
    label = form.one("label", **{"for": field.get("id") or ""})
    assert label.text.strip() == "Email address"
    assert form.find("input", name="csrf_token") is not None
    header = parse(response.text).one("header")
    assert header.one("a", href="/sign-in").get("aria-current") == "page"


def test_a_participant_is_emailed_a_link_that_opens_their_page(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    person = services.participants.get("demo", match.mentee)
    assert person is not None

    typed = match.mentee.capitalize()  # found in any case, written to as typed

    response = ask_for_link(client, typed)

    assert response.status_code == 200
    page = parse(response.text)
    assert page.h1 == "Check your email"
    assert typed in page.one("main").text  # the address the email went to
    ((to, message),) = mailbox.sent
    assert to == typed
    assert message["Subject"] == "Your link to your page on Mentor Portal"
    assert message["List-Unsubscribe"] is None  # asked for: nothing to unsubscribe from
    assert f"Hello {person.name}," in plain(message)
    (link,) = page_links(mailbox)
    landed = sign_in(client.application.test_client(), link)
    assert landed == "/me/programs/demo"


def test_the_link_opens_the_page_in_a_fresh_browser(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    ask_for_link(client, match.mentee)
    (link,) = page_links(mailbox)
    browser = client.application.test_client()
    page = browser.get(sign_in(browser, link))
    assert page.status_code == 200
    partner = services.participants.get("demo", match.mentor)
    assert partner is not None
    assert partner.name in page.text  # their match, on their own page


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    known = ask_for_link(client, match.mentee)
    assert len(mailbox.sent) == 1
    before = without_counters()

    unknown = ask_for_link(client, "nobody@example.org")

    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody@example.org", match.mentee) == known.text
    assert len(mailbox.sent) == 1  # nothing new
    assert without_counters() == before  # no link, no email stored


def test_an_unconfirmed_sign_up_gets_no_link(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    someone = stored_person("Pia", Role.MENTEE, clock())
    services.participants.save(
        replace(someone, status=Status.PENDING, expires_at=clock() + timedelta(days=7))
    )
    response = ask_for_link(client, someone.email)
    assert response.status_code == 200
    assert "If pia@example.org is signed up" in " ".join(parse(response.text).text.split())
    assert mailbox.sent == []


def test_someone_who_left_gets_a_link_to_their_page(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    assert services.participants.set_status("demo", match.mentor, Status.LEFT, clock())
    ask_for_link(client, match.mentor)
    (link,) = page_links(mailbox)
    browser = client.application.test_client()
    assert "You have left this program" in browser.get(sign_in(browser, link)).text


def test_a_participant_of_two_programs_gets_one_email_with_a_link_to_each_page(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    person = services.participants.get("demo", match.mentee)
    assert person is not None
    services.participants.save(
        replace(person, program="peer-circles", participant_id="p-circles", active_matches=0)
    )

    ask_for_link(client, match.mentee)

    ((_, message),) = mailbox.sent
    text = plain(message)
    assert "You take part in 2 programs" in text
    assert "Demo: Tech Careers mentoring" in text
    assert "Peer mentoring: Returners' network" in text
    landed = set()
    for link in page_links(mailbox):
        landed.add(sign_in(client.application.test_client(), link))
    assert landed == {"/me/programs/demo", "/me/programs/peer-circles"}


def test_an_unsubscribed_address_still_gets_the_link_it_asked_for_a_bounced_one_does_not(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    unsubscribes = services.unsubscribes
    unsubscribes.unsubscribe(unsubscribes.url(match.mentee).rsplit("/", 1)[1])
    ask_for_link(client, match.mentee)
    assert len(mailbox.sent) == 1

    services.mail.suppressions.add(match.mentor, "bounce", clock())
    before = without_counters()
    response = ask_for_link(client, match.mentor)
    assert response.status_code == 200
    assert len(mailbox.sent) == 1
    assert without_counters() == before  # no link stored that no email carries


def test_a_mistyped_address_gets_a_message_beside_the_field(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    before = table_snapshot()
    for typed, message in [
        ("", "Please give your email address."),
        ("ada-at-example.org", "This does not look like an email address."),
    ]:
        response = ask_for_link(client, typed)
        assert response.status_code == 422
        page = parse(response.text)
        assert page.title.startswith("Error: ")
        error = page.by_id("email-error")
        assert error is not None
        assert message in error.text
        assert "email-error" in (page.one("input", name="email").get("aria-describedby") or "")
    assert table_snapshot() == before
    assert mailbox.sent == []


def test_past_the_limit_per_address_a_polite_429_and_no_email(
    build_site: Callable[..., Site], clock: FakeClock, mailbox: MemorySender
) -> None:
    small = build_site(signups_per_source=(10, 10), signups_per_address=(2, 3))
    match = matched_pair(small.services, clock)
    for _ in range(2):
        assert ask_for_link(small.client, match.mentee).status_code == 200
    assert len(mailbox.sent) == 2
    before = without_counters()

    refused = ask_for_link(small.client, match.mentee)

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"  # the hour's window, from 09:00
    page = parse(refused.text)
    assert page.h1 == "Please wait a little before trying again"
    assert "requests for a sign-in link" in page.text
    assert len(mailbox.sent) == 2
    assert without_counters() == before


def test_sign_ins_and_sign_ups_share_the_limit_per_address(
    build_site: Callable[..., Site], clock: FakeClock, mailbox: MemorySender
) -> None:
    small = build_site(signups_per_source=(10, 10), signups_per_address=(1, 3))
    assert ask_for_link(small.client, "ada@example.org").status_code == 200
    assert sign_up(small.client, email="ada@example.org").status_code == 429


def test_a_participant_whose_session_ended_gets_their_page_with_the_sign_in_form(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    match = matched_pair(services, clock)
    page = sign_in(client, services.checkins.page_url("demo", match.mentee))
    assert client.get(page).status_code == 200
    clock.advance(hours=8, seconds=1)

    ended = client.get(page)

    assert ended.status_code == 403
    assert "for the program's organizers" not in ended.text
    shown = parse(ended.text)
    assert shown.h1 == "Sign in to your page"
    assert "Demo: Tech Careers mentoring" in shown.one("main").text
    form = shown.one("form", action="/sign-in")
    assert form.one("input", name="email").get("autocomplete") == "email"

    # The form there brings them back to the page.
    sent = client.post(
        "/sign-in", data={"email": match.mentee, "csrf_token": csrf_token(ended.text)}
    )
    assert sent.status_code == 200
    (link,) = page_links(mailbox)
    assert sign_in(client, link) == page
    assert client.get(page).status_code == 200
