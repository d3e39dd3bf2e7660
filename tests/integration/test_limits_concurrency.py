"""Sign-up limits on DynamoDB Local: requests racing for the last places admit exactly the limit.

Lambda instances share no memory; the only thing they share is the limits table, whose
conditional updates are atomic here as on AWS (moto's are not, across threads).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask.testing import FlaskClient

from portal import create_app
from portal.container import build_services
from portal.mail.senders import MemorySender
from portal.persistence.tables import ParticipantRecord
from portal.settings import Settings
from tests.conftest import MENTEE_FORM, FakeClock, csrf_token, stored_sign_ups

pytestmark = pytest.mark.integration

RACERS = 16


def race(clients: list[tuple[FlaskClient, dict[str, str]]]) -> list[int]:
    """Send every client's sign-up at the same moment, one thread each; the status codes."""
    start = threading.Barrier(len(clients))

    def send(client: FlaskClient, form: dict[str, str]) -> int:
        start.wait(timeout=30)
        return client.post("/programs/demo/join/mentee", data=form).status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(send, client, form) for client, form in clients]
        return [future.result(timeout=120) for future in futures]


def ready_clients(
    store: Settings, clock: FakeClock, mailbox: MemorySender, sources: list[str], emails: list[str]
) -> list[tuple[FlaskClient, dict[str, str]]]:
    """One client per racer, each with the form open (its CSRF token) from its own address."""
    settings = store.with_overrides(signups_per_source=(5, 100), signups_per_address=(3, 10))
    app = create_app(settings, build_services(settings, clock=clock, sender=mailbox))
    app.config.update(TESTING=True)
    ready = []
    for source, email in zip(sources, emails, strict=True):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = source
        page = client.get("/programs/demo/join/mentee")
        assert page.status_code == 200
        ready.append((client, {**MENTEE_FORM, "email": email, "csrf_token": csrf_token(page.text)}))
    return ready


def test_racing_sign_ups_from_one_source_admit_exactly_its_limit(
    store: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    emails = [f"person{n}@example.org" for n in range(RACERS)]
    clients = ready_clients(store, clock, mailbox, ["198.51.100.4"] * RACERS, emails)

    statuses = race(clients)

    assert Counter(statuses) == {200: 5, 429: RACERS - 5}
    assert stored_sign_ups() == (5, 5, 5)
    assert len(mailbox.sent) == 5


def test_racing_sign_ups_for_one_address_admit_exactly_its_limit(
    store: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    sources = [f"198.51.100.{n + 1}" for n in range(RACERS)]
    clients = ready_clients(store, clock, mailbox, sources, ["victim@example.org"] * RACERS)

    statuses = race(clients)

    assert Counter(statuses) == {200: 3, 429: RACERS - 3}
    # However the three admitted ones share out the confirmation, the inbox gets at most three.
    assert 1 <= len(mailbox.sent) <= 3
    assert {to for to, _ in mailbox.sent} == {"victim@example.org"}
    assert sum(1 for _ in ParticipantRecord.scan()) == 1
