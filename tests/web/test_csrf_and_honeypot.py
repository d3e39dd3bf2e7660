"""Forged posts are refused with a page that says what to do; bots fill the honeypot in vain."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import csrf_token, table_snapshot
from tests.web.dom import parse
from tests.web.helpers import GOOD, assert_nothing_stored, confirm_path, sign_up

JOIN = "/programs/demo/join/mentee"


def assert_try_again_page(response: TestResponse) -> None:
    assert response.status_code == 400
    page = parse(response.text)
    assert page.h1 == "Please try again"
    assert page.title == "Please try again · Mentor Portal"
    assert "Nothing was saved." in page.text


def test_join_without_a_token_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    client.get(JOIN)
    assert_try_again_page(client.post(JOIN, data=GOOD))
    assert_nothing_stored(mailbox)


@pytest.mark.parametrize("token", ["wrong", "", "IjAwMDAi.ZZZZZZ.forged-signature"])
def test_join_with_a_wrong_token_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender, token: str
) -> None:
    client.get(JOIN)
    assert_try_again_page(client.post(JOIN, data={**GOOD, "csrf_token": token}))
    assert_nothing_stored(mailbox)


def test_join_with_a_token_from_another_browser_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    # A forging site can get a token of its own, but not one tied to the victim's session.
    other = client.application.test_client()
    token = csrf_token(other.get(JOIN).text)
    client.get(JOIN)
    assert_try_again_page(client.post(JOIN, data={**GOOD, "csrf_token": token}))
    assert_nothing_stored(mailbox)


def test_join_with_a_token_older_than_four_hours_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    token = csrf_token(client.get(JOIN).text)
    # Flask-WTF ages tokens by the real time, not the portal's clock: move that time on.
    real_now = TimestampSigner.get_timestamp
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            TimestampSigner,
            "get_timestamp",
            lambda self: real_now(self) + 4 * 3600 + 60,
        )
        response = client.post(JOIN, data={**GOOD, "csrf_token": token})
    assert_try_again_page(response)
    assert_nothing_stored(mailbox)


def test_confirm_without_a_token_is_refused_and_stays_pending(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    path = confirm_path(mailbox)
    client.get(path)
    before = table_snapshot()
    assert_try_again_page(client.post(path))
    assert_try_again_page(client.post(path, data={"csrf_token": "wrong"}))
    assert table_snapshot() == before
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.PENDING
    # The link was not used up: the person can still confirm.
    page = client.get(path)
    assert page.status_code == 200
    done = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    assert services.participants.get("demo", "ada@example.org").status is Status.CONFIRMED


def test_honeypot_filled_looks_like_success_but_does_nothing(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    real = sign_up(client, email="someone@example.org")
    mailbox.sent.clear()
    bot = sign_up(client, website="http://cheap-pills.example")
    assert bot.status_code == real.status_code == 200
    # The same page, naming the address typed.
    assert bot.text.replace("Ada@example.org", "someone@example.org") == real.text
    assert [p.email for p in services.participants.for_program("demo")] == ["someone@example.org"]
    assert mailbox.sent == []
    assert parse(bot.text).h1 == "Check your email"


def test_honeypot_alone_stores_nothing(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = sign_up(client, website="anything")
    assert response.status_code == 200
    assert_nothing_stored(mailbox)
