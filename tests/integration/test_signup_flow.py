"""The whole sign-up and confirmation flow through the Flask app, stored in DynamoDB Local."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.integration.conftest import sign_up_as_mentee

pytestmark = pytest.mark.integration


def test_sign_up_then_confirm_by_link(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    response = sign_up_as_mentee(client)
    assert response.status_code == 200
    assert "We have sent an email with a link to" in response.text
    pending = services.participants.get("demo", "ada@example.org")
    assert pending is not None
    assert (pending.status, pending.name) == (Status.PENDING, "Ada Lovelace")

    # Written to as typed (email-validator writes the domain in lower case).
    assert [recipient for recipient, _ in mailbox.sent] == ["Ada@example.org"]
    (link,) = [url for url in links_in(mailbox.sent[0][1]) if "/confirm/" in url]
    path = link.removeprefix("http://portal.test")
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my sign-up" in page.text

    clock.advance(minutes=5)
    done = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    assert "is confirmed" in done.text

    confirmed = services.participants.get("demo", "ada@example.org")
    assert confirmed is not None
    assert (confirmed.status, confirmed.confirmed_at) == (Status.CONFIRMED, clock())
    assert confirmed.participant_id == pending.participant_id
    assert services.participants.programs_of("ada@example.org") == ["demo"]

    before = table_snapshot()
    again = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 410
    assert table_snapshot() == before
