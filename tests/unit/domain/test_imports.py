"""Importing participants from CSV or JSON: good files load, every bad row is named."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from portal.domain.imports import ImportProblem, as_rows, header_for, parse_participants
from portal.domain.participants import Participant, Status
from tests.factories import mentee, mentor, program

PROGRAM = program(
    questions=[
        {
            "key": "industry",
            "label": "Industry?",
            "type": "choice",
            "choices": ["Tech", "Finance", "Health"],
            "match": "same",
        },
        {
            "key": "meeting",
            "label": "How would you like to meet?",
            "type": "multi",
            "choices": ["Video", "Phone", "Chat"],
            "match": "overlap",
        },
    ]
)
PEOPLE = (
    mentor(
        "Ana",
        skills=["Python", "SQL"],
        capacity=2,
        seniority="senior",
        department="IT",
        availability=["mon-evening", "sat-morning"],
        languages=["English", "Spanish"],
        answers={"industry": "Tech", "meeting": ["Video", "Chat"]},
    ),
    mentee(
        "Ben",
        goals=["Python"],
        timezone="America/New_York",
        reports_to="ana@example.org",
        answers={"industry": "Health"},
    ),
    mentee("Cy", goals=["leadership"], timezone="Asia/Kolkata", seniority="early"),
)
FIELDS = (
    "role",
    "name",
    "email",
    "timezone",
    "languages",
    "availability",
    "skills",
    "goals",
    "department",
    "reports_to",
    "seniority",
    "capacity",
    "answers",
)


def csv_text(rows: Iterable[Mapping[str, str]], header: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or header_for(PROGRAM), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def good_rows() -> list[dict[str, str]]:
    return as_rows(PEOPLE, PROGRAM)


def json_rows() -> list[dict[str, Any]]:
    return [
        {
            "role": p.role.value,
            "name": p.name,
            "email": p.email,
            "languages": list(p.languages),
            "timezone": p.timezone,
            "availability": list(p.availability),
            "skills": list(p.skills),
            "goals": list(p.goals),
            "department": p.department,
            "reports_to": p.reports_to,
            "seniority": p.seniority,
            "capacity": p.capacity,
            **p.answers,
        }
        for p in PEOPLE
    ]


def problems(text: str, kind: str = "csv") -> list[str]:
    with pytest.raises(ImportProblem) as caught:
        parse_participants(text, PROGRAM, kind=kind)
    return caught.value.errors


def same_people(loaded: list[Participant], expected: Iterable[Participant]) -> None:
    assert [{f: getattr(p, f) for f in FIELDS} for p in loaded] == [
        {f: getattr(p, f) for f in FIELDS} for p in expected
    ]


# -- good files -------------------------------------------------------------------------------


def test_a_good_csv_file_loads_everyone() -> None:
    loaded = parse_participants(csv_text(good_rows()), PROGRAM, kind="csv")
    same_people(loaded, PEOPLE)
    assert all(p.status is Status.CONFIRMED for p in loaded)
    assert all(p.program == PROGRAM.slug for p in loaded)
    assert len({p.participant_id for p in loaded}) == len(loaded)


def test_a_good_json_file_loads_everyone() -> None:
    loaded = parse_participants(json.dumps(json_rows()), PROGRAM, kind="json")
    same_people(loaded, PEOPLE)


def test_json_may_wrap_the_list_in_an_object() -> None:
    loaded = parse_participants(json.dumps({"participants": json_rows()}), PROGRAM, kind="json")
    same_people(loaded, PEOPLE)


def test_csv_and_json_give_the_same_participants() -> None:
    from_csv = parse_participants(csv_text(good_rows()), PROGRAM, kind="csv")
    from_json = parse_participants(json.dumps(json_rows()), PROGRAM, kind="json")
    assert from_csv == from_json


def test_a_spreadsheet_export_is_read_forgivingly() -> None:
    # A byte-order mark, headers in any case, a blank spreadsheet row, labels for seniority,
    # topics in any case, and an upper-case email.
    text = (
        "\ufeffRole, Name ,EMAIL,Languages,TimeZone,Skills,Seniority\n"
        "mentor,Ana,Ana@Example.org,English; Spanish,Europe/London,python;SQL,"
        "Senior (6-10 years)\n"
        ",,,,,,\n"
        "mentee,Ben,ben@example.org,English,UTC,,\n"
    )
    ana, ben = parse_participants(text, PROGRAM, kind="csv")
    assert ana.email == "ana@example.org"
    assert ana.languages == ("English", "Spanish")
    assert ana.skills == ("Python", "SQL")
    assert ana.seniority == "senior"
    assert ben.capacity == 1


def test_a_header_alone_is_an_empty_pool() -> None:
    assert parse_participants(csv_text([]), PROGRAM, kind="csv") == []


# -- bad rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("role", "boss", "row 3, column role: 'boss' is not one of mentee, mentor"),
        ("role", "", "row 3, column role: is empty"),
        ("name", "", "row 3, column name: is empty"),
        ("email", "ben.example.org", "row 3, column email: 'ben.example.org' is not an email"),
        ("email", "", "row 3, column email: is empty"),
        ("languages", "", "row 3, column languages: is empty"),
        ("timezone", "Mars/Olympus", "row 3, column timezone: 'Mars/Olympus' is not an IANA"),
        ("timezone", "", "row 3, column timezone: is empty"),
        ("availability", "mon-night", "row 3, column availability: 'mon-night' is not a slot"),
        ("skills", "knitting", "row 3, column skills: 'knitting' is not one of the program's"),
        ("goals", "Python;knitting", "row 3, column goals: 'knitting' is not one of the"),
        ("seniority", "guru", "row 3, column seniority: 'guru' is not one of student"),
        ("capacity", "0", "row 3, column capacity: '0' is not a whole number from 1 to 20"),
        ("capacity", "21", "row 3, column capacity: '21' is not a whole number from 1 to 20"),
        ("capacity", "two", "row 3, column capacity: 'two' is not a whole number"),
        ("capacity", "1.5", "row 3, column capacity: '1.5' is not a whole number"),
        ("reports_to", "the boss", "row 3, column reports_to: 'the boss' is not an email"),
        ("industry", "Farming", "row 3, column industry: 'Farming' is not one of Tech, Finance"),
        ("meeting", "Video;Pigeon", "row 3, column meeting: 'Pigeon' is not one of Video, Phone"),
    ],
)
def test_a_bad_cell_is_reported_with_its_row_and_column(
    column: str, value: str, message: str
) -> None:
    rows = good_rows()
    rows[1][column] = value  # Ben, on row 3 under the header
    errors = problems(csv_text(rows))
    assert len(errors) == 1, errors
    assert errors[0].startswith(message), errors


def test_a_repeated_email_is_reported_on_the_later_row() -> None:
    rows = good_rows()
    rows[2]["email"] = "ANA@example.org"
    assert problems(csv_text(rows)) == ["row 4, column email: ana@example.org is already on row 2"]


def test_every_bad_row_is_reported_and_nobody_is_loaded() -> None:
    rows = good_rows()
    rows[0]["timezone"] = "Europe/Londres"
    rows[2]["role"] = "guest"
    rows[2]["capacity"] = "-1"
    errors = problems(csv_text(rows))
    assert [e.split(":")[0] for e in errors] == [
        "row 2, column timezone",
        "row 4, column role",
        "row 4, column capacity",
    ]


def test_a_missing_required_column_is_named() -> None:
    header = [c for c in header_for(PROGRAM) if c != "timezone"]
    rows = [{k: v for k, v in row.items() if k in header} for row in good_rows()]
    assert problems(csv_text(rows, header)) == ["row 1: missing column: timezone"]


def test_several_missing_columns_are_named_together() -> None:
    assert problems("name,role\nAna,mentor\n") == [
        "row 1: missing columns: email, languages, timezone"
    ]


def test_more_cells_than_columns_is_reported() -> None:
    text = "role,name,email,languages,timezone\nmentor,Ana,ana@example.org,English,UTC,extra\n"
    assert problems(text) == ["row 2: more cells than columns in the header"]


@pytest.mark.parametrize("text", ["", "\ufeff"])
def test_an_empty_csv_file_is_reported(text: str) -> None:
    assert problems(text) == ["the file is empty: expected a header row naming the columns"]


@pytest.mark.parametrize("text", ["", "   ", "{not json", "[{}"])
def test_json_that_does_not_parse_is_reported(text: str) -> None:
    [error] = problems(text, "json")
    assert error.startswith("not valid JSON: ")
    assert "(line 1, column " in error


@pytest.mark.parametrize("data", [{"people": []}, "participants", 5, None])
def test_json_that_is_not_a_list_is_reported(data: object) -> None:
    assert problems(json.dumps(data), "json") == [
        'expected a JSON list of participants (or {"participants": [...]})'
    ]


def test_a_json_item_that_is_not_an_object_is_reported() -> None:
    assert problems(json.dumps([json_rows()[0], ["Ben"]]), "json") == [
        "row 2: expected an object with the participant's fields"
    ]


def test_json_rows_are_numbered_from_one() -> None:
    rows = json_rows()
    rows[0]["timezone"] = "Nowhere"
    rows[2]["industry"] = ["Tech", "Health"]
    errors = problems(json.dumps(rows), "json")
    assert errors[0].startswith("row 1, column timezone: 'Nowhere'")
    assert errors[1] == "row 3, column industry: expected one answer, not a list"


def test_a_list_where_text_is_expected_is_reported() -> None:
    rows = json_rows()
    rows[1]["name"] = ["Ben", "Bennett"]
    errors = problems(json.dumps(rows), "json")
    assert errors[0] == "row 2, column name: expected text, not a list"
    assert all(e.startswith("row 2, column name: ") for e in errors)


def test_rows_after_a_blank_line_keep_their_numbers() -> None:
    text = (
        "role,name,email,languages,timezone\n"
        "mentor,Ana,ana@example.org,English,UTC\n"
        "\n"
        "mentee,Ben,ben@example.org,English,Mars/Olympus\n"
    )
    [error] = problems(text)
    assert error.startswith("row 4, column timezone"), error


def test_a_file_of_bad_rows_stops_after_fifty_problems() -> None:
    text = "role,name,email,languages,timezone\n" + "".join(
        f"boss,P{n},p{n}@example.org,English,UTC\n" for n in range(120)
    )
    errors = problems(text)
    assert errors[-1] == "(stopped after 50 problems)"
    assert len(errors) == 51  # the first 50 of the 120 bad rows, and the note
    assert [error.split(",")[0] for error in errors[:50]] == [f"row {n}" for n in range(2, 52)]


def test_rounds_waited_is_read_for_a_dry_run_of_the_waiting_bonus() -> None:
    rows = good_rows()
    rows[0]["rounds_waited"] = "3"
    rows[1]["rounds_waited"] = ""
    loaded = parse_participants(csv_text(rows), PROGRAM, kind="csv")
    assert [p.rounds_waited for p in loaded[:2]] == [3, 0]
    as_json = json_rows()
    as_json[0]["rounds_waited"] = 2
    again = parse_participants(json.dumps(as_json), PROGRAM, kind="json")
    assert again[0].rounds_waited == 2


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "5000"])
def test_a_wrong_rounds_waited_is_named_with_its_row(value: str) -> None:
    rows = good_rows()
    rows[1]["rounds_waited"] = value
    assert problems(csv_text(rows)) == [
        f"row 3, column rounds_waited: {value!r} is not a whole number of rounds from 0 to 1000"
    ]
