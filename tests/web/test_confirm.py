"""Confirmation links: expired, made up or used links get a clear page and change nothing."""

from __future__ import annotations

import secrets

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from portal.services import Services
from tests.conftest import FakeClock, csrf_token, table_snapshot
from tests.web.dom import parse
from tests.web.helpers import confirm_path, sign_up


def status_of(services: Services) -> Status:
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    return stored.status


def assert_link_problem(response: TestResponse, says: str) -> None:
    assert response.status_code == 410
    page = parse(response.text)
    assert page.h1 == "This link cannot be used"
    assert says in page.one("main").text
    # The way out: sign up again from the program's page.
    assert "/programs/" in page.hrefs()
    assert response.headers["Cache-Control"] == "no-store"


def a_token(client: FlaskClient) -> str:
    """A CSRF token of this browser's session, from any page with a form."""
    return csrf_token(client.get("/programs/demo/join/mentee").text)


def test_the_confirm_page_greets_the_person_and_is_not_cached(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    sign_up(client)
    response = client.get(confirm_path(mailbox))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.text)
    assert page.h1 == "Confirm your sign-up"
    assert "Ada" in page.one("p", class_="lead").text
    assert "Demo: Tech Careers mentoring as a mentee" in page.text
    form = page.one("form", method="post")
    assert form.get("action") == confirm_path(mailbox)
    assert form.one("button").text == "Confirm my sign-up"


def test_confirming_says_what_happens_next(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    path = confirm_path(mailbox)
    done = client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    page = parse(done.text)
    assert page.h1 == "You are signed up"
    assert "Thank you, Ada." in page.text
    assert "mailto:organizer@example.org" in page.hrefs()
    assert status_of(services) is Status.CONFIRMED
    # Opening the used link again explains itself instead of asking again.
    assert_link_problem(client.get(path), "already been used")


def test_link_still_works_just_before_it_expires(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    clock.advance(hours=47)
    path = confirm_path(mailbox)
    assert client.get(path).status_code == 200
    assert client.post(path, data={"csrf_token": a_token(client)}).status_code == 200
    assert status_of(services) is Status.CONFIRMED


def test_expired_link_shows_the_expired_page_and_stays_pending(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    path = confirm_path(mailbox)
    clock.advance(hours=49)
    token = a_token(client)
    before = table_snapshot()
    assert_link_problem(client.get(path), "This link has expired.")
    assert_link_problem(client.post(path, data={"csrf_token": token}), "has expired")
    assert table_snapshot() == before
    assert status_of(services) is Status.PENDING


def test_signing_up_again_after_expiry_sends_a_fresh_link(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    old = confirm_path(mailbox)
    clock.advance(hours=49)
    sign_up(client)
    assert len(mailbox.sent) == 2
    new = confirm_path(mailbox)
    assert new != old
    assert client.post(new, data={"csrf_token": a_token(client)}).status_code == 200
    assert status_of(services) is Status.CONFIRMED


@pytest.mark.parametrize(
    "token",
    [
        secrets.token_urlsafe(32),  # well formed, never issued
        "not-a-token",
        "x" * 500,
        "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    ],
    ids=["unissued", "short", "long", "markup"],
)
def test_made_up_link_could_not_be_found(client: FlaskClient, token: str) -> None:
    path = f"/confirm/{token}"
    get = client.get(path)
    assert_link_problem(get, "We could not find what this link was for.")
    assert "<img" not in get.text
    post = client.post(path, data={"csrf_token": a_token(client)})
    assert_link_problem(post, "We could not find what this link was for.")


def test_made_up_link_changes_nobody(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    token = a_token(client)
    before = table_snapshot()
    refused = client.post(f"/confirm/{secrets.token_urlsafe(32)}", data={"csrf_token": token})
    assert_link_problem(refused, "We could not find what this link was for.")
    assert table_snapshot() == before
    assert status_of(services) is Status.PENDING
