"""Confirmation links: expired, made up or used links get a clear page and change nothing."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, table_snapshot
from tests.web.dom import Document, parse
from tests.web.helpers import STRANGERS_ANSWERS, confirm_path, sign_up


def status_of(services: Services) -> Status:
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    return stored.status


def assert_link_problem(response: TestResponse, says: str) -> None:
    assert response.status_code == 410
    page = parse(response.text)
    assert page.h1 == "This link cannot be used"
    assert says in page.one("main").text
    # The ways out: sign in for a link to one's page, or sign up again from the program's page.
    assert "/sign-in" in [a.get("href") for a in page.one("main").find_all("a")]
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


def answers_on(page: Document) -> dict[str, str]:
    """The answers a confirm page shows, by what was asked."""
    answers = page.one("dl", class_="facts")
    return {
        item.one("dt").text.strip(): item.one("dd").text.strip() for item in answers.find_all("div")
    }


def test_the_confirm_page_shows_the_answers_before_the_button(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    sign_up(client, bio="Keen on data work.")
    page = parse(client.get(confirm_path(mailbox)).text)
    assert answers_on(page) == {
        "Name": "Ada Lovelace",
        "Email address": "ada@example.org",
        "Taking part as": "mentee",
        "Career stage": "Early career (0-2 years)",
        "Department or team": "Analytics",
        "Language for the portal and its emails": "English",
        "Languages you can meet in": "English, French",
        "Your time zone": "Europe/London",
        "When you can usually meet": "Monday evening, Thursday morning",
        "What you would like to work on": "python, leadership",
        "A few words about you": "Keen on data work.",
        "Which industry do you work in, or want to work in?": "Tech",
    }
    # The answers come before the button that confirms them.
    order = [e for e in page.iter() if e.tag in ("dl", "button")]
    assert [e.tag for e in order] == ["dl", "button"]


def test_the_confirm_page_shows_the_answers_the_link_was_sent_for(
    client: FlaskClient, app: Flask, mailbox: MemorySender
) -> None:
    sign_up(client)
    sign_up(app.test_client(), **STRANGERS_ANSWERS)  # someone else, with Ada's address
    shown = answers_on(parse(client.get(confirm_path(mailbox)).text))
    assert (shown["Name"], shown["Department or team"]) == ("Ada Lovelace", "Analytics")
    assert shown["Languages you can meet in"] == "English, French"
    assert "A few words about you" not in shown


def test_a_second_link_after_confirming_changes_nothing(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    first = confirm_path(mailbox)
    clock.advance(minutes=11)
    sign_up(app.test_client(), **STRANGERS_ANSWERS)  # a new window: a second email
    second = confirm_path(mailbox)
    assert second != first
    assert client.post(first, data={"csrf_token": a_token(client)}).status_code == 200
    for response in (client.get(second), client.post(second, data={"csrf_token": a_token(client)})):
        assert response.status_code == 409
        page = parse(response.text)
        assert page.h1 == "This link cannot be used"
        assert "You are already signed up for Demo: Tech Careers mentoring" in page.text
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert (stored.name, stored.department) == ("Ada Lovelace", "Analytics")


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
