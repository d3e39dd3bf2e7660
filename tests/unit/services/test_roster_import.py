"""Roster imports stored: a dry run stores nothing, an apply is whole and idempotent, a later
full roster pauses who left (their matches end kindly), erasure forgets the entries."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal import i18n
from portal.container import Services, build_services
from portal.domain.addresses import address_digest
from portal.domain.participants import Role, Status
from portal.domain.program import Program
from portal.mail.catalog import Recipient
from portal.mail.senders import MemorySender
from portal.persistence.roster_tables import RosterRecord
from portal.services.roster_import import Finished, ImportChanged, ImportRefused
from portal.settings import Settings
from tests.conftest import FakeClock
from tests.english_left import english_left
from tests.factories import store_pair, stored_person

LEAD = "organizer@example.org"
HEADER = (
    "Employee_ID,Legal_First_Name,Email - Primary Work,Supervisory Organization,Manager_ID,"
    "Location,Worker_Status\n"
)


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    return build_services(settings, clock=clock, sender=mailbox)


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    return program


def roster(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def row(n: int, name: str, dept: str = "Sales", manager: str = "", status: str = "Active") -> str:
    return f"E{n},{name},{name.lower()}@example.org,{dept},{manager},Europe/London,{status}"


def dry(services: Services, program: Program, data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
    table = services.roster_imports.read(data, "workday.csv")
    return services.roster_imports.check(program, table, filename="workday.csv", **kwargs)  # type: ignore[arg-type]


def entries() -> list[RosterRecord]:
    return [r for r in RosterRecord.scan() if r.key.startswith("e#")]


def test_a_dry_run_stores_nothing_and_names_what_it_would_do(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    for name, role in (("Mia", Role.MENTOR), ("Tom", Role.MENTEE)):
        services.participants.save(stored_person(name, role, clock()))
    data = roster(row(1, "Mia", dept="Finance"), row(2, "Tom"), "E3,Bad,bad@,Sales,,x,Active")
    result = dry(services, demo, data)
    assert [str(p) for p in result.problems] == [
        "row 4, column “Email - Primary Work”: “bad@” is not an email address"
    ]
    assert not result.can_apply
    assert result.plan is not None
    assert {k.row.email for k in result.plan.known} == {"mia@example.org", "tom@example.org"}
    assert list(RosterRecord.scan()) == []
    with pytest.raises(ImportRefused, match="1 bad cell"):
        services.roster_imports.apply(demo, result, by=LEAD)
    assert list(RosterRecord.scan()) == []


def test_applying_sets_the_roster_fields_matching_reads_and_twice_changes_nothing(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    mia = stored_person("Mia", Role.MENTOR, clock())
    tom = stored_person("Tom", Role.MENTEE, clock())
    store_pair(services, "demo", mia, tom, clock())
    data = roster(row(1, "Mia", dept="Finance"), row(2, "Tom", dept="Sales", manager="E1"))
    applied = services.roster_imports.apply(demo, dry(services, demo, data), by=LEAD)
    assert applied.numbers["known"] == 2
    assert applied.updated == 2
    assert applied.pending == 0
    after_tom = services.participants.get("demo", "tom@example.org")
    assert after_tom is not None
    assert (after_tom.department, after_tom.reports_to) == ("Sales", "mia@example.org")
    # Matches and capacity are not the roster's: untouched.
    assert after_tom.status is Status.CONFIRMED
    assert len(services.participation.active_matches("demo", "tom@example.org")) == 1
    assert len(entries()) == 2
    last = services.roster_imports.last("demo")
    assert last is not None
    assert last.imported_by == LEAD
    assert last.entries == 2

    again = dry(services, demo, data)
    assert again.plan is not None
    assert again.plan.is_empty
    assert not again.can_apply
    with pytest.raises(ImportRefused, match="Nothing to change"):
        services.roster_imports.apply(demo, again, by=LEAD)
    assert services.roster_imports.last("demo") == last
    assert [e.action for e, _ in services.audit.page("demo").rows].count("import_roster") == 1


def test_a_later_full_roster_without_someone_pauses_them_and_ends_their_match_kindly(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    mia = stored_person("Mia", Role.MENTOR, clock())
    tom = stored_person("Tom", Role.MENTEE, clock())
    store_pair(services, "demo", mia, tom, clock())
    first = roster(row(1, "Mia"), row(2, "Tom"))
    services.roster_imports.apply(demo, dry(services, demo, first), by=LEAD)
    mailbox.sent.clear()
    clock.advance(days=1)

    result = dry(services, demo, roster(row(1, "Mia")))
    assert result.plan is not None
    assert [(g.email, g.reason) for g in result.plan.gone] == [
        ("tom@example.org", "not in this roster")
    ]
    applied = services.roster_imports.apply(demo, result, by=LEAD)
    assert (applied.paused, applied.ended_matches) == (1, 1)
    gone = services.participants.get("demo", "tom@example.org")
    assert gone is not None
    assert gone.status is Status.PAUSED
    assert services.participation.active_matches("demo", "mia@example.org") == []
    # Mia hears as when a partner pauses today; Tom's former entries are gone.
    services.mail.drain(per_second=1000)
    assert [to for to, _ in mailbox.sent] == ["mia@example.org"]
    assert len(entries()) == 2  # the new import's; the replaced import's were deleted
    # The next nightly file without Tom pauses nobody again.
    again = dry(services, demo, roster(row(1, "Mia")))
    assert again.plan is not None
    assert again.plan.is_empty


def test_an_import_applied_meanwhile_stops_the_older_dry_run_and_stores_nothing(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    for name, role in (("Mia", Role.MENTOR), ("Tom", Role.MENTEE)):
        services.participants.save(stored_person(name, role, clock()))
    seen = dry(services, demo, roster(row(1, "Mia")))
    services.roster_imports.apply(demo, dry(services, demo, roster(row(2, "Tom"))), by=LEAD)
    before = sorted(r.key for r in entries())
    with pytest.raises(ImportChanged) as changed:
        services.roster_imports.apply(demo, seen, by=LEAD)
    assert changed.value.dry_run.plan is not None
    # As things stand now, Mia's file would mark Tom, in the applied import, gone.
    assert [g.email for g in changed.value.dry_run.plan.gone] == ["tom@example.org"]
    assert sorted(r.key for r in entries()) == before


def test_a_staged_upload_keeps_the_file_and_the_chosen_mapping_for_a_day(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    data = roster(row(1, "Mia"))
    staged = services.roster_imports.stage(demo, data, "hr.csv", full=True, by=LEAD)
    again = services.roster_imports.staged("demo", staged.upload_id)
    assert again is not None
    assert again.table == staged.table
    assert again.mapping is None
    chosen = services.roster_imports.choose_mapping("demo", staged.upload_id, {2: "email"})
    assert chosen.mapping == {2: "email"}
    kept = services.roster_imports.staged("demo", staged.upload_id)
    assert kept is not None
    assert kept.mapping == {2: "email"}
    assert services.roster_imports.staged("other", staged.upload_id) is None
    clock.advance(days=1, minutes=1)
    assert services.roster_imports.staged("demo", staged.upload_id) is None


def test_a_saved_mapping_is_used_for_the_next_file(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    services.participants.save(stored_person("Mia", Role.MENTOR, clock()))
    data = b"Who,Mail,Team\nMia,mia@example.org,Sales\n"
    table = services.roster_imports.read(data, "odd.csv")
    chosen = services.roster_imports.check(
        demo, table, filename="odd.csv", mapping={0: "name", 1: "email", 2: "department"}
    )
    services.roster_imports.apply(demo, chosen, by=LEAD, save_mapping=True)
    assert services.roster_imports.saved_mapping("demo") == {
        "Who": "name",
        "Mail": "email",
        "Team": "department",
    }
    later = services.roster_imports.check(demo, table, filename="odd.csv")
    assert later.mapping_source == "saved"
    assert later.mapping == {0: "name", 1: "email", 2: "department"}


def test_erasure_forgets_a_persons_roster_entries(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    services.participants.save(stored_person("Mia", Role.MENTOR, clock()))
    services.roster_imports.apply(demo, dry(services, demo, roster(row(1, "Mia"))), by=LEAD)
    assert len(entries()) == 1
    plan = services.erasure.plan("mia@example.org")
    assert plan.counts["roster"] == 1
    services.erasure.erase("mia@example.org")
    assert entries() == []


def test_to_dos_left_by_a_stopped_apply_are_done_by_the_next_run_once(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    mia = stored_person("Mia", Role.MENTOR, clock())
    tom = stored_person("Tom", Role.MENTEE, clock())
    store_pair(services, "demo", mia, tom, clock())
    services.roster_imports.apply(
        demo, dry(services, demo, roster(row(1, "Mia"), row(2, "Tom"))), by=LEAD
    )
    # On Lambda the request stores the import and another invocation does the to-dos: here
    # that invocation never runs (a failed start).
    started: list[str] = []
    services.roster_imports.finisher = started.append
    marked = dry(services, demo, roster(row(1, "Mia"), row(2, "Tom", status="Terminated")))
    applied = services.roster_imports.apply(demo, marked, by=LEAD)
    assert started == ["demo"]
    assert (applied.paused, applied.pending) == (0, 1)
    last = services.roster_imports.last("demo")
    assert last is not None
    assert last.pending == 1
    person = services.participants.get("demo", "tom@example.org")
    assert person is not None
    assert person.status is Status.CONFIRMED  # the import is stored; its to-do not done yet

    done = services.roster_imports.finish("demo")  # the hourly run
    assert (done.paused, done.ended_matches) == (1, 1)
    person = services.participants.get("demo", "tom@example.org")
    assert person is not None
    assert person.status is Status.PAUSED
    assert services.roster_imports.finish("demo").paused == 0
    last = services.roster_imports.last("demo")
    assert last is not None
    assert last.pending == 0
    assert [entry.detail for entry in services.audit.about("demo", tom.participant_id)] == [
        "by the roster import: marked inactive; 1 active match ended"
    ]


def test_a_person_who_left_the_program_is_not_paused_or_changed_by_a_roster(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    services.participants.save(stored_person("Mia", Role.MENTOR, clock()))
    services.roster_imports.apply(demo, dry(services, demo, roster(row(1, "Mia"))), by=LEAD)
    assert services.participants.set_status("demo", "mia@example.org", Status.LEFT, clock())
    result = dry(services, demo, roster(row(1, "Mia", dept="Legal", status="Terminated")))
    assert result.plan is not None
    assert result.plan.to_pause == ()
    assert result.plan.is_empty  # nothing the roster says reaches someone who left
    person = services.participants.get("demo", "mia@example.org")
    assert person is not None
    assert person.status is Status.LEFT


def test_an_import_applied_before_the_last_ones_to_dos_ran_carries_them(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    mia = stored_person("Mia", Role.MENTOR, clock())
    tom = stored_person("Tom", Role.MENTEE, clock())
    store_pair(services, "demo", mia, tom, clock())
    services.roster_imports.apply(
        demo, dry(services, demo, roster(row(1, "Mia"), row(2, "Tom"))), by=LEAD
    )
    services.roster_imports.finisher = lambda slug: None  # its invocation never runs
    services.roster_imports.apply(
        demo, dry(services, demo, roster(row(1, "Mia", dept="Legal"))), by=LEAD
    )  # Tom gone: to pause; Mia's department: to update
    clock.advance(hours=1)
    services.roster_imports.apply(
        demo,
        dry(services, demo, roster(row(1, "Mia", dept="Legal", manager="E9"), row(3, "Zoe"))),
        by=LEAD,
    )  # before those ran: the next night's file

    services.roster_imports.finisher = None
    done = services.roster_imports.finish("demo")

    assert (done.paused, done.ended_matches) == (1, 1)  # Tom, carried from the second import
    after = services.participants.get("demo", "mia@example.org")
    assert after is not None
    assert after.department == "Legal"  # the second import's update, carried
    keys = {r.key.split("#")[1] for r in entries()}
    assert len(keys) == 1  # only the live import's entries are left


def test_a_pause_stopped_half_way_is_finished_by_the_next_run(
    services: Services, demo: Program, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    mia = stored_person("Mia", Role.MENTOR, clock())
    tom = stored_person("Tom", Role.MENTEE, clock())
    store_pair(services, "demo", mia, tom, clock())
    services.roster_imports.apply(
        demo, dry(services, demo, roster(row(1, "Mia"), row(2, "Tom"))), by=LEAD
    )
    real_end = services.participation.end

    def throttled(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(services.participation, "end", throttled)
    first = services.roster_imports.apply(demo, dry(services, demo, roster(row(1, "Mia"))), by=LEAD)
    assert first.pending == 1  # paused, but the match could not be ended: kept
    person = services.participants.get("demo", "tom@example.org")
    assert person is not None
    assert person.status is Status.PAUSED

    monkeypatch.setattr(services.participation, "end", real_end)
    done = services.roster_imports.finish("demo")

    assert done.ended_matches == 1
    assert services.participation.active_matches("demo", "mia@example.org") == []
    assert services.roster_imports.finish("demo") == Finished()


def test_a_gone_persons_unconfirmed_sign_up_is_paused_once_confirmed(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    services.participants.save(stored_person("Mia", Role.MENTOR, clock()))
    tom = stored_person("Tom", Role.MENTEE, clock())
    services.participants.save(replace(tom, status=Status.PENDING, confirmed_at=None))
    services.roster_imports.apply(
        demo, dry(services, demo, roster(row(1, "Mia"), row(2, "Tom"))), by=LEAD
    )
    applied = services.roster_imports.apply(
        demo, dry(services, demo, roster(row(1, "Mia"))), by=LEAD
    )
    assert applied.pending == 1  # waits for the confirmation

    services.participants.save(replace(tom, status=Status.CONFIRMED))  # Tom confirms
    done = services.roster_imports.finish("demo")

    assert done.paused == 1
    person = services.participants.get("demo", "tom@example.org")
    assert person is not None
    assert person.status is Status.PAUSED


def test_an_invitation_waits_while_sign_up_is_closed_and_goes_once_it_opens(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    services.roster_imports.finisher = lambda slug: None
    services.roster_imports.apply(demo, dry(services, demo, roster(row(1, "Ann"))), by=LEAD)
    services.roster_imports.program_of = lambda slug: demo.model_copy(update={"signup_open": False})
    services.roster_imports.invitations.program_of = services.roster_imports.program_of

    assert services.roster_imports.finish("demo").waiting == 1
    assert not services.mail.queued(
        "invitation", Recipient.INVITEE, {"program": "demo", "address": digest("ann"), "n": "1"}
    )
    services.roster_imports.program_of = lambda slug: demo
    services.roster_imports.invitations.program_of = services.roster_imports.program_of

    assert services.roster_imports.finish("demo").invited == 1


def test_an_invitation_link_shows_nothing_once_the_person_signed_up(
    services: Services, demo: Program, clock: FakeClock
) -> None:
    services.roster_imports.apply(demo, dry(services, demo, roster(row(1, "Ann"))), by=LEAD)
    token = services.roster_imports.invite_url("demo", "ann@example.org").rsplit("/", 1)[1]
    invitee = services.roster_imports.invitee(demo, token)
    assert invitee is not None
    assert invitee.department == "Sales"

    services.participants.save(stored_person("Ann", Role.MENTEE, clock()))

    assert services.roster_imports.invitee(demo, token) is None


def test_an_archived_program_takes_no_import(services: Services, demo: Program) -> None:
    archived = demo.model_copy(update={"archived": True, "signup_open": False})
    with pytest.raises(ImportRefused, match="archived"):
        services.roster_imports.apply(
            archived, dry(services, archived, roster(row(1, "Ann"))), by=LEAD
        )


def test_a_refusal_is_said_in_the_organizers_language(services: Services, demo: Program) -> None:
    closed = demo.model_copy(update={"signup_open": False})
    archived = demo.model_copy(update={"archived": True, "signup_open": False})
    checked = dry(services, closed, roster(row(1, "Ann"), row(2, "Bo")))
    with i18n.speaking("es"):
        with pytest.raises(ImportRefused) as refused:
            services.roster_imports.apply(closed, checked, by=LEAD)
        assert str(refused.value) == (
            "No se guardó nada: la inscripción en Demo: Tech Careers mentoring está cerrada, y "
            "este archivo invitaría a 2 personas. Abra primero la inscripción."
        )
        with pytest.raises(ImportRefused) as refused:
            services.roster_imports.apply(
                archived, dry(services, archived, roster(row(1, "Ann"))), by=LEAD
            )
        assert english_left(str(refused.value)) == []
        assert "está archivado" in str(refused.value)


def digest(name: str) -> str:
    return address_digest(f"{name}@example.org")
