"""Issue 11's check of retention, on DynamoDB Local: with PORTAL_CLOCK past the program's cycle
plus its retention_days, `portal purge` shows and the retention function removes that
program's people, and nothing of the people still inside their period; a dump of every table
then holds neither the erased person's address, nor their name, nor their id."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

import functions.retention
from portal.cli import main
from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.matches import ACTIVATED
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.factories import pair, stored_person
from tests.integration.conftest import sign_up_as_mentee

pytestmark = pytest.mark.integration

BASE = "http://portal.test"
ROUND = "2026-03-02T0900Z"
GOAL = "Learn to give a conference talk"
# demo: cycle_weeks 12, retention_days 365 (content/programs/demo.md).
PAST_THE_PERIOD = timedelta(weeks=12, days=365 + 1)


def _dump() -> str:
    return json.dumps(table_snapshot(), sort_keys=True, default=str).lower()


def test_past_the_cycle_plus_retention_the_programs_people_go_and_later_ones_stay(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    command_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = clock()
    # Ada signs up and confirms, is matched with Max, checks in and adds a goal.
    assert sign_up_as_mentee(client).status_code == 200
    (link,) = [u for u in links_in(mailbox.sent[0][1]) if "/confirm/" in u]
    form = client.get(link.removeprefix(BASE))
    confirmed = client.post(link.removeprefix(BASE), data={"csrf_token": csrf_token(form.text)})
    assert confirmed.status_code == 200
    ada = services.participants.get("demo", "ada@example.org")
    assert ada is not None
    max_ = stored_person("Max", Role.MENTOR, start)
    services.participants.save(max_)
    assert (
        services.rounds.matches.activate(
            "demo",
            ROUND,
            mentor=max_.email,
            mentee=ada.email,
            mentor_capacity=1,
            mentee_capacity=1,
            score=80,
            reasons=(),
            now=start,
        )
        == ACTIVATED
    )
    (match,) = services.rounds.matches.for_person("demo", ada.email)
    services.checkins.add_goal("demo", match.match_id, ada.email, GOAL)
    services.checkins.record("demo", match.match_id, ada.email, CheckinAnswers(met=True))
    services.mail.drain(per_second=1000)
    # 200 days later Cat and Dan are matched: at the purge they are inside their period.
    clock.advance(days=200)
    later = pair(services, "Cat", "Dan", clock())
    gone = [ada.email, ada.name.lower(), ada.participant_id, max_.email, max_.participant_id]
    kept = [later.mentor, later.mentee, later.mentor_id, later.mentee_id, "cat example"]
    dump = _dump()
    assert [t for t in gone + kept if t not in dump] == []

    monkeypatch.setenv("PORTAL_CLOCK", (start + PAST_THE_PERIOD).isoformat())
    dry = CliRunner().invoke(main, ["purge"])
    assert dry.exit_code == 0, dry.output
    assert "      2  people past the retention period of every program" in dry.output
    assert _dump() == dump  # a dry run

    report = functions.retention.handler({}, None)

    assert (report["people"], report["matches_completed"], report["failed"]) == (2, 1, 0)
    dump = _dump()
    assert [t for t in gone if t in dump] == []
    assert GOAL.lower() not in dump
    assert [t for t in kept if t not in dump] == []
    stays = services.rounds.matches.get("demo", later.match_id)
    assert stays is not None
    assert stays.holds_places
    again = CliRunner().invoke(main, ["purge", "--apply"])
    assert "      0  people past the retention period of every program" in again.output
