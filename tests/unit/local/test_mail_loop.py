"""`portal dev` sends what the outbox holds, as the scheduled function does on AWS."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest
from flask import Flask

from portal.container import Services
from portal.domain.participants import Role
from portal.local.mail_loop import Doorbell, MailLoop
from portal.mail.catalog import Recipient
from portal.mail.senders import MemorySender
from portal.persistence.outbox import PENDING, SENT, OutboxRecord
from portal.services.signup import Application
from tests.conftest import MENTEE_FORM, csrf_token, links_in

DEADLINE_SECONDS = 30  # only how long to wait before calling it a failure
GRACE = Application(
    role=Role.MENTEE,
    name="Grace Hopper",
    email="grace@example.org",
    timezone="Europe/London",
    languages=("English",),
    availability=("mon-evening",),
    goals=("python",),
    seniority="early",
    answers={"industry": "Tech"},
)


def wait_for(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def outbox_statuses() -> list[str]:
    return [record.status for record in OutboxRecord.scan()]


def _crash(key: str) -> bool:
    raise RuntimeError("the process died between queueing and sending")


def test_a_confirmation_left_queued_by_a_crashed_request_is_sent(
    app: Flask,
    services: Services,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The request stores the sign-up and queues the email, then fails before sending it.
    app.config.update(TESTING=False)
    monkeypatch.setattr(services.mail, "deliver", _crash)
    client = app.test_client()
    form = client.get("/programs/demo/join/mentee")
    crashed = client.post(
        "/programs/demo/join/mentee", data={**MENTEE_FORM, "csrf_token": csrf_token(form.text)}
    )
    assert crashed.status_code == 500
    assert mailbox.sent == []
    assert outbox_statuses() == [PENDING]

    with MailLoop(services.mail, rate=1000, every=0.05) as loop:
        assert loop.running
        assert wait_for(lambda: len(mailbox.sent) == 1), "the queued confirmation was not sent"
    assert not loop.running

    ((to, message),) = mailbox.sent
    assert to == "Ada@example.org"  # as typed; a domain has no case
    assert [url for url in links_in(message) if "/confirm/" in url]
    assert outbox_statuses() == [SENT]


def test_one_pass_sends_what_is_due_and_nothing_twice(
    services: Services, mailbox: MemorySender
) -> None:
    for n in range(3):
        services.mail.queue(
            f"test:{n}",
            to=f"person{n}@example.org",
            template="delivery_failed",
            recipient=Recipient.ORGANIZER,
            context={"recipient": "x@example.org", "template": "t", "error": "e"},
        )
    loop = MailLoop(services.mail, rate=1000)
    assert loop.drain_once().sent == 3
    assert loop.drain_once().sent == 0
    assert sorted(to for to, _ in mailbox.sent) == [f"person{n}@example.org" for n in range(3)]


class _DatabaseAway:
    def drain(self, **kwargs: object) -> None:
        raise ConnectionError("DynamoDB Local is restarting")


def test_a_failed_pass_does_not_stop_the_loop(caplog: pytest.LogCaptureFixture) -> None:
    loop = MailLoop(_DatabaseAway(), rate=10, every=0.01)  # type: ignore[arg-type]
    with loop:
        assert wait_for(lambda: caplog.text.count("the pass failed") >= 2)
        assert loop.running
    assert not loop.running


def test_a_ring_sends_at_once_what_a_request_queued(
    services: Services, mailbox: MemorySender
) -> None:
    # `portal dev` hands a request's email to the loop, as AWS hands it to another invocation.
    doorbell = Doorbell()
    services.mail.courier = doorbell.ring
    sent_by: list[str] = []
    send = mailbox.send

    def noting_the_thread(recipient: str, raw: str) -> str:
        sent_by.append(threading.current_thread().name)
        return send(recipient, raw)

    mailbox.send = noting_the_thread  # type: ignore[method-assign]
    with MailLoop(services.mail, rate=1000, every=3600, doorbell=doorbell) as loop:
        assert wait_for(lambda: loop.passes >= 1)  # the first pass found nothing to send
        demo = services.programs.get("demo")
        assert demo is not None
        services.signup.sign_up(demo, GRACE)
        assert outbox_statuses() in ([PENDING], [SENT])  # the loop may have sent it already
        assert wait_for(lambda: len(mailbox.sent) == 1), "the ring did not wake the loop"
    assert outbox_statuses() == [SENT]
    # The request only queued it and rang; the loop, woken long before its hour, sent it.
    assert sent_by == ["mail-loop"]
    doorbell.close()


def test_a_ring_from_another_process_wakes_the_loop(
    services: Services, mailbox: MemorySender
) -> None:
    # `portal dev --processes N`: a worker process rings the loop of the process it forked from.
    doorbell = Doorbell()
    with MailLoop(services.mail, rate=1000, every=3600, doorbell=doorbell) as loop:
        assert wait_for(lambda: loop.passes >= 1)
        services.mail.queue(
            "test:forked",
            to="person@example.org",
            template="delivery_failed",
            recipient=Recipient.ORGANIZER,
            context={"recipient": "x@example.org", "template": "t", "error": "e"},
        )
        child = os.fork()
        if child == 0:
            doorbell.ring()
            os._exit(0)
        assert os.waitpid(child, 0)[1] == 0
        assert wait_for(lambda: len(mailbox.sent) == 1), "the other process's ring went unheard"
    doorbell.close()
