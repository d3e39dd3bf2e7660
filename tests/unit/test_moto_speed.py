"""What the tests do to moto for speed changes nothing they see: its answers are moto's own, byte
for byte (tests/moto_speed.py), and the tables emptied in its store are empty through the API."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from moto.core.responses import ActionContext, ActionResult
from moto.core.serialize import ResponseSerializer

from portal.container import Services
from portal.persistence import tables
from portal.services.export import BY_AN_ORGANIZER, CLI
from tests import moto_speed
from tests.conftest import FakeClock, empty_moto_tables, table_snapshot
from tests.factories import person_with_history, seed_demo_people


def test_this_moto_is_the_one_the_faster_get_value_was_written_for() -> None:
    # Another moto's alias providers may read what the memo leaves out, so the speed-up stands
    # aside and the unit and web tiers take about five times as long: look at moto_speed.py.
    assert moto_speed.installable()
    assert ResponseSerializer.get_value is moto_speed.get_value


def test_every_answer_of_a_round_and_a_history_is_what_motos_own_get_value_gives(
    services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered: list[tuple[ActionResult, ActionContext, tuple[object, ...]]] = []
    execute = ActionResult.execute_result

    def recorded(result: ActionResult, context: ActionContext) -> tuple[object, ...]:
        answer = execute(result, context)
        status, headers, body = answer
        # A copy: moto adds its own headers to the answer's afterwards.
        answered.append((result, context, (status, dict(headers), body)))
        return answer

    monkeypatch.setattr(ActionResult, "execute_result", recorded)
    person_with_history(services, clock)
    program = services.programs.get("leaders-group")
    assert program is not None
    seed_demo_people(services, program, clock())
    assert services.rounds.run(program, "2026-03-09T0900Z", trigger="cli").status == "done"
    services.mail.drain(per_second=1000)
    assert table_snapshot()["portal-test-matches-v2"]  # a Scan of every table
    tables.MatchRecord.describe_table()  # timestamps and nested structures
    monkeypatch.undo()

    operations = Counter(context.operation_model.name for _, context, _ in answered)
    assert {"GetItem", "PutItem", "Query", "Scan", "TransactWriteItems", "DescribeTable"} <= set(
        operations
    ), operations
    monkeypatch.setattr(ResponseSerializer, "get_value", moto_speed.MOTO_GET_VALUE)
    for result, context, answer in answered:
        assert result.execute_result(context) == answer, context.operation_model.name


def test_the_tables_emptied_in_moto_are_empty_to_the_portal(
    services: Services, clock: FakeClock
) -> None:
    history = person_with_history(services, clock)
    program = services.programs.get("leaders-group")
    assert program is not None
    seed_demo_people(services, program, clock())
    assert services.rounds.run(program, "2026-03-09T0900Z", trigger="cli").status == "done"
    services.exports.export(history.ada.email, route=CLI, requested_by=BY_AN_ORGANIZER)
    later = clock() + timedelta(hours=1)
    tables.SessionRecord(session_hash="h", created_at=clock(), expires_at=later).save()
    tables.LimitRecord(key="sign-up#h#0", taken=1, expires_at=later).save()
    services.audit.record("demo", "organizer@example.org", "export", detail="participants.csv")
    services.figures.store.put("demo", clock(), {"funnel": []})
    services.program_admin.store.save(
        "stored", {}, expected=0, saved_at=clock(), saved_by="admin@example.org", change="test"
    )
    services.roster_imports.store.save_mapping("demo", {"Work email": "email"})
    services.organizers.set_language("organizer@example.org", "es")
    assert all(table_snapshot().values())  # an item in every table

    empty_moto_tables()

    assert not any(table_snapshot().values())  # every table scanned through DynamoDB's API
    assert list(services.participants.for_program("leaders-group")) == []
