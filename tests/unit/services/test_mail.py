"""The outbox: queued once by key, retried with backoff, never lost, never sent twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from portal.catalog.programs import load_program
from portal.mail.catalog import Recipient
from portal.mail.senders import PermanentSendError, TransientSendError
from portal.persistence.outbox import FAILED, PENDING, SENT, OutboxItem, OutboxRepository
from portal.persistence.tables import OutboxRecord
from portal.services.mail import MAX_ATTEMPTS, MailService, backoff
from portal.settings import Settings
from tests.conftest import CONTENT, FakeClock, parse

PROGRAM = load_program(CONTENT / "programs" / "demo.md")
KEY = "confirm:demo:abc123:0"


@dataclass
class FlakySender:
    """Fails the first `failures` calls with `error`, then delivers."""

    failures: int = 0
    error: type[Exception] = TransientSendError
    calls: int = 0
    delivered: list[tuple[str, str]] = field(default_factory=list)

    def send(self, recipient: str, raw: str) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"failure {self.calls}")
        self.delivered.append((recipient, raw))
        return f"flaky:{self.calls}"


def mail_service(settings: Settings, clock: FakeClock, sender: FlakySender) -> MailService:
    return MailService(OutboxRepository(), sender, settings.mail_sender, clock)


def queue(mail: MailService, key: str = KEY, to: str = "ada@example.org") -> bool:
    return mail.queue(
        key,
        to=to,
        template="confirm_signup",
        recipient=Recipient.APPLICANT,
        context={
            "name": "Ada",
            "program": PROGRAM,
            "role": "mentee",
            "confirm_url": "http://portal.test/confirm/abcdefghijklmnopqrstuvwxyz",
            "expires_hours": 48,
        },
        program="demo",
    )


def stored(key: str = KEY) -> OutboxItem:
    item = OutboxRepository().get(key)
    assert item is not None
    return item


@pytest.mark.usefixtures("aws")
def test_queue_is_idempotent_by_key(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender()
    mail = mail_service(settings, clock, sender)
    assert queue(mail) is True
    assert queue(mail) is False
    clock.advance(minutes=1)
    assert queue(mail) is False
    assert mail.drain().sent == 1
    assert queue(mail) is False  # not even once it has been sent
    assert mail.drain().sent == 0
    assert len(sender.delivered) == 1


@pytest.mark.usefixtures("aws")
def test_a_queued_message_is_stored_before_it_is_sent(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender()
    mail = mail_service(settings, clock, sender)
    queue(mail)
    item = stored()
    assert item.status == PENDING
    assert item.recipient == "ada@example.org"
    assert item.template == "confirm_signup"
    assert sender.calls == 0
    assert parse(item.raw)["Subject"] == "Confirm your sign-up for Demo: Tech Careers mentoring"


@pytest.mark.usefixtures("aws")
def test_deliver_sends_once(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender()
    mail = mail_service(settings, clock, sender)
    queue(mail)
    assert mail.deliver(KEY) is True
    assert mail.deliver(KEY) is False
    clock.advance(hours=1)
    assert mail.deliver(KEY) is False
    assert mail.drain().sent == 0
    item = stored()
    assert item.status == SENT
    assert item.provider_id == "flaky:1"
    assert item.attempts == 1
    assert [recipient for recipient, _ in sender.delivered] == ["ada@example.org"]
    assert parse(sender.delivered[0][1])["To"] == "ada@example.org"


@pytest.mark.usefixtures("aws")
def test_drain_sends_every_due_message(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender()
    mail = mail_service(settings, clock, sender)
    for n in range(3):
        queue(mail, key=f"k{n}", to=f"p{n}@example.org")
    report = mail.drain()
    assert (report.sent, report.retrying, report.failed) == (3, 0, 0)
    assert sorted(recipient for recipient, _ in sender.delivered) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]


@pytest.mark.usefixtures("aws")
def test_a_transient_failure_waits_and_then_sends(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender(failures=1)
    mail = mail_service(settings, clock, sender)
    queue(mail)
    report = mail.drain()
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    item = stored()
    assert item.status == PENDING
    assert item.attempts == 1
    assert item.last_error == "failure 1"

    assert mail.drain().sent == 0  # not before the backoff
    assert sender.calls == 1
    clock.advance(minutes=2)
    assert mail.drain().sent == 1
    item = stored()
    assert item.status == SENT
    assert item.attempts == 2
    assert item.last_error is None
    assert len(sender.delivered) == 1


def test_backoff_doubles() -> None:
    assert [backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]


@pytest.mark.usefixtures("aws")
def test_after_max_attempts_of_transient_failures_the_message_fails(
    settings: Settings, clock: FakeClock
) -> None:
    sender = FlakySender(failures=100)
    mail = mail_service(settings, clock, sender)
    queue(mail)
    reports = []
    for _ in range(MAX_ATTEMPTS + 3):
        reports.append(mail.drain())
        clock.advance(minutes=30)
    assert sender.calls == MAX_ATTEMPTS
    assert sum(report.retrying for report in reports) == MAX_ATTEMPTS - 1
    assert sum(report.failed for report in reports) == 1
    item = stored()
    assert item.status == FAILED
    assert item.attempts == MAX_ATTEMPTS
    assert item.last_error == f"failure {MAX_ATTEMPTS}"


@pytest.mark.usefixtures("aws")
def test_a_message_that_succeeds_on_the_last_try_is_sent(
    settings: Settings, clock: FakeClock
) -> None:
    sender = FlakySender(failures=MAX_ATTEMPTS - 1)
    mail = mail_service(settings, clock, sender)
    queue(mail)
    for _ in range(MAX_ATTEMPTS + 2):
        mail.drain()
        clock.advance(minutes=30)
    assert stored().status == SENT
    assert len(sender.delivered) == 1


@pytest.mark.usefixtures("aws")
def test_a_permanent_failure_fails_at_once(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender(failures=1, error=PermanentSendError)
    mail = mail_service(settings, clock, sender)
    queue(mail)
    report = mail.drain()
    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    item = stored()
    assert item.status == FAILED
    assert item.attempts == 1
    clock.advance(days=1)
    assert mail.drain() == type(report)()
    assert mail.deliver(KEY) is False
    assert sender.calls == 1
    assert sender.delivered == []


@pytest.mark.usefixtures("aws")
def test_an_email_given_up_keeps_its_envelope_and_subject_for_90_days_not_its_body(
    settings: Settings, clock: FakeClock
) -> None:
    mail = mail_service(settings, clock, FlakySender(failures=1, error=PermanentSendError))
    queue(mail)
    assert stored().raw != ""

    mail.drain()

    record = OutboxRecord.get(KEY)
    assert record.status == FAILED
    assert record.raw == ""  # its links and the other person's details go with it
    assert record.subject  # what the person's export lists
    assert record.expires_at == clock() + timedelta(days=90)  # DynamoDB's TTL deletes it


@pytest.mark.usefixtures("aws")
def test_nothing_is_ever_sent_twice(settings: Settings, clock: FakeClock) -> None:
    sender = FlakySender(failures=2)
    mail = mail_service(settings, clock, sender)
    for n in range(4):
        queue(mail, key=f"k{n}", to=f"p{n}@example.org")
    for _ in range(5):
        mail.drain()
        mail.deliver("k0")
        queue(mail, key="k1", to="p1@example.org")
        clock.advance(minutes=7)
    recipients = [recipient for recipient, _ in sender.delivered]
    assert sorted(recipients) == [f"p{n}@example.org" for n in range(4)]
    assert all(stored(f"k{n}").status == SENT for n in range(4))
