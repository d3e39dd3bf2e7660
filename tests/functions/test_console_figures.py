"""functions.console_figures: the hourly run stores every program's figures for the console."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import functions.console_figures
from portal.container import Services
from tests.conftest import FakeClock
from tests.factories import pair
from tests.functions.conftest import scheduled_event


def test_the_handler_takes_event_and_context() -> None:
    parameters = list(inspect.signature(functions.console_figures.handler).parameters)
    assert parameters == ["event", "context"]


def test_an_hourly_run_stores_each_programs_figures_and_the_next_replaces_them(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    for n in range(3):
        pair(portal, f"Mentor{n}", f"Mentee{n}", clock())

    report = functions.console_figures.handler(scheduled_event(), None)

    programs = {item["program"]: item["status"] for item in report["figures"]}
    assert programs == {p.slug: "computed" for p in portal.programs}
    stored = portal.figures.store.get("demo")
    assert stored is not None
    assert stored.computed_at == clock()
    funnel = {step["step"]: step["value"] for step in stored.figures["funnel"]}
    assert funnel["signed-up"] == 6
    assert funnel["active"] == 6

    clock.advance(hours=1)
    pair(portal, "Mentor9", "Mentee9", clock())
    functions.console_figures.handler(scheduled_event(), None)
    again = portal.figures.store.get("demo")
    assert again is not None
    assert again.computed_at == clock()
    assert {s["step"]: s["value"] for s in again.figures["funnel"]}["signed-up"] == 8
