"""The reminders and summaries functions, called as Zappa calls them with recorded events."""

from __future__ import annotations

import inspect
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import functions.outbox
import functions.reminders
import functions.summaries
import portal.runtime as runtime
from portal.container import Services
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord
from portal.services.reminders import ReminderService
from tests.conftest import ROOT, FakeClock
from tests.factories import pair
from tests.functions.conftest import scheduled_event

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HANDLERS = {
    "functions.reminders.handler": functions.reminders.handler,
    "functions.summaries.handler": functions.summaries.handler,
}


def event_for(path: str, time: str | None = None) -> dict[str, Any]:
    """The recorded scheduled event, as the rule of `path` would deliver it."""
    event = scheduled_event(time)
    (rule,) = event["resources"]
    event["resources"] = [f"{rule.rsplit('-', 1)[0]}-{path}"]
    return event


@pytest.mark.parametrize("path", sorted(HANDLERS))
def test_each_handler_takes_exactly_event_and_context_and_is_scheduled(path: str) -> None:
    handler = HANDLERS[path]
    parameters = list(inspect.signature(handler).parameters.values())
    assert [p.name for p in parameters] == ["event", "context"]
    assert all(p.default is inspect.Parameter.empty for p in parameters)
    # Zappa routes by what follows the rule name's last "-": the path must be importable.
    routed = event_for(path)["resources"][0].rsplit("-", 1)[1]
    module, name = routed.rsplit(".", 1)
    assert getattr(__import__(module, fromlist=[name]), name) is handler
    settings = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))
    scheduled = {
        e["function"]: e["expression"] for e in settings["dev"]["events"] if "expression" in e
    }
    assert path in scheduled


def test_the_reminders_run_on_every_hour_and_the_summaries_check_every_hour() -> None:
    settings = json.loads((ROOT / "zappa_settings.json").read_text(encoding="utf-8"))
    scheduled = {
        e["function"]: e["expression"] for e in settings["dev"]["events"] if "expression" in e
    }
    assert scheduled["functions.reminders.handler"] == "cron(0 * * * ? *)"
    assert scheduled["functions.summaries.handler"] == "rate(1 hour)"


def test_a_reminder_event_delivered_twice_sends_each_reminder_once(
    lambda_services: Callable[..., Services], clock: FakeClock, mailbox: MemorySender
) -> None:
    portal = lambda_services()
    pair(portal, "Maria", "Tom", START)
    event = event_for("functions.reminders.handler", "2026-03-16T07:00:00Z")  # day 14
    clock.now = runtime.event_time(event)

    first = functions.reminders.handler(event, None)
    clock.advance(seconds=30)
    second = functions.reminders.handler(event, None)
    functions.outbox.handler(event, None)

    by_program = {o["program"]: o for o in first["reminders"]}
    assert by_program["demo"]["queued"] == {"checkin_reminder": 2}
    assert {o["program"]: o["queued"] for o in second["reminders"]}["demo"] == {}
    assert Counter(to for to, _ in mailbox.sent) == {"maria@example.org": 1, "tom@example.org": 1}
    assert all(str(m["Subject"]).startswith("How is it going with") for _, m in mailbox.sent)


def test_the_recorded_wednesday_event_reminds_nobody_too_early(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    event = event_for("functions.reminders.handler")  # 2026-11-25T07:00:00Z as recorded
    clock.now = runtime.event_time(event)
    pair(portal, "Maria", "Tom", datetime(2026, 11, 16, 9, tzinfo=UTC))  # nine days ago

    result = functions.reminders.handler(event, None)

    assert {o["program"]: o for o in result["reminders"]}["demo"]["queued"] == {}
    assert OutboxRecord.count() == 0


def test_a_failed_program_fails_the_invocation_after_the_others_ran(
    lambda_services: Callable[..., Services],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portal = lambda_services()
    pair(portal, "Maria", "Tom", START)
    original = ReminderService.remind_program

    def broken(self: ReminderService, program: Any, now: datetime, **options: Any) -> Any:
        if program.slug == "peer-circles":
            raise RuntimeError("template broken")
        return original(self, program, now, **options)

    monkeypatch.setattr(ReminderService, "remind_program", broken)
    event = event_for("functions.reminders.handler", "2026-03-16T07:00:00Z")
    clock.now = runtime.event_time(event)

    with pytest.raises(functions.reminders.RemindersFailedError, match="peer-circles"):
        functions.reminders.handler(event, None)
    assert OutboxRecord.count() == 2  # demo's reminders were queued all the same


def test_hourly_summary_events_send_the_demo_summary_once_on_friday_morning(
    lambda_services: Callable[..., Services], clock: FakeClock, mailbox: MemorySender
) -> None:
    portal = lambda_services()
    pair(portal, "Maria", "Tom", START)
    outcomes: list[tuple[str, str, str]] = []
    for time in (
        "2026-03-05T08:00:00Z",  # Thursday: not due
        "2026-03-06T07:00:00Z",  # Friday, 07:00 in London: not yet
        "2026-03-06T08:00:00Z",  # 08:00 in London: due
        "2026-03-06T08:00:00Z",  # the same event again
        "2026-03-06T09:00:00Z",  # the next hour: sent already
    ):
        event = event_for("functions.summaries.handler", time)
        clock.now = runtime.event_time(event)
        for outcome in functions.summaries.handler(event, None)["summaries"]:
            if outcome["program"] == "demo":
                outcomes.append((time, outcome["status"], outcome["week_ending"]))
    functions.outbox.handler(event_for("functions.outbox.handler"), None)

    assert outcomes == [
        ("2026-03-06T08:00:00Z", "sent", "2026-03-06T0800Z"),
        ("2026-03-06T08:00:00Z", "repeated", "2026-03-06T0800Z"),
        ("2026-03-06T09:00:00Z", "repeated", "2026-03-06T0800Z"),
    ]
    summaries = [m for to, m in mailbox.sent if to == "organizer@example.org"]
    assert len(summaries) == 1
    assert summaries[0]["Subject"] == (
        "Demo: Tech Careers mentoring: week to Fri 6 Mar 2026, all quiet"
    )
