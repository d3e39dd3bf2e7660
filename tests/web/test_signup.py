"""The whole sign-up and confirmation flow through the Flask test client."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from portal.persistence.signups import Submission, Submitted
from portal.persistence.tables import LimitRecord
from tests.conftest import FakeClock, csrf_token, links_in, stored_sign_ups, table_snapshot
from tests.web.dom import parse
from tests.web.helpers import STRANGERS_ANSWERS, confirm_path, sign_up


def test_sign_up_stores_pending_and_sends_one_confirmation(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = sign_up(client)
    assert response.status_code == 200
    page = parse(response.text)
    assert page.h1 == "Check your email"
    # The page names the address the email went to, as typed.
    assert "We have sent an email with a link to Ada@example.org." in page.text
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.PENDING
    assert stored.goals == ("python", "leadership")
    assert stored.answers == {"industry": "Tech"}
    assert len(mailbox.sent) == 1
    recipient, message = mailbox.sent[0]
    # Written to as typed (Ada@Example.org; a domain has no case), found in any case.
    assert recipient == "Ada@example.org"
    assert stored.mailbox == "Ada@example.org"
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


def test_a_second_form_with_the_same_address_changes_nothing(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    pending = services.participants.get("demo", "ada@example.org")
    stranger = app.test_client()
    again = sign_up(stranger, **STRANGERS_ANSWERS)
    assert again.status_code == 200
    assert services.participants.get("demo", "ada@example.org") == pending
    assert len(mailbox.sent) == 1

    # Ada's link confirms what Ada sent.
    path = confirm_path(mailbox)
    done = client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    assert "Thank you, Ada." in done.text
    confirmed = services.participants.get("demo", "ada@example.org")
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED
    assert (confirmed.name, confirmed.department, confirmed.languages, confirmed.bio) == (
        "Ada Lovelace",
        "Analytics",
        ("English", "French"),
        "",
    )


def test_a_second_form_inside_the_window_says_truthfully_that_the_email_went_earlier(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    clock.advance(minutes=3)  # 09:03: the window of 09:00 ends at 09:10
    before = table_snapshot()

    again = sign_up(app.test_client(), email="ADA@example.org", name="Ada Again")

    assert again.status_code == 200
    text = " ".join(parse(again.text).text.split())
    assert "We sent an email to ADA@example.org a few minutes ago" in text
    assert "we sent nothing new this time" in text
    assert "send the form again in 7 minutes" in text
    assert "We have sent" not in text  # nothing was sent for this form
    assert len(mailbox.sent) == 1
    assert table_snapshot() == before | {
        LimitRecord.Meta.table_name: table_snapshot()[LimitRecord.Meta.table_name]
    }  # counted, and nothing else stored

    clock.advance(minutes=7)  # 09:10: a new window, a new email
    third = sign_up(app.test_client(), name="Ada Again")
    assert "We have sent an email with a link to Ada@example.org." in parse(third.text).text
    assert len(mailbox.sent) == 2


def test_response_does_not_reveal_a_known_address(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    first = sign_up(client)
    link = next(u for u in links_in(mailbox.sent[0][1]) if "/confirm/" in u)
    path = link.removeprefix("http://portal.test")
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})

    again = sign_up(client, name="Someone Else")
    assert again.status_code == first.status_code
    assert again.text == first.text  # "We have sent an email with a link to Ada@example.org."
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


def test_a_confirmed_persons_record_is_never_changed_by_a_form(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    path = confirm_path(mailbox)
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    before = services.participants.get("demo", "ada@example.org")
    stranger = app.test_client()
    for role in ("mentee", "mentor"):
        for _ in range(2):  # the first in a window sends an email, the second nothing
            assert sign_up(stranger, role, **STRANGERS_ANSWERS).status_code == 200
        clock.advance(hours=1)  # past the window, and past the 3 sign-ups an address has an hour
    assert services.participants.get("demo", "ada@example.org") == before


def test_someone_who_left_can_sign_up_again(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    sign_up(client)
    path = confirm_path(mailbox)
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    services.participants.set_status("demo", "ada@example.org", Status.LEFT, clock())
    left = services.participants.get("demo", "ada@example.org")
    clock.advance(minutes=20)
    sign_up(client, name="Ada King")
    assert services.participants.get("demo", "ada@example.org") == left  # until confirmed
    path = confirm_path(mailbox)
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    again = services.participants.get("demo", "ada@example.org")
    assert again is not None
    assert (again.name, again.status) == ("Ada King", Status.CONFIRMED)


def test_with_a_courier_the_request_queues_the_email_and_another_invocation_sends_it(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    handed: list[str] = []
    services.mail.courier = handed.append  # what LambdaCourier does on AWS
    assert sign_up(client).status_code == 200
    assert mailbox.sent == []  # the request sent nothing itself
    (key,) = handed
    assert services.mail.outbox.due_keys(services.clock(), 10) == [key]
    assert services.mail.deliver(key)  # what functions.outbox.deliver does with the key
    assert confirm_path(mailbox).startswith("/confirm/")


def busy_for(services: Services, times: int) -> list[Submitted]:
    """Make the store answer BUSY (another transaction on the same items) `times` times first."""
    answered: list[Submitted] = []
    submit = services.signup.store.submit

    def sometimes_busy(**kwargs: Any) -> Submission:
        if len(answered) < times:
            answered.append(Submitted.BUSY)
            return Submission(Submitted.BUSY)
        outcome = submit(**kwargs)
        answered.append(outcome.outcome)
        return outcome

    services.signup.store.submit = sometimes_busy  # type: ignore[method-assign]
    return answered


def test_a_sign_up_that_meets_another_transaction_tries_again(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    answered = busy_for(services, 2)

    response = sign_up(client)

    assert response.status_code == 200
    assert answered == [Submitted.BUSY, Submitted.BUSY, Submitted.STORED]
    assert stored_sign_ups() == (1, 1, 1)
    assert len(mailbox.sent) == 1


def test_a_sign_up_that_stays_busy_asks_to_send_the_form_again(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    busy_for(services, 100)
    before = table_snapshot()

    response = sign_up(client)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "send the form again" in response.text
    assert "Nothing was saved and no email was sent." in response.text
    assert table_snapshot() == before
    assert mailbox.sent == []
