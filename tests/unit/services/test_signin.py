"""Requests for a sign-in link: the same work whatever the address, counted with what they store."""

from __future__ import annotations

from dataclasses import replace

from portal.container import Services, build_services
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from portal.persistence.tables import LimitRecord, OutboxRecord, TokenRecord
from portal.services.limits import Refusal
from portal.settings import Settings
from tests.conftest import FakeClock, table_snapshot
from tests.factories import stored_person

SOURCE = "198.51.100.7"
# The reads are made at once, on several threads: their order varies.
SIGN_IN_WORK = sorted(
    [
        "dynamodb:Query",  # the address's programs
        "dynamodb:GetItem",  # its sign-up there (or one that cannot exist)
        "dynamodb:GetItem",  # the address's suppression
        "dynamodb:GetItem",  # its language as an organizer, read for every address
        "dynamodb:TransactWriteItems",  # the counters, and the link and the email if any
    ]
)


def test_every_request_does_the_same_work_whatever_the_address(
    services: Services, clock: FakeClock, operations: list[str]
) -> None:
    """Known, unknown, pending, left or an organizer: the same reads, one transaction, one key
    handed on."""
    handed: list[str] = []
    services.mail.courier = handed.append  # as on AWS: sent by another invocation
    for name, status in [("Kim", Status.CONFIRMED), ("Pat", Status.PENDING), ("Lee", Status.LEFT)]:
        someone = stored_person(name, Role.MENTEE, clock())
        services.participants.save(replace(someone, status=status))

    work = {}
    addresses = [
        "kim@example.org",
        "nobody@example.org",
        "pat@example.org",
        "lee@example.org",
        "organizer@example.org",  # the demo program's organizer, signed up nowhere
    ]
    for address in addresses:
        operations.clear()
        handed.clear()
        assert services.signin.request(address, address, SOURCE) is None
        work[address] = (sorted(operations), len(handed))

    assert work["kim@example.org"] == (SIGN_IN_WORK, 1)
    assert all(done == work["kim@example.org"] for done in work.values()), work
    # Only the two with a page and the organizer got a link and an email.
    assert sorted(item.recipient for item in OutboxRecord.scan()) == [
        "kim@example.org",
        "lee@example.org",
        "organizer@example.org",
    ]
    assert sorted((t.purpose, t.program) for t in TokenRecord.scan()) == [
        ("me", "demo"),
        ("me", "demo"),
        ("organize", "*"),
    ]


def test_a_request_its_limits_refuse_stores_nothing(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    settings = settings.with_overrides(signups_per_source=(5, 100), signups_per_address=(1, 10))
    services = build_services(settings, clock=clock, sender=mailbox)
    services.participants.save(stored_person("Kim", Role.MENTEE, clock()))
    assert services.signin.request("kim@example.org", "kim@example.org", SOURCE) is None
    before = table_snapshot()
    mailbox.sent.clear()

    refusal = services.signin.request("kim@example.org", "kim@example.org", "203.0.113.9")

    assert isinstance(refusal, Refusal)
    assert refusal.limit.name == "signup-recipient-1h"
    assert table_snapshot() == before  # no link, no email, no counter taken
    assert mailbox.sent == []
    assert LimitRecord.count() == 4
