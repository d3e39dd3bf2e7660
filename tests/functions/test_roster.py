"""The hourly roster run and the apply's command event: invitations once, two reminders a week
apart at most, none to who signed up or unsubscribed, and gone people forgotten after 90 days."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import functions.roster
from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.roster_tables import RosterRecord
from portal.persistence.tables import OutboxRecord
from tests.conftest import FakeClock
from tests.factories import stored_person
from tests.functions.conftest import scheduled_event

LEAD = "organizer@example.org"
ROSTER = b"workEmail,firstName,department,status\n"


def rows(*names: str, inactive: tuple[str, ...] = ()) -> bytes:
    lines = [
        f"{n.lower()}@example.org,{n},Sales,{'Inactive' if n in inactive else 'Active'}\n"
        for n in names
    ]
    return ROSTER + "".join(lines).encode()


def apply(portal: Services, data: bytes) -> None:
    demo = portal.programs.get("demo")
    assert demo is not None
    table = portal.roster_imports.read(data, "hr.csv")
    checked = portal.roster_imports.check(demo, table, filename="hr.csv")
    portal.roster_imports.apply(demo, checked, by=LEAD)


def invitations() -> list[tuple[str, str]]:
    """(recipient, outbox key) of every invitation queued, in key order."""
    return sorted((r.recipient, r.key) for r in OutboxRecord.scan() if r.template == "invitation")


def test_two_reminders_a_week_apart_then_no_more(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    apply(portal, rows("Ann", "Bob"))
    assert [to for to, _ in invitations()] == ["ann@example.org", "bob@example.org"]
    # Bob signs up (his sign-up stored as a confirmed one is); Ann does not.
    portal.participants.save(stored_person("Bob", Role.MENTEE, clock()))

    assert functions.roster.handler(scheduled_event(), None)["reminded"] == {}
    clock.advance(days=7)
    assert functions.roster.handler(scheduled_event(), None)["reminded"] == {"demo": 1}
    assert functions.roster.handler(scheduled_event(), None)["reminded"] == {}  # once
    clock.advance(days=7)
    assert functions.roster.handler(scheduled_event(), None)["reminded"] == {"demo": 1}
    clock.advance(days=30)
    assert functions.roster.handler(scheduled_event(), None)["reminded"] == {}
    ann = [key.rsplit(":", 1)[1] for to, key in invitations() if to == "ann@example.org"]
    assert ann == ["1", "2", "3"]
    assert [to for to, _ in invitations()].count("bob@example.org") == 1


def test_no_reminder_after_an_unsubscribe(
    lambda_services: Callable[..., Services], clock: FakeClock, mailbox: MemorySender
) -> None:
    portal = lambda_services()
    apply(portal, rows("Ann"))
    portal.unsubscribes.unsubscribe(portal.unsubscribes.url("ann@example.org").rsplit("/")[-1])
    clock.advance(days=7)
    functions.roster.handler(scheduled_event(), None)
    clock.advance(days=7)
    functions.roster.handler(scheduled_event(), None)
    assert len(invitations()) == 1  # the first, queued before she unsubscribed


def test_people_gone_90_days_are_forgotten(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    apply(portal, rows("Ann", "Bob"))
    apply(portal, rows("Ann", "Bob", inactive=("Bob",)))

    def people() -> list[str]:
        return sorted(r.person["email"] for r in RosterRecord.scan() if r.key.startswith("e#"))

    clock.advance(days=89)
    functions.roster.handler(scheduled_event(), None)
    assert people() == ["ann@example.org", "bob@example.org"]
    clock.advance(days=2)
    functions.roster.handler(scheduled_event(), None)
    assert people() == ["ann@example.org"]
    last = portal.roster_imports.last("demo")
    assert last is not None
    assert last.entries == 1


def test_the_apply_command_event_does_the_to_dos_and_names_a_known_program(
    lambda_services: Callable[..., Services], clock: FakeClock
) -> None:
    portal = lambda_services()
    started: list[str] = []
    portal.roster_imports.finisher = started.append  # as on Lambda: another invocation
    apply(portal, rows("Ann"))
    assert started == ["demo"]
    assert invitations() == []
    event = {"command": "functions.roster.finish", "program": "demo"}
    assert functions.roster.finish(event, None) == {
        "finished": True,
        "invited": 1,
        "paused": 0,
        "remaining": 0,
    }
    assert functions.roster.finish(event, None)["invited"] == 0  # a retried invocation
    assert len(invitations()) == 1
    assert functions.roster.finish({"program": "nope"}, None)["finished"] is False


def test_a_run_out_of_time_hands_the_rest_to_another_invocation(
    lambda_services: Callable[..., Services], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = lambda_services()
    started: list[str] = []
    portal.roster_imports.finisher = started.append
    apply(portal, rows("Ann", "Bob", "Cy"))
    monkeypatch.setattr(functions.roster, "FINISH_SECONDS", -1)  # out of time after one
    event = {"command": "functions.roster.finish", "program": "demo"}

    first = functions.roster.finish(event, None)

    assert (first["finished"], first["invited"], first["remaining"]) == (False, 1, 2)
    assert started == ["demo", "demo"]  # the apply's, then this run's hand-over
    monkeypatch.setattr(functions.roster, "FINISH_SECONDS", 240)
    assert functions.roster.finish(event, None)["invited"] == 2
    assert len(invitations()) == 3
