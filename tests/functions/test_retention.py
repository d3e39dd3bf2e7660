"""functions.retention: the daily run as EventBridge starts it, its one log line and its error."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import timedelta

import pytest

import functions.retention
from portal.container import Services
from portal.services.erasure import ErasureService
from tests.conftest import FakeClock
from tests.factories import pair
from tests.functions.conftest import scheduled_event

PAST = timedelta(weeks=12, days=366)  # demo's cycle and retention_days, and a day


def test_the_handler_takes_event_and_context() -> None:
    parameters = list(inspect.signature(functions.retention.handler).parameters)
    assert parameters == ["event", "context"]


def test_a_scheduled_run_erases_at_the_events_time_and_logs_one_line_of_counts(
    lambda_services: Callable[..., Services], clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    portal = lambda_services()
    match = pair(portal, "Ann", "Bob", clock())
    time = (clock() + PAST).strftime("%Y-%m-%dT03:00:00Z")

    report = functions.retention.handler(scheduled_event(time), None)

    assert (report["people"], report["failed"]) == (2, 0)
    assert report["at"].startswith((clock() + PAST).strftime("%Y-%m-%d"))
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "retention" in line]
    assert json.loads(line) == {"retention": report}
    assert match.mentee not in line
    assert match.mentee_id not in line
    assert portal.participants.get("demo", match.mentee) is None
    # Delivered twice: nothing more to remove.
    again = functions.retention.handler(scheduled_event(time), None)
    assert again["people"] == 0


def test_without_a_time_the_run_reads_the_services_clock(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    pair(portal, "Ann", "Bob", clock())

    assert functions.retention.handler({}, None)["people"] == 0
    clock.advance(weeks=12, days=366)
    assert functions.retention.handler({}, None)["people"] == 2


def test_a_person_whose_erasure_fails_makes_the_run_fail_after_the_others(
    lambda_services: Callable[..., Services],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    portal = lambda_services()
    pair(portal, "Ann", "Bob", clock())
    real = ErasureService.erase

    def erase(self: ErasureService, email: str) -> object:
        if email.startswith("ann"):
            raise RuntimeError("the database went away")
        return real(self, email)

    monkeypatch.setattr(ErasureService, "erase", erase)
    event = scheduled_event((clock() + PAST).strftime("%Y-%m-%dT03:00:00Z"))

    with pytest.raises(functions.retention.RetentionFailedError, match="could not erase 1 person"):
        functions.retention.handler(event, None)

    assert '"people": 1' in capsys.readouterr().out  # Bob was erased all the same
    assert portal.participants.get("demo", "bob@example.org") is None
    monkeypatch.setattr(ErasureService, "erase", real)
    assert functions.retention.handler(event, None)["people"] == 1  # the next run finishes
