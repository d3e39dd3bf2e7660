"""Counting the portal's own cost: DynamoDB units from the responses, and storing the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import PutError

from portal.container import Services
from portal.domain.costs import Usage
from portal.mail.catalog import Recipient
from portal.mail.senders import PermanentSendError
from portal.persistence.conditional import Put, transact
from portal.persistence.tables import LimitRecord, UsageRecord
from portal.persistence.usage import METER, UsageStore, units_used
from tests.conftest import FakeClock


@pytest.fixture
def meter_from_nothing(services: Services) -> None:
    """What earlier tests counted is not this test's."""
    METER.take()


def limit(key: str) -> LimitRecord:
    return LimitRecord(key, taken=1, expires_at=datetime(2026, 3, 3, tzinfo=UTC))


@pytest.mark.usefixtures("meter_from_nothing")
def test_database_requests_count_the_units_dynamodb_reports() -> None:
    limit("a").save()  # moto reports 1 unit for a small item
    LimitRecord.get("a")  # and half a unit for an eventually consistent read
    assert METER.take() == Usage(write_units=1.0, read_units=0.5)


@pytest.mark.usefixtures("meter_from_nothing")
def test_requests_that_report_no_units_count_by_the_items_they_name() -> None:
    limit("a").save()
    METER.take()
    # A refused conditional write: DynamoDB bills it, and reports no units.
    with pytest.raises(PutError):
        limit("a").save(condition=LimitRecord.key.does_not_exist())
    assert METER.take() == Usage(write_units=1.0)
    # moto reports no units for a transaction: two per item, as DynamoDB bills them.
    assert transact(Put(limit("b")), Put(limit("c"))) == {}
    assert METER.take() == Usage(write_units=4.0)


def test_the_counting_rule() -> None:
    assert units_used("Query", {}, {"ConsumedCapacity": {"CapacityUnits": 2.5}}) == Usage(
        read_units=2.5
    )
    batch = {"ConsumedCapacity": [{"CapacityUnits": 1.0}, {"CapacityUnits": 3.0}]}
    assert units_used("BatchWriteItem", {}, batch) == Usage(write_units=4.0)
    keys = {"RequestItems": {"t": {"Keys": [{}, {}, {}]}}}
    assert units_used("BatchGetItem", keys, {}) == Usage(read_units=3.0)
    throttled = {"Error": {"Code": "ProvisionedThroughputExceededException"}}
    assert units_used("PutItem", {}, throttled) == Usage()
    assert units_used("DescribeTable", {}, {}) == Usage()


@pytest.mark.usefixtures("meter_from_nothing")
def test_a_flush_stores_what_was_counted_once(services: Services, clock: FakeClock) -> None:
    usage = services.usage
    usage.request_served(0.0421)  # 43 ms, rounded up as Lambda bills
    usage.email_sent()
    flushed = usage.flush()
    assert (flushed.requests, flushed.invocations, flushed.function_ms, flushed.emails) == (
        1,
        1,
        43,
        1,
    )
    # A second flush adds only what was counted since: the flush's own write, nothing again.
    again = usage.flush()
    assert (again.requests, again.emails, again.function_ms) == (0, 0, 0)
    stored, hours = UsageStore().month("2026-03")
    assert (stored.requests, stored.invocations, stored.function_ms, stored.emails) == (
        1,
        1,
        43,
        1,
    )
    assert hours == 1
    # An hour later the counts go to the next hour's item; the month is their sum.
    clock.advance(hours=1)
    usage.invocation(1.0)
    usage.flush()
    stored, hours = UsageStore().month("2026-03")
    assert (stored.invocations, stored.function_ms, hours) == (2, 1043, 2)
    assert [i.hour for i in UsageRecord.query("2026-03")] == ["2026-03-02T09", "2026-03-02T10"]


@pytest.mark.usefixtures("meter_from_nothing")
def test_counts_a_failed_flush_could_not_store_wait_for_the_next(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = services.usage
    usage.email_sent()

    def down(*args: object) -> None:
        raise PutError("DynamoDB is unreachable")

    monkeypatch.setattr(usage.store, "add", down)
    assert usage.flush() == Usage()
    monkeypatch.undo()
    assert usage.flush().emails == 1
    assert UsageStore().month("2026-03")[0].emails == 1


@pytest.mark.usefixtures("meter_from_nothing")
def test_the_web_app_flushes_at_most_once_a_minute(services: Services) -> None:
    usage = services.usage
    seconds = [0.0]
    usage.monotonic = lambda: seconds[0]
    usage._last_flush = 0.0
    usage.email_sent()
    seconds[0] = 59.0
    usage.flush_if_due()
    assert UsageStore().month("2026-03")[1] == 0
    seconds[0] = 60.0
    usage.flush_if_due()
    assert UsageStore().month("2026-03")[0].emails == 1


@pytest.mark.usefixtures("meter_from_nothing")
def test_only_the_emails_the_sender_accepted_are_counted(services: Services) -> None:
    for key in ("a", "b"):
        assert services.mail.queue(
            f"confirm:demo:{key}:0",
            to=f"{key}@example.org",
            template="confirm_signup",
            recipient=Recipient.APPLICANT,
            context={
                "name": "Ada",
                "program": services.programs.get("demo"),
                "role": "mentee",
                "confirm_url": "http://portal.test/confirm/abcdefghijklmnopqrstuvwxyz",
                "expires_hours": 48,
            },
            program="demo",
        )
    services.mail.sender = Refusing(refuse="b@example.org")
    report = services.mail.drain(per_second=1000)
    assert (report.sent, report.failed) == (1, 1)
    assert METER.take().emails == 1


@dataclass
class Refusing:
    """Accepts every message but those to one address."""

    refuse: str

    def send(self, recipient: str, raw: str) -> str:
        if recipient == self.refuse:
            raise PermanentSendError("MessageRejected")
        return "ok"
