"""Each function run adds what it counted to the usage table; the hourly run keeps the counts."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pytest

import functions
import functions.outbox
import functions.reminders
from portal.container import Services
from portal.persistence.tables import UsageRecord
from portal.persistence.usage import METER, UsageStore
from tests.conftest import FakeClock
from tests.functions.conftest import scheduled_event


@pytest.fixture(autouse=True)
def _meter_from_nothing(aws: None) -> None:
    METER.take()


def test_the_hourly_run_stores_its_invocation_and_units_in_its_hours_item(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    services = lambda_services()
    services.participants.count("demo")  # database work of this container before the run
    event = scheduled_event("2026-03-02T09:00:00Z")
    functions.reminders.handler(event, None)
    stored, hours = UsageStore().month("2026-03")
    assert (stored.invocations, stored.requests, hours) == (1, 0, 1)
    assert stored.function_ms >= 1  # a run takes at least its first millisecond
    assert stored.read_units > 0  # the reminder run's Queries, and the count before it
    assert METER.peek().invocations == 0  # nothing left in memory to store again

    # The same event delivered again: its second run is counted, the first not again (three
    # invocations if the first run's counts had stayed in memory and been stored twice).
    functions.reminders.handler(event, None)
    stored, _ = UsageStore().month("2026-03")
    assert stored.invocations == 2
    assert [item.hour for item in UsageRecord.query("2026-03")] == ["2026-03-02T09"]


def test_a_failed_run_is_counted_too(
    lambda_services: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = lambda_services()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the outbox is unreachable")

    monkeypatch.setattr(services.mail, "drain", broken)
    with pytest.raises(RuntimeError):
        functions.outbox.handler(scheduled_event("2026-03-02T09:05:00Z"), None)
    assert UsageStore().month("2026-03")[0].invocations == 1


def test_every_lambda_entry_point_is_metered() -> None:
    """The costs page counts every function's invocations and time: each handler in
    functions/ goes through portal.runtime.metered (functools.wraps leaves __wrapped__)."""
    handlers = {
        info.name: importlib.import_module(f"functions.{info.name}").handler
        for info in pkgutil.iter_modules(functions.__path__)
    }
    assert len(handlers) >= 7
    unmetered = [name for name, handler in handlers.items() if not hasattr(handler, "__wrapped__")]
    assert unmetered == []
