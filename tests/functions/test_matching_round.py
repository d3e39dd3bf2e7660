"""The scheduled matching-round function, called with the recorded EventBridge event."""

from __future__ import annotations

import contextlib
import inspect
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import functions.matching_round
import functions.outbox
import portal.runtime as runtime
from portal.container import Services
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence.tables import MatchRecord, OutboxRecord, RoundRecord
from portal.services.rounds import RoundService
from tests.conftest import ROOT, FakeClock
from tests.factories import seed_demo_people
from tests.functions.conftest import EVENTS, scheduled_event

# The clock fixture's moment: Monday 2 March 2026, 09:00 in London (GMT, so 09:00Z).
MONDAY_NINE = "2026-03-02T09:00:00Z"
DEMO_ROUND = "2026-03-02T0900Z"


def rounds_by_program(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {outcome["program"]: outcome for outcome in result["rounds"]}


def round_ids(program: str) -> list[str]:
    return [r.round_id for r in RoundRecord.query(program) if r.round_id != "~lock"]


@pytest.mark.parametrize("handler", [functions.matching_round.handler, functions.outbox.handler])
def test_handlers_take_exactly_event_and_context(handler: Callable[..., Any]) -> None:
    # Zappa calls again with fewer arguments after a TypeError: no defaults, no extras.
    parameters = list(inspect.signature(handler).parameters.values())
    assert [p.name for p in parameters] == ["event", "context"]
    assert all(p.default is inspect.Parameter.empty for p in parameters)
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)


def test_the_recorded_events_ship_with_the_repository() -> None:
    # A clean clone anywhere (not only beside the shared folder) must run these tests.
    assert EVENTS.is_relative_to(ROOT)
    assert (EVENTS / "scheduled-event.json").is_file()


def test_the_recorded_event_names_the_matching_round_handler() -> None:
    (rule,) = scheduled_event()["resources"]
    # Zappa routes by everything after the rule name's last "-".
    path = rule.rsplit("-", 1)[1]
    module, name = path.rsplit(".", 1)
    assert path == "functions.matching_round.handler"
    assert getattr(functions.matching_round, name) is functions.matching_round.handler
    assert module == functions.matching_round.__name__


def test_an_event_delivered_twice_sends_every_email_once(
    lambda_services: Callable[..., Services], clock: FakeClock, mailbox: MemorySender
) -> None:
    portal = lambda_services()
    seed_demo_people(portal, "demo", clock(), mentors=10, mentees=10)
    event = scheduled_event(MONDAY_NINE)

    first = rounds_by_program(functions.matching_round.handler(event, None))
    matches = [(m.mentor_key, m.mentee_key) for m in MatchRecord.query("demo")]
    keys = sorted(record.key for record in OutboxRecord.scan())
    clock.advance(seconds=40)  # EventBridge's second delivery comes a little later
    second = rounds_by_program(functions.matching_round.handler(event, None))
    sent_first = functions.outbox.handler(event, None)
    clock.advance(minutes=5)
    sent_second = functions.outbox.handler(event, None)

    assert runtime.services() is portal  # one container: the services were built once
    assert first["demo"]["status"] == "done"
    assert first["demo"]["round_id"] == DEMO_ROUND
    pairs = first["demo"]["pairs"]
    assert pairs == 10  # the first ten demo mentors and mentees all pair up
    assert first["demo"]["emails"] == 2 * pairs + 1
    assert second["demo"]["status"] == "repeated"  # the duplicate is seen and does nothing
    assert second["demo"]["round_id"] == DEMO_ROUND
    assert [(m.mentor_key, m.mentee_key) for m in MatchRecord.query("demo")] == matches
    assert sorted(record.key for record in OutboxRecord.scan()) == keys
    assert round_ids("demo") == [DEMO_ROUND]

    assert sent_first == {"sent": 2 * pairs + 1, "retrying": 0, "failed": 0}
    assert sent_second == {"sent": 0, "retrying": 0, "failed": 0}
    message_ids = Counter(message["Message-ID"] for _, message in mailbox.sent)
    assert len(message_ids) == len(mailbox.sent) == 2 * pairs + 1
    per_recipient = Counter(recipient for recipient, _ in mailbox.sent)
    assert set(per_recipient.values()) == {1}  # one-on-one: one email each, the organizer too
    assert all(record.status == "sent" for record in OutboxRecord.scan())


@pytest.mark.parametrize(
    ("time", "round_id"),
    [
        pytest.param("2026-03-02T09:00:00Z", "2026-03-02T0900Z", id="winter-09:00-GMT"),
        pytest.param("2026-06-01T08:00:00Z", "2026-06-01T0800Z", id="summer-09:00-BST"),
        pytest.param("2026-06-01T08:00:27.513Z", "2026-06-01T0800Z", id="late-seconds"),
    ],
)
def test_the_round_is_named_by_the_monday_nine_oclock_it_was_due(
    lambda_services: Callable[..., Services], clock: FakeClock, time: str, round_id: str
) -> None:
    lambda_services()
    outcomes = rounds_by_program(functions.matching_round.handler(scheduled_event(time), None))
    assert outcomes["demo"]["round_id"] == round_id
    assert outcomes["demo"]["status"] == "nobody"  # no one has signed up yet
    # leaders-group is at 09:00 in Berlin, an hour earlier in UTC: the hourly event before
    # this one was its time, so this one does not start a round for it that is more than an
    # hour old; peer-circles' 09:00 in New York is still to come.
    assert set(outcomes) == {"demo"}


def test_hourly_events_between_mondays_run_no_round(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    seed_demo_people(portal, "demo", clock(), mentors=4, mentees=4)
    functions.matching_round.handler(scheduled_event(MONDAY_NINE), None)
    matches = MatchRecord.count("demo")
    emails = OutboxRecord.count()

    for time in ("2026-03-02T10:00:00Z", "2026-03-04T07:00:00Z", "2026-03-09T08:59:00Z"):
        clock.now = runtime.event_time(scheduled_event(time))
        result = functions.matching_round.handler(scheduled_event(time), None)
        # The demo's round is due at 09:00 on Mondays: none of these hours even looks at it.
        assert "demo" not in rounds_by_program(result), time

    assert round_ids("demo") == [DEMO_ROUND]
    assert MatchRecord.count("demo") == matches
    assert OutboxRecord.count() == emails


def test_the_recorded_wednesday_event_runs_no_round(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    event = scheduled_event()  # 2026-11-25T07:00:00Z as recorded, a Wednesday
    clock.now = runtime.event_time(event)
    seed_demo_people(portal, "demo", clock(), mentors=4, mentees=4)

    result = functions.matching_round.handler(event, None)

    assert rounds_by_program(result).get("demo") is None
    assert MatchRecord.count("demo") == 0
    assert round_ids("demo") == []


def test_a_missed_monday_is_caught_up_by_the_next_hourly_event(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    lambda_services()
    functions.matching_round.handler(scheduled_event(MONDAY_NINE), None)
    # A week later the 09:00 invocation never happens (an outage); the 11:00 one does.
    later = scheduled_event("2026-03-09T11:00:00Z")
    clock.now = runtime.event_time(later)

    result = rounds_by_program(functions.matching_round.handler(later, None))

    assert result["demo"]["round_id"] == "2026-03-09T0900Z"
    assert result["demo"]["status"] == "nobody"
    assert round_ids("demo") == [DEMO_ROUND, "2026-03-09T0900Z"]


class TemplateBrokenError(RuntimeError):
    pass


def test_a_failed_round_fails_the_invocation_after_the_other_programs_ran(
    lambda_services: Callable[..., Services], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = lambda_services()
    seed_demo_people(portal, "demo", clock(), mentors=3, mentees=3)

    def broken(self: RoundService, program: Program, *args: Any, **kwargs: Any) -> int:
        raise TemplateBrokenError(program.slug)

    monkeypatch.setattr(RoundService, "_introduce", broken)

    # The original error, or one that names the program whose round failed.
    with pytest.raises(Exception, match="demo"):
        functions.matching_round.handler(scheduled_event(MONDAY_NINE), None)

    # The failure was recorded as an interrupted round, for the next run to finish.
    assert round_ids("demo") == ["2026-03-02T0900Z"]


def test_an_interrupted_round_is_finished_by_the_next_hourly_event(
    lambda_services: Callable[..., Services], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = lambda_services()
    seed_demo_people(portal, "demo", clock(), mentors=3, mentees=3)
    broken = True
    original = RoundService._introduce

    def introduce(self: RoundService, *args: Any, **kwargs: Any) -> int:
        if broken:
            raise TemplateBrokenError("introduction")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RoundService, "_introduce", introduce)
    for time in (MONDAY_NINE, "2026-03-02T10:00:00Z"):
        clock.now = runtime.event_time(scheduled_event(time))
        with contextlib.suppress(functions.matching_round.RoundsFailedError):
            functions.matching_round.handler(scheduled_event(time), None)
    assert portal.rounds.rounds.get("demo", DEMO_ROUND).status == "started"
    broken = False  # the fix is deployed
    clock.now = runtime.event_time(scheduled_event("2026-03-02T11:00:00Z"))

    functions.matching_round.handler(scheduled_event("2026-03-02T11:00:00Z"), None)

    assert portal.rounds.rounds.get("demo", DEMO_ROUND).status == "introduced"
    assert any(record.key.startswith("intro:demo:") for record in OutboxRecord.scan())
