"""The whole sign-up and confirmation flow through the Flask test client."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from portal.services import Services
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.web.helpers import sign_up


def test_sign_up_stores_pending_and_sends_one_confirmation(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = sign_up(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/programs/demo/join/check-your-email")
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.PENDING
    assert stored.goals == ("python", "leadership")
    assert stored.answers == {"industry": "Tech"}
    assert len(mailbox.sent) == 1
    recipient, message = mailbox.sent[0]
    assert recipient == "ada@example.org"
    assert "Confirm your sign-up" in message["Subject"]


def test_confirmation_link_get_does_not_use_it_and_post_confirms(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    (link,) = [url for url in links_in(mailbox.sent[0][1]) if "/confirm/" in url]
    path = link.removeprefix("http://portal.test")

    # A mail scanner opening the link twice changes nothing.
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200
        assert "Confirm my sign-up" in page.text
    assert services.participants.get("demo", "ada@example.org").status is Status.PENDING

    done = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    assert "is confirmed" in done.text
    assert services.participants.get("demo", "ada@example.org").status is Status.CONFIRMED

    before = table_snapshot()
    again = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 410
    assert "already been used" in again.text
    assert table_snapshot() == before


def test_signing_up_again_updates_the_pending_record(
    client: FlaskClient, services: Services
) -> None:
    sign_up(client)
    sign_up(client, name="Ada King", email="ada@example.org", goals=["sql"])
    people = list(services.participants.for_program("demo"))
    mine = [p for p in people if p.email == "ada@example.org"]
    assert len(mine) == 1
    assert mine[0].name == "Ada King"
    assert mine[0].goals == ("sql",)


def test_response_does_not_reveal_a_known_address(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    first = sign_up(client)
    link = next(u for u in links_in(mailbox.sent[0][1]) if "/confirm/" in u)
    path = link.removeprefix("http://portal.test")
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})

    again = sign_up(client, name="Someone Else")
    assert again.status_code == first.status_code
    assert again.headers["Location"] == first.headers["Location"]
    # The confirmed profile is untouched; the owner is told by email instead.
    assert services.participants.get("demo", "ada@example.org").name == "Ada Lovelace"
    assert "already signed up" in mailbox.sent[-1][1]["Subject"]


def test_someone_already_signed_up_is_emailed_a_working_link_to_their_page(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    link = next(u for u in links_in(mailbox.sent[0][1]) if "/confirm/" in u)
    path = link.removeprefix("http://portal.test")
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    sign_up(client)  # they lost their link, and try again
    page_links = [u for u in links_in(mailbox.sent[-1][1]) if "/me/" in u]
    assert len(page_links) == 1
    owner = app.test_client()
    page_path = page_links[0].removeprefix("http://portal.test")
    opened = owner.get(page_path)
    signed = owner.post(page_path, data={"csrf_token": csrf_token(opened.text)})
    assert signed.headers["Location"] == "/me/programs/demo"
    assert "Hello, Ada" in owner.get("/me/programs/demo").text


def test_someone_who_left_can_sign_up_again(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    sign_up(client)
    services.participants.confirm("demo", "ada@example.org", clock())
    services.participants.set_status("demo", "ada@example.org", Status.LEFT, clock())
    sign_up(client, name="Ada King")
    again = services.participants.get("demo", "ada@example.org")
    assert again is not None
    assert (again.name, again.status) == ("Ada King", Status.PENDING)
