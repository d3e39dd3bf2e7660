"""The outbox function and its drainer: SES's rate, retries through throttling, failure reports."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

import functions.matching_round
import functions.outbox
import portal.services.mail as mail_module
from portal.catalog.programs import load_program
from portal.container import Services
from portal.domain.addresses import address_digest
from portal.mail.senders import PermanentSendError, SesSender, TransientSendError
from portal.persistence.outbox import FAILED, SENT, OutboxRepository
from portal.persistence.tables import OutboxRecord
from portal.services.mail import MAX_ATTEMPTS
from tests.conftest import CONTENT, REGION, FakeClock, parse
from tests.factories import queue_confirmations, seed_demo_people
from tests.functions.conftest import scheduled_event

MONDAY_NINE = "2026-03-02T09:00:00Z"
DEMO = load_program(CONTENT / "programs" / "demo.md")


def message_ids() -> dict[str, str]:
    """Outbox key -> Message-ID of every queued (not yet sent) message."""
    return {
        record.key: parse(record.raw)["Message-ID"]
        for record in OutboxRecord.scan()
        if record.status != SENT
    }


# SES throttling 30% of the calls


def test_ses_throttling_30_percent_of_calls_loses_nothing_and_sends_nothing_twice(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    ses = boto3.client("ses", region_name=REGION)
    ses.verify_domain_identity(Domain="example.org")
    rng = random.Random(2026)
    throttled = 0

    def throttle(request: Any, **kwargs: Any) -> None:
        nonlocal throttled
        if rng.random() < 0.3:
            throttled += 1
            raise ClientError(
                {
                    "Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "SendRawEmail",
            )

    # Before moto's own handler, inside botocore's send loop: SES itself seems to refuse.
    ses.meta.events.register_first("before-send.ses.SendRawEmail", throttle)
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    already_sent = len(backend.sent_messages)
    portal = lambda_services(SesSender(ses))
    seed_demo_people(portal, DEMO, clock(), mentors=10, mentees=10)
    event = scheduled_event(MONDAY_NINE)
    outcome = functions.matching_round.handler(event, None)["rounds"]
    (demo,) = [o for o in outcome if o["program"] == "demo"]
    queued = message_ids()
    assert len(queued) == demo["emails"] == 2 * demo["pairs"] + 1

    reports = []
    for _ in range(MAX_ATTEMPTS + 2):
        reports.append(functions.outbox.handler(event, None))
        clock.advance(minutes=17)  # past the longest backoff (16 minutes)

    # Each email is sent once: one call each, and one more for each refusal. The seeded
    # throttle refuses 7 of the calls it takes to send the 21 emails (10 pairs, the summary).
    assert len(queued) == 21
    assert throttled == failures_before(len(queued), seed=2026) == 7
    assert sum(r["retrying"] for r in reports) == throttled
    assert sum(r["failed"] for r in reports) == 0
    assert sum(r["sent"] for r in reports) == len(queued)
    delivered = {parse(m.raw_data)["Message-ID"]: m for m in backend.sent_messages[already_sent:]}
    assert len(delivered) == len(backend.sent_messages) - already_sent  # nothing sent twice
    assert set(delivered) == set(queued.values())  # and nothing lost
    by_key = {record.key: record for record in OutboxRecord.scan()}
    assert set(by_key) == set(queued)
    for key, record in by_key.items():
        assert record.status == SENT, key
        assert set(delivered[queued[key]].destinations) == {record.recipient}
    assert sum(int(record.attempts) for record in by_key.values()) == len(queued) + throttled


def failures_before(successes: int, seed: int, rate: float = 0.3) -> int:
    """How many draws of a seeded coin fall under `rate` before `successes` draws do not."""
    coin = random.Random(seed)
    failures = 0
    while successes:
        if coin.random() < rate:
            failures += 1
        else:
            successes -= 1
    return failures


@dataclass
class CoinSender:
    """Refuses a seeded random share of calls with a TransientSendError, delivers the rest."""

    failure_rate: float
    seed: int
    calls: int = 0
    delivered: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def send(self, recipient: str, raw: str) -> str:
        self.calls += 1
        if self.rng.random() < self.failure_rate:
            raise TransientSendError("Throttling")
        self.delivered.append((recipient, raw))
        return f"coin:{self.calls}"


def test_a_sender_failing_30_percent_of_calls_delivers_every_email_once(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = CoinSender(failure_rate=0.3, seed=7)
    monkeypatch.setattr(services.mail, "sender", sender)
    keys = queue_confirmations(services, 20)
    queued = message_ids()

    for _ in range(MAX_ATTEMPTS + 2):
        services.mail.drain(per_second=1000)
        clock.advance(minutes=17)

    # One call for each email and one more for each failure: the seeded coin fails 13 of them.
    assert sender.calls == len(keys) + failures_before(len(keys), seed=7) == 20 + 13
    sent_ids = Counter(parse(raw)["Message-ID"] for _, raw in sender.delivered)
    assert sent_ids == Counter(queued[key] for key in keys)
    assert all(OutboxRepository().get(key).status == SENT for key in keys)  # type: ignore[union-attr]


# SES's sending rate


class FakeTime:
    """A monotonic clock that only moves when the drainer sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("per_second", "total"), [(2, 4.5), (10, 0.9), (1, 9.0)])
def test_the_drainer_keeps_to_the_sending_rate(
    services: Services,
    mailbox: Any,
    monkeypatch: pytest.MonkeyPatch,
    per_second: float,
    total: float,
) -> None:
    fake = FakeTime()
    monkeypatch.setattr(mail_module, "time", SimpleNamespace(monotonic=fake.monotonic))
    sent_at: list[float] = []
    send = mailbox.send

    def timed(recipient: str, raw: str) -> str:
        sent_at.append(fake.now)
        return send(recipient, raw)

    monkeypatch.setattr(mailbox, "send", timed)
    queue_confirmations(services, 10)

    report = services.mail.drain(per_second=per_second, sleep=fake.sleep)

    assert report.sent == 10
    assert sum(fake.slept) == pytest.approx(total)
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent_at)]
    assert min(gaps) == pytest.approx(1 / per_second)


def test_the_outbox_function_drains_at_the_configured_rate(
    lambda_services: Callable[..., Services], mailbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_MAIL_RATE", "1000")
    portal = lambda_services()
    queue_confirmations(portal, 3)
    assert functions.outbox.handler(scheduled_event(), None) == {
        "sent": 3,
        "retrying": 0,
        "failed": 0,
    }
    assert functions.outbox.handler(scheduled_event(), None) == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
    }
    assert sorted(recipient for recipient, _ in mailbox.sent) == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
    ]


def test_the_deliver_command_sends_the_one_message_it_names_once(
    lambda_services: Callable[..., Services], mailbox: Any
) -> None:
    portal = lambda_services()
    first, second = queue_confirmations(portal, 2)
    # The event Zappa hands the function when a request's courier invoked it.
    event = {"command": "functions.outbox.deliver", "key": first}
    assert functions.outbox.deliver(event, None) == {"sent": True}
    assert functions.outbox.deliver(event, None) == {"sent": False}  # sent already: skipped
    assert [recipient for recipient, _ in mailbox.sent] == ["person0@example.org"]
    assert portal.mail.outbox.due_keys(portal.clock(), 10) == [second]
    assert functions.outbox.deliver({"command": "functions.outbox.deliver"}, None) == {
        "sent": False,
        "error": "the event names no outbox key",
    }


# Messages that cannot be delivered


@dataclass
class RefusingSender:
    """Refuses some addresses with the given error, delivers to the rest."""

    refuse: set[str]
    error: type[Exception] = PermanentSendError
    attempts: Counter[str] = field(default_factory=Counter)
    delivered: list[tuple[str, str]] = field(default_factory=list)

    def send(self, recipient: str, raw: str) -> str:
        self.attempts[recipient] += 1
        if recipient in self.refuse:
            raise self.error("MessageRejected")
        self.delivered.append((recipient, raw))
        return f"ok:{len(self.delivered)}"


ORGANIZERS = ("organizer@example.org", "deputy@example.org")


@pytest.mark.parametrize(
    ("error", "drains"),
    [(PermanentSendError, 1), (TransientSendError, MAX_ATTEMPTS)],
    ids=["refused", "gave-up-after-retries"],
)
def test_an_undeliverable_email_is_reported_once_to_each_organizer(
    services: Services,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    error: type[Exception],
    drains: int,
) -> None:
    # The deputy's own mailbox refuses too: their report fails, and is not reported in turn.
    sender = RefusingSender(refuse={"person0@example.org", "deputy@example.org"}, error=error)
    monkeypatch.setattr(services.mail, "sender", sender)
    monkeypatch.setattr(services.mail, "organizers_of", lambda slug: ORGANIZERS)
    (key,) = queue_confirmations(services, 1)

    for _ in range(2 * drains + 4):
        services.mail.drain(per_second=1000)
        clock.advance(minutes=17)

    assert OutboxRepository().get(key).status == FAILED  # type: ignore[union-attr]
    assert sender.attempts["person0@example.org"] == drains
    keys = {record.key: record for record in OutboxRecord.scan()}
    assert set(keys) == {
        key,
        f"failed:{key}:{address_digest('organizer@example.org')}",
        f"failed:{key}:{address_digest('deputy@example.org')}",
    }
    assert keys[f"failed:{key}:{address_digest(ORGANIZERS[0])}"].status == SENT
    assert keys[f"failed:{key}:{address_digest(ORGANIZERS[1])}"].status == FAILED
    assert not any(k.startswith("failed:failed:") for k in keys)
    (report,) = [parse(raw) for to, raw in sender.delivered if to == "organizer@example.org"]
    assert report["Subject"] == "An email to person0@example.org could not be delivered"
    assert [to for to, _ in sender.delivered] == ["organizer@example.org"]


def test_each_drain_logs_one_json_line_for_the_failures_alarm(
    lambda_services: Callable[..., Services],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # infrastructure/template.yaml's metric filter reads {"outbox": {"failed": n}} lines.
    portal = lambda_services(RefusingSender(refuse={"person1@example.org"}))
    queue_confirmations(portal, 2)

    functions.outbox.handler(scheduled_event(), None)

    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [json.loads(line) for line in lines] == [
        {"outbox": {"sent": 1, "retrying": 0, "failed": 1}}
    ]


@pytest.mark.parametrize(
    ("rate", "most"),
    [(1, 240), (0.5, 120), (10, 500), (1000, 500), (0.001, 1)],
    ids=["sandbox", "slower", "production", "fast", "trickle"],
)
def test_a_run_sends_no_more_than_fits_in_four_minutes(rate: float, most: int) -> None:
    # Lambda stops the function at 300 s; at SES's rate a run must end well before.
    assert functions.outbox.per_run(rate) == most
    assert functions.outbox.per_run(rate) / rate <= 240 or most == 1


def test_the_outbox_function_stops_at_its_share_of_the_queue(
    lambda_services: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(functions.outbox, "SENDING_SECONDS", 0.003)  # 3 emails at 1,000 a second
    portal = lambda_services()
    queue_confirmations(portal, 5)

    first = functions.outbox.handler(scheduled_event(), None)
    second = functions.outbox.handler(scheduled_event(), None)

    assert (first["sent"], second["sent"]) == (3, 2)
