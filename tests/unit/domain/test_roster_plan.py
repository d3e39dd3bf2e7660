"""Comparing a roster with a program's people and the last import: the dry run's diff."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.participants import Participant, Role, Status
from portal.domain.roster import RosterRow
from portal.domain.roster_plan import (
    MARKED_INACTIVE,
    NEVER_INVITED,
    NEW_IN_ROSTER,
    NOT_IN_ROSTER,
    RosterEntry,
    RosterPlan,
    applied,
    plan_import,
)
from portal.presenters.roster import counts_words
from tests.factories import NOW, mentee, mentor, stored_person

LATER = NOW + timedelta(days=1)


def row(name: str, line: int, **fields: Any) -> RosterRow:
    """A Workday-like row for <name>@example.org, as the reader gives it."""
    email = f"{name.lower()}@example.org"
    fields.setdefault("address", f"{name}@Example.org")
    fields.setdefault("name", f"{name} Example")
    return RosterRow(line=line, email=email, **fields)


def entry(r: RosterRow, manager_email: str = "", **over: Any) -> RosterEntry:
    """The entry an import of `r` stored (invited once, a week ago, unless told otherwise)."""
    stored = RosterEntry(
        email=r.email,
        employee_id=r.employee_id,
        name=r.name,
        title=r.title,
        department=r.department,
        manager_email=manager_email or r.manager_email,
        manager_id=r.manager_id,
        location=r.location,
        timezone=r.timezone,
        seniority=r.seniority,
        address=r.address,
        active=r.active,
        invited_at=NOW - timedelta(days=7),
        invitations_sent=1,
    )
    return replace(stored, **over)


def emails(items: Any) -> list[str]:
    return [item.email if hasattr(item, "email") else item.row.email for item in items]


# -- One roster against a mix of people ------------------------------------------------------

GRACE = row("Grace", 2, employee_id="E5", title="Director", department="Engineering")
ADA = row("Ada", 3, employee_id="E1", department="Engineering", manager_id="E5")
BEN = row("Ben", 4, employee_id="E2", department="Sales", manager_id="E5", location="Leeds")
CLEO = row("Cleo", 5, employee_id="E3", title="Lead", department="Marketing", manager_id="E5")
DAN = row("Dan", 6, employee_id="E4", department="Sales", timezone="Europe/London")
EVE = row("Eve", 7, employee_id="E6", department="Sales", active=False)
KIM = row("Kim", 8, employee_id="E7", active=False)
LEE = row("Lee", 9, employee_id="E8", manager_id="E99")
ROSTER = (GRACE, ADA, BEN, CLEO, DAN, EVE, KIM, LEE)


def people() -> list[Participant]:
    """Grace mentors and Ada, Cleo, Dan, Eve are mentees; Finn and Gil were in an earlier
    roster; Jo signed up through the public form and was never in one."""
    return [
        stored_person("Grace", Role.MENTOR, NOW, "test"),
        stored_person("Ada", Role.MENTEE, NOW, "test"),  # signed up before any import
        replace(stored_person("Cleo", Role.MENTEE, NOW, "test"), department="Sales"),
        stored_person("Dan", Role.MENTEE, NOW, "test"),
        stored_person("Eve", Role.MENTEE, NOW, "test"),
        stored_person("Finn", Role.MENTOR, NOW, "test"),
        replace(stored_person("Gil", Role.MENTEE, NOW, "test"), status=Status.PAUSED),
        replace(stored_person("Hal", Role.MENTEE, NOW, "test"), status=Status.PAUSED),
        stored_person("Jo", Role.MENTEE, NOW, "test"),
    ]


def previous() -> dict[str, RosterEntry]:
    """What the last full import stored."""
    entries = [
        entry(GRACE),
        entry(replace(CLEO, title="Senior", department="Sales"), "grace@example.org"),
        entry(DAN),
        entry(replace(EVE, active=True)),
        entry(row("Finn", 10, employee_id="E10")),
        entry(row("Gil", 11, employee_id="E11")),
        entry(row("Hal", 12, employee_id="E12"), active=False),  # gone since an earlier file
        entry(row("Ivy", 13, employee_id="E13")),  # invited, never signed up
    ]
    return {e.email: e for e in entries}


def test_a_full_roster_invites_the_new_lists_the_known_and_the_changed_and_pauses_the_gone() -> (
    None
):
    plan = plan_import(ROSTER, people(), previous())

    assert [(i.row.email, i.reason) for i in plan.new] == [
        ("ben@example.org", NEW_IN_ROSTER),
        ("lee@example.org", NEW_IN_ROSTER),
    ]
    assert plan.to_invite == plan.new
    assert [(k.row.email, k.status, k.updates) for k in plan.known] == [
        ("ada@example.org", Status.CONFIRMED, ("department", "manager"))
    ]
    assert [(c.row.email, c.fields, c.matching) for c in plan.changed] == [
        ("cleo@example.org", ("title", "department"), ("department",))
    ]
    assert plan.changed[0].reaches_matching
    assert [(d.email, d.reason, d.line) for d in plan.gone] == [
        ("eve@example.org", MARKED_INACTIVE, 7),
        ("finn@example.org", NOT_IN_ROSTER, None),
        ("ivy@example.org", NOT_IN_ROSTER, None),
    ]
    by_email = {p.email: p for p in people()}
    assert [(d.email, d.participant_id) for d in plan.to_pause] == [
        ("eve@example.org", by_email["eve@example.org"].participant_id),
        ("finn@example.org", by_email["finn@example.org"].participant_id),
    ]
    assert plan.unchanged == 2  # Grace and Dan
    assert plan.inactive == 1  # Kim: marked inactive, never in the program
    assert counts_words(plan.numbers()) == (
        "2 new (invited), 1 already signed up, 1 changed, 3 gone (2 paused), 2 unchanged, "
        "1 marked inactive (not invited)"
    )


def test_the_updates_carry_the_roster_fields_into_the_sign_ups_the_matching_rules_read() -> None:
    plan = plan_import(ROSTER, people(), previous())
    by_email = {p.email: p for p in people()}

    updates = {u.entry.email: u for u in plan.to_update}
    assert sorted(updates) == ["ada@example.org", "cleo@example.org"]
    ada = updates["ada@example.org"]
    assert ada.participant_id == by_email["ada@example.org"].participant_id
    assert ada.participant == {"department": "Engineering", "reports_to": "grace@example.org"}
    assert ada.entry.manager_email == "grace@example.org"  # E5, found in the roster
    assert ada.entry.invitations_sent == 0  # she signed up herself: never invited
    # Cleo's title changed too, but a title is nobody's matching rule.
    assert updates["cleo@example.org"].participant == {"department": "Marketing"}
    assert updates["cleo@example.org"].entry.title == "Lead"


def test_a_manager_id_is_resolved_through_the_rosters_own_employee_ids() -> None:
    plan = plan_import(ROSTER, people(), previous())

    ben = next(i for i in plan.new if i.row.email == "ben@example.org")
    assert ben.entry.manager_email == "grace@example.org"
    assert ben.entry.manager_id == "E5"
    lee = next(i for i in plan.new if i.row.email == "lee@example.org")
    assert lee.entry.manager_email == ""  # E99 is nobody in this roster
    assert tuple(str(note) for note in plan.notes) == (
        "Row 9: manager id E99 is not in this roster; the manager is left unset.",
    )


def test_a_manager_email_given_beside_an_id_is_kept_as_given() -> None:
    direct = row("Max", 2, employee_id="E1", manager_id="E5", manager_email="boss@example.org")

    (invitation,) = plan_import([GRACE, direct], [], {}).new[1:]

    assert invitation.entry.manager_email == "boss@example.org"


def test_two_people_with_one_employee_id_leave_their_reports_manager_unset_with_a_note() -> None:
    twins = [row("One", 2, employee_id="E1"), row("Two", 3, employee_id="E1")]
    report = row("Rae", 4, manager_id="E1")

    plan = plan_import([*twins, report], [], {})

    assert plan.new[2].entry.manager_email == ""
    assert tuple(str(note) for note in plan.notes) == (
        "Row 4: manager id E1 belongs to more than one person in this roster; the manager is "
        "left unset.",
    )


def test_people_already_paused_or_left_are_not_paused_again() -> None:
    left = replace(mentee("Lou"), status=Status.LEFT)
    paused = replace(mentee("Pat"), status=Status.PAUSED)
    earlier = {
        "lou@example.org": entry(row("Lou", 2)),
        "pat@example.org": entry(row("Pat", 3)),
    }
    inactive_paused = row("Pia", 2, active=False)

    plan = plan_import(
        [inactive_paused], [left, paused, replace(mentee("Pia"), status=Status.PAUSED)], earlier
    )

    assert plan.gone == ()
    assert plan.to_pause == ()
    assert plan.unchanged == 1


def test_an_invited_person_marked_inactive_is_gone_with_nobody_to_pause() -> None:
    ivy = row("Ivy", 2)
    plan = plan_import([replace(ivy, active=False)], [], {ivy.email: entry(ivy)})

    assert [(d.email, d.reason, d.participant_id) for d in plan.gone] == [
        ("ivy@example.org", MARKED_INACTIVE, None)
    ]
    assert plan.to_pause == ()
    assert (
        counts_words(plan.numbers()) == "0 new (invited), 0 changed, 1 gone (0 paused), 0 unchanged"
    )


def test_a_partial_roster_pauses_nobody_for_being_missing() -> None:
    plan = plan_import(ROSTER, people(), previous(), full=False)

    assert [(d.email, d.reason) for d in plan.gone] == [("eve@example.org", MARKED_INACTIVE)]
    assert [d.email for d in plan.to_pause] == ["eve@example.org"]


def test_a_partial_roster_finds_a_manager_missing_from_it_in_the_last_import() -> None:
    ben = row("Ben", 2, manager_id="E10")  # Finn's id, stored by the last import
    earlier = previous()

    assert plan_import([ben], [], earlier, full=False).new[0].entry.manager_email == (
        "finn@example.org"
    )
    full = plan_import([ben], [], earlier)
    assert full.new[0].entry.manager_email == ""  # the whole company, and Finn is not in it
    assert tuple(str(note) for note in full.notes) == (
        "Row 2: manager id E10 is not in this roster; the manager is left unset.",
    )


def test_people_signed_up_in_any_status_are_known_and_not_invited() -> None:
    statuses = [Status.PENDING, Status.CONFIRMED, Status.PAUSED, Status.LEFT]
    names = ["Pen", "Con", "Pau", "Lef"]
    signed_up = [replace(mentee(n), status=s) for n, s in zip(names, statuses, strict=True)]
    rows = [row(n, line) for line, n in enumerate(names, start=2)]

    plan = plan_import(rows, signed_up, {})

    assert plan.new == ()
    assert [(k.row.email, k.status) for k in plan.known] == [(p.email, p.status) for p in signed_up]


def test_an_entry_never_invited_and_without_a_sign_up_is_invited() -> None:
    # Stored by an import while the person had a sign-up, which they have since erased.
    zoe = row("Zoe", 2)
    plan = plan_import([zoe], [], {zoe.email: entry(zoe, invited_at=None, invitations_sent=0)})

    assert [(i.row.email, i.reason) for i in plan.new] == [(zoe.email, NEVER_INVITED)]


def test_an_invited_person_who_has_not_signed_up_is_not_invited_again() -> None:
    ivy = row("Ivy", 2, title="Analyst")
    plan = plan_import([ivy], [], {ivy.email: entry(replace(ivy, title="Intern"))})

    assert plan.new == ()
    assert [(c.row.email, c.fields, c.reaches_matching) for c in plan.changed] == [
        (ivy.email, ("title",), False)
    ]
    assert plan.to_update[0].participant == {}


def test_a_name_or_title_change_does_not_reach_matching() -> None:
    dan = stored_person("Dan", Role.MENTEE, NOW, "test")
    plan = plan_import([replace(DAN, name="Daniel Example", title="Lead")], [dan], previous())

    (change,) = plan.changed
    assert change.fields == ("name", "title")
    assert change.matching == ()
    assert not change.reaches_matching
    assert plan.to_update[0].participant == {}


def test_manager_time_zone_and_seniority_changes_reach_matching() -> None:
    dan = stored_person("Dan", Role.MENTEE, NOW, "test")
    moved = replace(DAN, manager_email="grace@example.org", timezone="America/New_York")
    promoted = replace(moved, seniority="Senior (6-10 years)", location="New York")

    (change,) = plan_import([promoted], [dan], previous()).changed
    update = plan_import([promoted], [dan], previous()).to_update[0]

    assert change.fields == ("manager", "location", "time zone", "seniority")
    assert change.matching == ("manager", "time zone", "seniority")
    # The dry run shows each value before and after (an empty one as a dash).
    assert change.values[0] == ("manager", "—", "grace@example.org")
    assert change.values[2][0] == "time zone"
    assert change.values[2][2] == "America/New_York"
    assert update.participant == {
        "reports_to": "grace@example.org",
        "timezone": "America/New_York",
        "seniority": "senior",
    }


def test_a_time_zone_that_does_not_exist_is_not_written_into_a_sign_up() -> None:
    dan = stored_person("Dan", Role.MENTEE, NOW, "test")
    plan = plan_import([replace(DAN, timezone="Mars/Olympus")], [dan], previous())

    assert plan.changed[0].fields == ("time zone",)
    assert plan.to_update[0].participant == {}


def test_someone_back_in_the_roster_is_a_change_and_their_sign_up_stays_paused() -> None:
    pat = row("Pat", 2)
    paused = replace(mentee("Pat"), status=Status.PAUSED)

    plan = plan_import([pat], [paused], {pat.email: entry(pat, active=False)})

    assert [(c.row.email, c.fields) for c in plan.changed] == [(pat.email, ("status",))]
    assert plan.to_pause == ()
    assert tuple(str(note) for note in plan.notes) == (
        "Row 2: pat@example.org is back in the roster; their sign-up stays paused until an "
        "organizer resumes it.",
    )


def test_a_repeated_email_is_refused() -> None:
    with pytest.raises(ValueError, match=r"ada@example\.org more than once"):
        plan_import([ADA, replace(ADA, line=9)], [], {})


def test_the_plan_holds_the_rosters_fields_and_nothing_a_person_told_the_portal() -> None:
    secretive = replace(
        mentor("Grace", program="test"),
        bio="Private bio: my salary is 123,456",
        answers={"why": "A private answer about my health"},
        goals=("a secret goal",),
    )

    plan = plan_import(ROSTER, [secretive], {})

    text = repr(plan)
    for secret in ("salary", "private answer", "secret goal", "Participant("):
        assert secret not in text


# -- Idempotence -----------------------------------------------------------------------------


def test_planning_the_same_roster_after_applying_it_finds_nothing_to_do() -> None:
    first = plan_import(ROSTER, people(), previous())
    after = applied(previous(), first, LATER)

    again = plan_import(ROSTER, people(), after)

    assert again.new == again.changed == again.gone == again.known == again.to_update == ()
    assert again.is_empty
    assert again.unchanged == len(ROSTER) - 1  # Kim alone: marked inactive, never stored
    assert counts_words(again.numbers()) == (
        "0 new (invited), 0 changed, 0 gone (paused), 7 unchanged, 1 marked inactive (not invited)"
    )


def test_applying_records_the_invitations_and_marks_the_gone_inactive() -> None:
    plan = plan_import(ROSTER, people(), previous())

    after = applied(previous(), plan, LATER)

    assert after["ben@example.org"].invited_at == LATER
    assert after["ben@example.org"].invitations_sent == 1
    assert after["ben@example.org"].address == "Ben@Example.org"
    for gone in ("eve@example.org", "finn@example.org", "ivy@example.org"):
        assert not after[gone].active
    assert after["gil@example.org"] == previous()["gil@example.org"]  # paused already: as was
    assert after["cleo@example.org"].department == "Marketing"
    assert after["cleo@example.org"].invited_at == NOW - timedelta(days=7)  # kept
    assert "kim@example.org" not in after
    assert "jo@example.org" not in after  # signed up by the form, never in a roster


def test_removing_one_row_from_the_next_file_pauses_exactly_that_person() -> None:
    first = plan_import(ROSTER, people(), previous())
    after = applied(previous(), first, LATER)

    plan = plan_import([r for r in ROSTER if r is not DAN], people(), after)

    assert [(d.email, d.reason) for d in plan.gone] == [("dan@example.org", NOT_IN_ROSTER)]
    assert [d.email for d in plan.to_pause] == ["dan@example.org"]
    assert plan.new == plan.changed == plan.known == ()


NAMES = [f"p{n}" for n in range(8)]
EMPLOYEE_IDS = st.sampled_from(["", "E0", "E1", "E2", "E3", "E9"])
WORDS = st.sampled_from(["", "Sales", "Engineering"])


@st.composite
def states(draw: st.DrawFn) -> tuple[list[RosterRow], list[Participant], dict[str, RosterEntry]]:
    """A roster, a program's people and the last import's entries over eight addresses."""

    def fields() -> dict[str, Any]:
        return {
            "employee_id": draw(EMPLOYEE_IDS),
            "department": draw(WORDS),
            "title": draw(WORDS),
            "manager_id": draw(EMPLOYEE_IDS),
            "manager_email": draw(st.sampled_from(["", "p0@example.org"])),
            "timezone": draw(st.sampled_from(["", "Europe/Paris", "Nowhere/Atlantis"])),
            "seniority": draw(st.sampled_from(["", "mid", "Lead or principal (10+ years)", "?"])),
            "active": draw(st.booleans()),
        }

    in_roster = draw(st.lists(st.sampled_from(NAMES), unique=True))
    rows = [row(n, line, **fields()) for line, n in enumerate(in_roster, start=2)]
    people = [
        replace(
            mentee(n, program="test", department=draw(WORDS)),
            status=draw(st.sampled_from(list(Status))),
        )
        for n in draw(st.lists(st.sampled_from(NAMES), unique=True))
    ]
    stored = {}
    for n in draw(st.lists(st.sampled_from(NAMES), unique=True)):
        e = entry(row(n, 0, **fields()), manager_email=draw(st.sampled_from(["", "p1@x.org"])))
        sent = draw(st.integers(min_value=0, max_value=2))
        stored[e.email] = replace(e, invitations_sent=sent, invited_at=NOW if sent else None)
    return rows, people, stored


def paused(people: list[Participant], plan: RosterPlan) -> list[Participant]:
    """The people after the apply step: the gone paused, the roster's fields in sign-ups."""
    pause = {d.participant_id for d in plan.to_pause}
    sets = {u.participant_id: u.participant for u in plan.to_update if u.participant_id}
    return [
        replace(
            p,
            status=Status.PAUSED if p.participant_id in pause else p.status,
            **sets.get(p.participant_id, {}),
        )
        for p in people
    ]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(state=states(), full=st.booleans())
def test_a_roster_planned_against_what_applying_it_left_has_nothing_to_do(
    state: tuple[list[RosterRow], list[Participant], dict[str, RosterEntry]], full: bool
) -> None:
    rows, people, stored = state
    plan = plan_import(rows, people, stored, full=full)
    after = applied(stored, plan, LATER)

    for now_people in (people, paused(people, plan)):
        again = plan_import(rows, now_people, after, full=full)
        assert again.is_empty, again
        assert again.new == again.changed == again.gone == again.known == ()
    # Every row is counted once, in one kind.
    n = plan.numbers()
    assert n["new"] + n["known"] + n["changed"] + n["unchanged"] + n["inactive"] + sum(
        d.line is not None for d in plan.gone
    ) == len(rows)
    # Nobody is both invited and signed up, and nobody is paused twice.
    signed_up = {p.email for p in people}
    assert not {i.row.email for i in plan.new} & signed_up
    assert len({d.email for d in plan.gone}) == len(plan.gone)


def test_an_empty_cell_keeps_what_a_person_gave_until_the_roster_changes_it() -> None:
    bea = replace(mentee("Bea", program="test"), department="Research", seniority="mid")
    first = row("Bea", 2, title="Analyst")  # no department, no seniority in the file

    plan = plan_import([first], [bea], {})
    assert plan.known[0].updates == ()
    assert plan.to_update[0].participant == {}

    # A later file that drops a department the roster had given clears it.
    had = entry(replace(first, department="Research"))
    assert plan_import([first], [bea], {bea.email: had}).to_update[0].participant == {
        "department": ""
    }


def test_a_partial_roster_reads_the_ids_of_the_people_it_lists_from_itself() -> None:
    finn = row("Finn", 2, employee_id="E20")  # E10 in the last import
    ben = row("Ben", 3, manager_id="E10")

    plan = plan_import([finn, ben], [], previous(), full=False)

    assert [(i.row.email, i.entry.manager_email) for i in plan.new] == [(ben.email, "")]
    assert [(c.row.email, c.fields) for c in plan.changed] == [(finn.email, ("employee id",))]
    after = applied(previous(), plan, LATER)
    assert plan_import([finn, ben], [], after, full=False).is_empty
