"""No console page reads a table by Scan: every DynamoDB call an organizer's page makes is a
GetItem, a Query or a write on keys (issue 13: a Scan grows with the whole table, the pages must
not). Each call is seen where every PynamoDB request goes through: botocore's _make_api_call."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.client import BaseClient
from flask.testing import FlaskClient

from portal.container import Services
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock, csrf_token
from tests.factories import seed_demo_people
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer

CONSOLE = "/organize/programs/demo"
PAGES = [
    "/organize/",
    CONSOLE,
    f"{CONSOLE}/people",
    f"{CONSOLE}/people?q=a&role=mentee&status=confirmed",
    f"{CONSOLE}/matches",
    f"{CONSOLE}/round",
    f"{CONSOLE}/network",
    f"{CONSOLE}/exports",
    f"{CONSOLE}/summary",
    f"{CONSOLE}/costs",
    f"{CONSOLE}/audit",
    f"{CONSOLE}/status",
    f"{CONSOLE}/status/close",
    f"{CONSOLE}/import",
]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every DynamoDB operation made while the test runs, counted by name."""
    seen: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            seen[operation] += 1
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return seen


@pytest.fixture
def demo(services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender) -> str:
    """The demo program after a round, a check-in, and a signed-in organizer; a person's page."""
    seed_demo_people(services, "demo", clock())
    program = services.programs.get("demo")
    assert program is not None
    assert services.rounds.run(program, "2026-03-02T0900Z", trigger="test").status == "done"
    match = next(iter(services.participation.matches.for_program("demo")))
    clock.advance(days=7)
    services.checkins.record(
        "demo", match.match_id, match.mentee, CheckinAnswers(met=True, satisfaction=4)
    )
    sign_in_as_organizer(client, mailbox)
    people = parse(client.get(f"{CONSOLE}/people").text)
    return str(people.find_all("table")[0].one("tbody").find_all("a")[0].get("href"))


def test_no_console_page_scans_a_table(client: FlaskClient, demo: str, calls: Counter[str]) -> None:
    for path in [*PAGES, demo]:
        calls.clear()
        response = client.get(path)
        assert response.status_code == 200, path
        assert calls, f"{path} read nothing: the hook saw no call"
        assert "Scan" not in calls, f"{path} scanned a table: {dict(calls)}"


def test_no_export_or_refresh_scans_a_table(
    client: FlaskClient, demo: str, calls: Counter[str]
) -> None:
    page = client.get(f"{CONSOLE}/exports").text
    for kind in ("participants", "matches", "checkins"):
        calls.clear()
        response = client.post(
            f"{CONSOLE}/exports/{kind}.csv",
            data={"csrf_token": csrf_token(page), "columns": "all"},
        )
        assert response.status_code == 200
        assert len(response.get_data()) > 100  # streamed to the end: every page read
        assert calls["Query"] >= 1, kind
        assert "Scan" not in calls, f"{kind}.csv scanned a table: {dict(calls)}"

    calls.clear()
    refreshed = client.post(f"{CONSOLE}/figures", data={"csrf_token": csrf_token(page)})
    assert refreshed.status_code == 302
    assert calls["Query"] >= 1
    assert "Scan" not in calls, f"the refresh scanned a table: {dict(calls)}"
