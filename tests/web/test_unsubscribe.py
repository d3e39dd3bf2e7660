"""Unsubscribe links: every email carries one; one click stops program email."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from portal.container import Services
from portal.mail.catalog import Recipient
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import plain, table_snapshot
from tests.web.helpers import sign_up


def _unsubscribe_path(mailbox: MemorySender) -> str:
    header = mailbox.sent[-1][1]["List-Unsubscribe"]
    assert header.startswith("<http://portal.test/unsubscribe/")
    return header.strip("<>").removeprefix("http://portal.test")


def program_email(services: Services, to: str = "ada@example.org") -> None:
    """Send `to` an email that unsubscribing stops (one to an organizer: the simplest to make)."""
    assert services.mail.queue(
        "test:program-email",
        to=to,
        template="delivery_failed",
        recipient=Recipient.ORGANIZER,
        context={"recipient": "x@example.org", "template": "introduction", "error": "x"},
    )
    services.mail.dispatch("test:program-email")


def test_every_email_unsubscribing_stops_carries_a_one_click_link(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    program_email(services)
    message = mailbox.sent[-1][1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip("<>")
    assert link in plain(message)  # and in the body, where a reader sees it
    page = client.get(_unsubscribe_path(mailbox))
    assert page.status_code == 200
    assert "Stop these emails" in page.text
    assert "ada@example.org" not in page.text  # the address is masked on the page
    # Pausing and leaving are the person's own to do, on their page: no organizer needed.
    assert "To leave a program, write to its organizers" not in page.text
    assert "take a break or leave it instead on your own page" in page.text
    assert "invitations to join a program" in page.text  # an invitee reads what it stops


def test_one_click_post_stops_program_mail_but_not_mail_the_person_asks_for(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    program_email(services)
    path = _unsubscribe_path(mailbox)
    # What a mail client sends for RFC 8058 one-click: no CSRF token, no cookie.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Emails stopped" in done.text
    assert not services.mail.queue(
        "test:program-mail-after",
        to="ada@example.org",
        template="delivery_failed",
        recipient=Recipient.ORGANIZER,
        context={"recipient": "x@example.org", "template": "introduction", "error": "x"},
    )
    demo = services.programs.get("demo")
    assert demo is not None
    queued = services.mail.queue(
        "test:requested-mail",
        to="ada@example.org",
        template="already_registered",
        recipient=Recipient.APPLICANT,
        context={"name": "Ada", "program": demo, "role": "mentee", "program_url": "x"},
    )
    assert queued  # asked for by the person: still sent
    services.mail.suppressions.add("ada@example.org", "bounce", services.clock())
    assert not services.mail.queue(
        "test:after-bounce",
        to="ada@example.org",
        template="already_registered",
        recipient=Recipient.APPLICANT,
        context={"name": "Ada", "program": demo, "role": "mentee", "program_url": "x"},
    )


def test_a_forged_unsubscribe_link_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    before = table_snapshot()
    assert client.get("/unsubscribe/not-a-real-token").status_code == 404
    assert client.post("/unsubscribe/not-a-real-token").status_code == 404
    assert table_snapshot() == before
    assert services.mail.suppressions.reason("ada@example.org") is None


def _payload(path: str, settings: Settings) -> str:
    """What an unsubscribe link's token carries (signed, and readable by anyone), as JSON."""
    token = path.rsplit("/", 1)[-1]
    return json.dumps(URLSafeSerializer(settings.secret_key, salt="unsubscribe").loads(token))


def test_an_unsubscribe_link_carries_no_address(
    client: FlaskClient, services: Services, mailbox: MemorySender, settings: Settings
) -> None:
    program_email(services, to="Ada.Lovelace@example.org")
    path = _unsubscribe_path(mailbox)

    carried = _payload(path, settings)
    assert "lovelace" not in carried.lower()
    assert "ada.l" not in carried.lower()
    page = client.get(path)
    assert "Ad••••••••••@example.org" in page.text  # masked, for the person to recognise
    client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert services.mail.suppressions.reason("ada.lovelace@EXAMPLE.org") == "unsubscribe"


def test_a_link_sent_before_links_stopped_carrying_the_address_still_works(
    client: FlaskClient, services: Services, settings: Settings
) -> None:
    old = URLSafeSerializer(settings.secret_key, salt="unsubscribe").dumps("grace@example.org")

    done = client.post(f"/unsubscribe/{old}", data={"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    assert "gr•••@example.org" in done.text
    assert services.mail.suppressions.reason("grace@example.org") == "unsubscribe"
