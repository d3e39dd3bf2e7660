"""Issue 13's checks of the organizer console, on DynamoDB Local, with the demo program and a
round: the organizer signs in from the emailed link, the console's funnel agrees with
`portal participants`, the CSV exports parse with the right row counts, ending a match from
the console emails both people and frees both places, and another program's console is
refused."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from portal.cli import main
from portal.container import Services
from portal.domain.checkins import match_ref
from portal.domain.matches import MatchState
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token
from tests.factories import seed_demo_people
from tests.integration.conftest import sign_up_as_mentee
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

pytestmark = pytest.mark.integration

BASE = "http://portal.test"
CONSOLE = "/organize/programs/demo"


@pytest.fixture
def demo_after_a_round(services: Services, clock: FakeClock) -> int:
    """The demo program's 40 people, and a round that matched them; how many pairs it made."""
    seed_demo_people(services, "demo", clock())
    program = services.programs.get("demo")
    assert program is not None
    outcome = services.rounds.run(program, clock().strftime("%Y-%m-%dT%H%MZ"), trigger="test")
    assert outcome.status == "done", outcome
    services.mail.drain(per_second=1000)
    return len(list(services.participation.matches.for_program("demo")))


def export(client: FlaskClient, kind: str) -> list[dict[str, str]]:
    page = client.get(f"{CONSOLE}/exports")
    assert page.status_code == 200
    response = client.post(
        f"{CONSOLE}/exports/{kind}.csv",
        data={"csrf_token": csrf_token(page.text), "columns": "default"},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def funnel(html: str) -> dict[str, str]:
    """The glance page's funnel table: each step and its figure."""
    (table,) = [t for t in parse(html).find_all("table") if "The funnel" in t.text]
    return {
        row.one("th").text.strip(): row.one("td").text.strip() for row in table.find_all("tr")[1:]
    }


def test_the_console_funnel_agrees_with_portal_participants(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    demo_after_a_round: int,
    command_env: None,
) -> None:
    sign_in_as_organizer(client, mailbox)
    first = client.get(CONSOLE)  # no figures stored yet: computed now
    assert first.status_code == 200
    assert sign_up_as_mentee(client).status_code == 200  # one more, not yet confirmed

    refreshed = client.post(
        f"{CONSOLE}/figures", data={"csrf_token": csrf_token(first.text)}, follow_redirects=True
    )

    listed = CliRunner().invoke(main, ["participants", "--program", "demo", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    confirmed = [r for r in rows if r["confirmed"] is not None or r["status"] != "pending"]
    shown = funnel(refreshed.text)
    assert shown["Signed up"] == str(len(rows)) == "41"
    assert shown["Confirmed their email"] == str(len(confirmed)) == "40"
    assert shown["Matched"] == str(2 * demo_after_a_round)


def test_the_organizer_exports_ends_a_match_and_is_kept_to_their_program(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    demo_after_a_round: int,
) -> None:
    pairs = demo_after_a_round
    assert pairs > 0
    sign_in_as_organizer(client, mailbox)

    # The exports parse, a row per person and per match.
    people = export(client, "participants")
    assert len(people) == len(services.participation.people("demo")) == 40
    assert {p["Status"] for p in people} == {"confirmed"}
    matches = export(client, "matches")
    assert len(matches) == pairs
    assert export(client, "checkins") == []  # nobody has checked in yet

    # Ending a match from the console: both are emailed and both places are freed.
    match = next(m for m in services.participation.matches.for_program("demo"))
    before = {
        email: services.participants.get("demo", email) for email in (match.mentor, match.mentee)
    }
    mailbox.sent.clear()
    end = f"{CONSOLE}/matches/{match_ref(match.match_id)}/end"
    confirm = client.get(end)
    assert confirm.status_code == 200
    done = client.post(
        end,
        data={"csrf_token": csrf_token(confirm.text), "seen": "active", "reason": "Asked by HR"},
    )
    assert done.status_code == 302
    stored = services.participation.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.status is MatchState.ENDED
    for email, was in before.items():
        now = services.participants.get("demo", email)
        assert was is not None
        assert now is not None
        assert now.status is Status.CONFIRMED
        assert now.active_matches == was.active_matches - 1
    services.mail.drain(per_second=1000)
    assert sorted(to for to, _ in mailbox.sent) == sorted([match.mentor, match.mentee])
    assert all(m["Subject"] for _, m in mailbox.sent)

    # Each console action is in the audit log: three exports and the ended match.
    # (The test's clock stands still, so the four share one time: compare them unordered.)
    actions = sorted(entry.action for entry, _ in services.audit.page("demo").rows)
    assert actions == ["end_match", "export", "export", "export"]
    assert {entry.organizer for entry, _ in services.audit.page("demo").rows} == {DEMO_ORGANIZER}

    # Another program's console is refused.
    for path in (
        "/organize/programs/leaders-group/people",
        "/organize/programs/leaders-group/matches",
    ):
        assert client.get(path).status_code == 404
