"""One program's corrupted data fails that program only: the scheduled functions run the others.

Each test damages the first program (by title, the demo) directly in the table, the way a
bug or a hand edit would, and runs the function as Zappa calls it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import boto3
import pytest

import functions.matching_round
import functions.reminders
import functions.summaries
import portal.runtime as runtime
from portal.container import Services
from portal.persistence.tables import MatchRecord, OutboxRecord, RoundRecord
from tests.conftest import REGION, FakeClock
from tests.factories import pair, seed_demo_people
from tests.functions.conftest import scheduled_event

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def round_without_a_creation_date(program: str, round_id: str) -> None:
    """What the organizers' approve route once wrote for a made-up round id."""
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=RoundRecord.Meta.table_name,
        Item={
            "program": {"S": program},
            "round_id": {"S": round_id},
            "status": {"S": "introduced"},
            "summary": {"S": '{"pairs": 0, "refused": 0}'},
            "updated_at": {"S": "2026-03-02T09:30:00.000000+0000"},
        },
    )


def drop_creation_date(program: str, match_id: str) -> None:
    """A match whose creation date was lost (a hand edit, a partial restore)."""
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=MatchRecord.Meta.table_name,
        Key={"program": {"S": program}, "match_id": {"S": match_id}},
        UpdateExpression="REMOVE created_at",
    )


def assert_logged_without_people(
    caplog: pytest.LogCaptureFixture, what: str, error: type[Exception]
) -> None:
    failures = [r for r in caplog.records if r.getMessage().startswith(what)]
    assert failures, f"no log line starts with {what!r}"
    for record in failures:
        text = record.getMessage()
        assert f"failed with {error.__name__}, raised at:" in text  # what failed, and where
        assert not ADDRESS.search(text), text


def test_a_round_without_a_creation_date_stops_only_its_own_programs_rounds(
    lambda_services: Callable[..., Services],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    portal = lambda_services()
    seed_demo_people(portal, "demo", clock(), mentors=3, mentees=3)
    seed_demo_people(portal, "peer-circles", clock(), peers=6)
    round_without_a_creation_date("demo", "not-a-round")
    # 14:00 UTC on Monday is 09:00 in New York: peer-circles' round is due; the demo's 09:00
    # round is looked for among its rounds, whose latest is the damaged one.
    event = scheduled_event("2026-03-02T14:00:00Z")
    clock.now = runtime.event_time(event)

    with pytest.raises(functions.matching_round.RoundsFailedError, match="demo"):
        functions.matching_round.handler(event, None)

    peers = portal.rounds.rounds.get("peer-circles", "2026-03-02T1400Z")
    assert peers is not None
    assert peers.status == "introduced"
    matched = [m for m in portal.rounds.matches.for_program("peer-circles") if m.status == "active"]
    assert len(matched) == 3  # its first six demo peers, in twos
    intros = [r.key for r in OutboxRecord.scan() if r.key.startswith("intro:peer-circles:")]
    assert len(intros) == 2 * len(matched)
    assert_logged_without_people(caplog, "round of demo failed", TypeError)


def test_a_match_without_a_creation_date_stops_only_that_pairs_reminders(
    lambda_services: Callable[..., Services],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    portal = lambda_services()
    damaged = pair(portal, "Ann", "Bob", START)
    drop_creation_date("demo", damaged.match_id)
    pair(portal, "Maria", "Tom", START)
    pair(portal, "Rita", "Sam", START, program="peer-circles")
    event = scheduled_event("2026-03-16T07:00:00Z")  # day 14 of every match: reminders due
    clock.now = runtime.event_time(event)

    with pytest.raises(functions.reminders.RemindersFailedError, match="demo"):
        functions.reminders.handler(event, None)

    reminded = {r.recipient for r in OutboxRecord.scan() if r.template == "checkin_reminder"}
    assert reminded == {
        "maria@example.org",
        "tom@example.org",
        "rita@example.org",
        "sam@example.org",
    }
    assert_logged_without_people(caplog, "reminders of a pair of demo failed", AttributeError)


def test_a_match_without_a_creation_date_stops_only_its_own_programs_summary(
    lambda_services: Callable[..., Services],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    portal = lambda_services()
    damaged = pair(portal, "Ann", "Bob", START)
    drop_creation_date("demo", damaged.match_id)
    pair(portal, "Rita", "Sam", START, program="peer-circles")
    # Friday 13:00 UTC: every program's 08:00 summary (London, Berlin, New York) is due.
    event = scheduled_event("2026-03-06T13:00:00Z")
    clock.now = runtime.event_time(event)

    with pytest.raises(functions.summaries.SummariesFailedError, match="demo"):
        functions.summaries.handler(event, None)

    summarised = {r.program for r in OutboxRecord.scan() if r.template == "progress_summary"}
    assert summarised == {"leaders-group", "peer-circles"}
    assert_logged_without_people(caplog, "summary of demo failed", AttributeError)
