"""Programs stored in the database: versions, conflicts, templates, lifecycle, and the catalogue."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

import pytest

from portal.catalog.programs import ProgramCatalog, ProgramError
from portal.catalogs import stored_program, stored_programs
from portal.container import Services, build_services
from portal.domain.matches import round_pool
from portal.domain.participants import Role
from portal.domain.program import Program
from portal.domain.program_templates import TEMPLATES
from portal.local.demo import demo_participants
from portal.mail.senders import MemorySender
from portal.persistence.programs import ProgramStore
from portal.services.programs import (
    InvalidProgram,
    ProgramAdmin,
    ProgramChanged,
    ProgramRefused,
    document_of,
    program_file,
)
from portal.settings import Settings
from tests.conftest import FakeClock, table_snapshot
from tests.factories import seed_demo_people, store_behind_the_portals_back, store_pair

ADMIN = "admin@example.org"
LEAD = "lead@example.org"


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    return build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )


def create(services: Services, template: str = "group", slug: str = "spring-circles") -> None:
    services.program_admin.create(
        template,
        title="Spring circles",
        slug=slug,
        organizers=(LEAD,),
        signup_open=True,
        by=ADMIN,
    )


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_makes_a_program_that_appears_at_once(services: Services, key: str) -> None:
    create(services, key, slug=f"new-{key}")
    program = services.programs.get(f"new-{key}")
    assert program is not None
    assert program in services.programs.open_for_signup()
    assert "## What this program is" in program.body
    info = services.programs.stored_info(f"new-{key}")
    assert info is not None
    assert info.version == 1
    assert info.saved_by == ADMIN


def test_only_site_admins_create_programs(services: Services) -> None:
    with pytest.raises(ProgramRefused, match="Only site admins"):
        services.program_admin.create(
            "group", title="Mine", slug="mine", organizers=(LEAD,), signup_open=True, by=LEAD
        )
    assert services.programs.get("mine") is None


def test_a_slug_already_used_by_a_file_or_a_stored_program_is_refused(services: Services) -> None:
    with pytest.raises(ProgramRefused, match=r"is another program's"):
        create(services, slug="demo")
    create(services)
    with pytest.raises(ProgramRefused, match=r"is another program's"):
        create(services)
    assert [v.version for v in services.program_admin.versions("spring-circles")] == [1]


def test_a_bad_title_saves_nothing(services: Services) -> None:
    with pytest.raises(InvalidProgram) as raised:
        services.program_admin.create(
            "group", title="", slug="x", organizers=(LEAD,), signup_open=True, by=ADMIN
        )
    assert [e["loc"] for e in raised.value.errors] == [("title",)]
    assert ProgramStore().live() == []


def test_each_save_is_a_version_and_the_second_of_two_concurrent_saves_is_refused(
    services: Services, clock: FakeClock
) -> None:
    create(services)
    program = services.programs.get("spring-circles")
    assert program is not None
    first = program.model_copy(update={"summary": "First organizer's words"})
    second = program.model_copy(update={"summary": "Second organizer's words"})
    clock.advance(minutes=1)
    assert services.program_admin.save(first, expected=1, by=LEAD) == 2
    with pytest.raises(ProgramChanged, match="now at version 2"):
        services.program_admin.save(second, expected=1, by=LEAD)
    live = services.programs.get("spring-circles")
    assert live is not None
    assert live.summary == "First organizer's words"
    versions = services.program_admin.versions("spring-circles")
    assert [(v.version, v.change) for v in versions] == [
        (2, "edited: summary"),
        (1, "created from the group mentoring template"),
    ]
    assert [e.action for e, _ in services.audit.page("spring-circles").rows] == [
        "edit_program",
        "create_program",
    ]


def test_an_organizer_cannot_remove_themselves(services: Services) -> None:
    create(services)
    program = services.programs.get("spring-circles")
    assert program is not None
    handed_over = program.model_copy(update={"organizers": ("other@example.org",)})
    with pytest.raises(ProgramRefused, match="Keep your own address"):
        services.program_admin.save(handed_over, expected=1, by=LEAD)
    assert services.program_admin.save(handed_over, expected=1, by=ADMIN) == 2


def test_a_files_program_is_changed_by_its_file_not_the_console(services: Services) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    with pytest.raises(ProgramRefused, match=r"content/programs/demo\.md"):
        services.program_admin.save(demo, expected=0, by=ADMIN)
    with pytest.raises(ProgramRefused, match=r"content/programs/demo\.md"):
        services.program_admin.lifecycle("demo", "close", expected=0, by=ADMIN)


def test_lifecycle_closes_pauses_archives_and_brings_back(
    services: Services, clock: FakeClock
) -> None:
    create(services)
    admin = services.program_admin
    clock.advance(minutes=1)
    admin.lifecycle("spring-circles", "pause", expected=1, by=LEAD)
    program = services.programs.get("spring-circles")
    assert program is not None
    assert program.rounds_paused
    assert program.signup_open
    clock.advance(minutes=1)
    admin.lifecycle("spring-circles", "archive", expected=2, by=LEAD)
    program = services.programs.get("spring-circles")
    assert program is not None
    assert program.archived
    assert not program.signup_open
    assert program not in services.programs.listed()
    with pytest.raises(ProgramRefused, match="archived and read-only"):
        admin.lifecycle("spring-circles", "open", expected=3, by=LEAD)
    with pytest.raises(ProgramRefused, match="archived and read-only"):
        admin.save(program.model_copy(update={"summary": "x"}), expected=3, by=LEAD)
    clock.advance(minutes=1)
    admin.lifecycle("spring-circles", "unarchive", expected=3, by=LEAD)
    clock.advance(minutes=1)
    admin.lifecycle("spring-circles", "open", expected=4, by=LEAD)
    program = services.programs.get("spring-circles")
    assert program is not None
    assert program in services.programs.open_for_signup()
    assert [e.action for e, _ in services.audit.page("spring-circles").rows][:4] == [
        "open_signup",
        "unarchive_program",
        "archive_program",
        "pause_rounds",
    ]


def test_duplicate_copies_the_settings_under_a_new_address(services: Services) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    copy = services.program_admin.duplicate(
        "demo", new_slug="demo-2027", new_title="Tech careers 2027", signup_open=False, by=ADMIN
    )
    assert copy.questions == demo.questions
    assert copy.matching == demo.matching
    assert not copy.signup_open
    assert services.participants.count("demo-2027") == 0
    assert [e.detail for e, _ in services.audit.page("demo").rows] == ["as demo-2027"]


def another_process(ticks: list[float]) -> ProgramCatalog:
    """A catalogue of its own, as another Lambda holds, on a clock the test moves."""
    return ProgramCatalog(
        [],
        stored=stored_programs(ProgramStore()),
        stored_one=stored_program(ProgramStore()),
        refresh_seconds=30,
        monotonic=lambda: ticks[0],
    )


def test_an_edit_saved_elsewhere_is_seen_within_the_refresh_and_not_before(
    services: Services, clock: FakeClock
) -> None:
    create(services)
    ticks = [0.0]
    catalog = another_process(ticks)
    program = services.programs.get("spring-circles")
    assert program is not None
    clock.advance(minutes=1)
    services.program_admin.save(program.model_copy(update={"summary": "New"}), expected=1, by=ADMIN)

    ticks[0] = 29.0
    seen = catalog.get("spring-circles")
    assert seen is not None
    assert seen.summary != "New"  # not read on every request
    ticks[0] = 30.0
    seen = catalog.get("spring-circles")
    assert seen is not None
    assert seen.summary == "New"


def test_a_program_created_elsewhere_is_found_when_asked_for(
    services: Services, operations: list[str]
) -> None:
    ticks = [0.0]
    catalog = another_process(ticks)
    create(services)  # on another Lambda, a moment ago
    operations.clear()

    assert catalog.get("spring-circles") is not None  # at once: its one item is read
    assert operations == ["dynamodb:GetItem"]
    assert catalog.get("spring-circles") is not None  # held from then on
    assert operations == ["dynamodb:GetItem"]

    operations.clear()
    assert catalog.get("no-such-program") is None
    ticks[0] = 1.9
    assert catalog.get("no-such-program") is None  # a slug the table lacks: one read per 2 s
    assert operations == ["dynamodb:GetItem"]
    ticks[0] = 2.0
    assert catalog.get("no-such-program") is None
    assert operations == ["dynamodb:GetItem", "dynamodb:GetItem"]


def test_the_console_reads_the_version_in_the_table_not_the_one_held(
    services: Services, clock: FakeClock
) -> None:
    create(services)
    ticks = [0.0]
    catalog = another_process(ticks)
    program = services.programs.get("spring-circles")
    assert program is not None
    clock.advance(minutes=1)
    services.program_admin.save(program.model_copy(update={"summary": "New"}), expected=1, by=ADMIN)

    now = catalog.current("spring-circles")

    assert now is not None
    assert now.summary == "New"
    info = catalog.stored_info("spring-circles")
    assert info is not None
    assert info.version == 2
    assert catalog.current("demo") is None  # no file here, none stored


def test_a_stored_program_with_a_files_slug_is_refused_at_start(
    services: Services, settings: Settings, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    store_behind_the_portals_back(demo, clock())
    with pytest.raises(ProgramError, match=r"'demo' is both a file \(content/programs/demo.md\)"):
        build_services(settings, clock=clock)


def test_an_exported_program_loads_back_as_the_same_program(
    services: Services, tmp_path: object
) -> None:
    from portal.catalog.documents import read_document

    create(services)
    program = services.programs.get("spring-circles")
    assert program is not None
    text = program_file(program)
    assert text.startswith("---\ntitle: Spring circles\nslug: spring-circles\n")
    path = tmp_path / "spring-circles.md"  # type: ignore[operator]
    path.write_text(text)
    from portal.catalog.programs import load_program

    assert load_program(path) == program
    assert read_document(path).body.startswith("## What this program is")


def copy_of_demo(services: Services, **changes: object) -> Program:
    """The demo program's settings as a stored program, `demo-copy`, with some changed."""
    copy = services.program_admin.duplicate(
        "demo", new_slug="demo-copy", new_title="Demo copy", signup_open=True, by=ADMIN
    )
    if changes:
        changed = services.program_admin.validate({**document_of(copy), **changes})
        services.program_admin.save(changed, expected=1, by=ADMIN)
    program = services.programs.get("demo-copy")
    assert program is not None
    return program


def test_scheduled_rounds_skip_a_paused_or_archived_program(
    services: Services, clock: FakeClock
) -> None:
    copy_of_demo(services)
    seed_demo_people(services, "demo-copy", clock(), mentors=2, mentees=2)
    services.program_admin.lifecycle("demo-copy", "pause", expected=1, by=ADMIN)

    assert "demo-copy" not in {o.program for o in services.rounds.run_due(clock())}
    assert list(services.participation.matches.for_program("demo-copy")) == []

    services.program_admin.lifecycle("demo-copy", "resume", expected=2, by=ADMIN)
    outcomes = {o.program: o.status for o in services.rounds.run_due(clock())}
    assert outcomes["demo-copy"] == "done"


@pytest.mark.parametrize("once", [True, False])
def test_a_match_once_program_never_matches_someone_twice(
    services: Services, clock: FakeClock, once: bool
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    matching = {**document_of(demo)["matching"], "match_once": once, "min_score": 0}
    program = copy_of_demo(services, capacity=3, matching=matching)
    everyone = demo_participants(program, clock())
    mentors = [replace(p, capacity=3) for p in everyone if p.role is Role.MENTOR][:4]
    mentees = [p for p in everyone if p.role is Role.MENTEE][:12]
    for person in [*mentors, *mentees[:4]]:
        services.participants.save(person)
    services.rounds.run(program, "2026-03-02T0900Z", trigger="cli")
    first = {m.mentor for m in services.participation.matches.for_program("demo-copy")}
    assert first
    for person in mentees[4:]:
        services.participants.save(person)

    services.rounds.run(program, "2026-03-09T0900Z", trigger="cli")

    second = [m for m in services.participation.matches.for_program("demo-copy")]
    matched_again = [m for m in second if m.round_id == "2026-03-09T0900Z" and m.mentor in first]
    # Mentors with places left take new mentees, unless each person has one conversation.
    assert bool(matched_again) is not once


def test_requests_read_no_table_until_the_refresh_is_due(
    services: Services, operations: list[str]
) -> None:
    create(services)
    operations.clear()
    ticks = [0.0]
    catalog = another_process(ticks)
    assert operations == ["dynamodb:Query"]  # the read at start
    for second in range(30):
        ticks[0] = float(second)
        assert catalog.get("spring-circles") is not None
        assert len(list(catalog)) == 1
    assert operations == ["dynamodb:Query"]
    ticks[0] = 30.0
    catalog.get("spring-circles")
    assert operations == ["dynamodb:Query", "dynamodb:Query"]


def test_a_lifecycle_change_starts_from_the_table_not_an_older_copy_held(
    services: Services, clock: FakeClock
) -> None:
    create(services)
    ticks = [0.0]
    elsewhere = ProgramAdmin(
        another_process(ticks),
        ProgramStore(),
        services.organizers,
        services.audit,
        clock,
    )
    program = services.programs.get("spring-circles")
    assert program is not None
    clock.advance(minutes=1)
    services.program_admin.save(program.model_copy(update={"summary": "New"}), expected=1, by=LEAD)

    # The other Lambda still holds version 1; closing sign-up there keeps the edit.
    with pytest.raises(ProgramChanged, match="now at version 2"):
        elsewhere.lifecycle("spring-circles", "close", expected=1, by=LEAD)
    closed = elsewhere.lifecycle("spring-circles", "close", expected=2, by=LEAD)

    assert closed.summary == "New"
    assert not closed.signup_open
    live = ProgramStore().get("spring-circles")
    assert live is not None
    assert (live.version, live.document["summary"]) == (3, "New")


def test_sign_up_closed_from_the_settings_is_logged_as_closing_it(
    services: Services, clock: FakeClock
) -> None:
    create(services)
    program = services.programs.get("spring-circles")
    assert program is not None
    clock.advance(minutes=1)
    services.program_admin.save(
        program.model_copy(update={"signup_open": False, "title": "Spring"}), expected=1, by=LEAD
    )
    actions = {e.action for e, _ in services.audit.page("spring-circles").rows}
    assert {"edit_program", "close_signup"} <= actions
    (latest, _) = services.program_admin.versions("spring-circles")
    assert latest.change == "edited: title, sign-up"


def test_an_import_is_stored_whole_or_not_at_all(services: Services, clock: FakeClock) -> None:
    create(services)
    admin = services.program_admin
    live = services.programs.get("spring-circles")
    assert live is not None
    edited = live.model_copy(update={"summary": "From a file"})
    new = live.model_copy(update={"slug": "autumn-circles", "title": "Autumn circles"})
    plans = [(edited, admin.plan_import(edited)), (new, admin.plan_import(new))]
    # Someone saves spring-circles between the dry run and --apply.
    clock.advance(minutes=1)
    admin.save(live.model_copy(update={"summary": "Meanwhile"}), expected=1, by=LEAD)
    before = table_snapshot()

    with pytest.raises(ProgramChanged):
        admin.apply_import(plans, by=ADMIN)

    assert table_snapshot() == before  # autumn-circles was not stored either
    assert ProgramStore().get("autumn-circles") is None


def test_a_failed_read_keeps_the_programs_held(services: Services) -> None:
    create(services)
    ticks = [0.0]
    reads = {"fail": False}
    loader = stored_programs(ProgramStore())

    def flaky() -> list[Any]:
        if reads["fail"]:
            raise OSError("the database did not answer")
        return list(loader())

    catalog = ProgramCatalog([], stored=flaky, monotonic=lambda: ticks[0])
    reads["fail"] = True
    ticks[0] = 31.0

    assert catalog.get("spring-circles") is not None


def test_a_suggestion_nobody_chose_is_no_conversation_in_a_match_once_program(
    services: Services, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    program = copy_of_demo(services, matching={**document_of(demo)["matching"], "match_once": True})
    everyone = demo_participants(program, clock())
    mentor = next(p for p in everyone if p.role is Role.MENTOR)
    chosen, passed_over = [p for p in everyone if p.role is Role.MENTEE][:2]
    store_pair(services, "demo-copy", mentor, chosen, clock())
    services.participants.save(passed_over)
    services.rounds.matches.save_proposed(
        "demo-copy",
        "2026-03-02T0900Z",
        mentor=mentor.email,
        mentee=passed_over.email,
        score=70,
        reasons=(),
        now=clock(),
        status="suggested",
    )

    assert services.rounds.matches.met("demo-copy") == {frozenset((mentor.email, chosen.email))}
    pool = {
        p.email
        for p in round_pool(
            program,
            services.participants.for_program("demo-copy"),
            services.rounds.matches.met("demo-copy"),
        )
    }
    assert passed_over.email in pool
    assert chosen.email not in pool
