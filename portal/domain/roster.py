"""A roster from an HR system, as the portal reads it: one row per person, in the portal's fields.

Issue 15 (roster import) builds on this: a file's table (portal.domain.roster_files), its
columns recognised from the Workday, BambooHR, SCIM and the portal's own names
(`guess_mapping`, checked by `check_mapping` once the organizer confirms or changes it), and
its rows read into RosterRows with every problem named by row and column (`parse_roster`).
Comparing a roster with a program's people comes next. Pure: no database, no email.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from portal.domain.addresses import AddressError, ascii_address, email_key, typed
from portal.domain.roster_files import Table, TableRow
from portal.i18n import N_, gettext

# The portal's fields a roster column can hold, in the order a mapping is shown.
FIELDS: tuple[str, ...] = (
    "email",
    "employee_id",
    "first_name",
    "last_name",
    "preferred_name",
    "name",
    "title",
    "department",
    "division",
    "manager_id",
    "manager_email",
    "location",
    "timezone",
    "seniority",
    "hire_date",
    "status",
)


@dataclass(frozen=True)
class RosterRow:
    """One person of a roster: `line` is the row's number in the file (the header is row 1),
    `email` their address in its comparison form (portal.domain.addresses.email_key), and
    `active` False when the roster marks them terminated or inactive."""

    line: int
    email: str
    address: str  # as the file wrote it (what email is sent to)
    employee_id: str = ""
    name: str = ""  # the preferred name if given, else first and last
    title: str = ""
    department: str = ""
    division: str = ""
    manager_id: str = ""
    manager_email: str = ""  # comparison form
    location: str = ""
    timezone: str = ""  # an IANA zone when the file gives one
    seniority: str = ""
    hire_date: str = ""  # as the file gives it (an XLSX date cell becomes YYYY-MM-DD)
    active: bool = True


# How a field is named to the organizer (the mapping's choices, the notes about it).
LABELS: dict[str, str] = {
    "email": N_("email address"),
    "employee_id": N_("employee id"),
    "first_name": N_("first name"),
    "last_name": N_("last name"),
    "preferred_name": N_("preferred name"),
    "name": N_("name"),
    "title": N_("job title"),
    "department": N_("department"),
    "division": N_("division"),
    "manager_id": N_("manager's employee id"),
    "manager_email": N_("manager's email address"),
    "location": N_("location"),
    "timezone": N_("time zone"),
    "seniority": N_("career stage"),
    "hire_date": N_("hire date"),
    "status": N_("status (active or not)"),
}

# Fields a roster names that an import reads (so the column is recognised, not taken for
# something else) but does not keep: nothing in the portal uses them.
NOT_KEPT: frozenset[str] = frozenset({"division", "hire_date"})

# The column names each field is recognised by: the portal's own (the field itself and the
# participants export's headings, portal/services/csv_exports.py), then Workday's,
# BambooHR's and SCIM's (with the enterprise extension's, whose URN prefix is dropped).
_NAMES: dict[str, tuple[str, ...]] = {
    "email": (
        "Email address",
        "Email - Primary Work",
        "workEmail",
        "emails",
        "emails[0].value",
        "emails.value",
        "Work email",
        "E-mail",
        "mail",
    ),
    "employee_id": ("Employee_ID", "employeeNumber", "Employee number", "Worker_ID"),
    "first_name": ("Legal_First_Name", "firstName", "givenName", "name.givenName"),
    "last_name": ("Legal_Last_Name", "lastName", "familyName", "name.familyName", "surname"),
    "preferred_name": ("preferredName", "Preferred_First_Name", "nickName"),
    "name": ("displayName", "name.formatted", "Full name", "Worker"),
    "title": ("businessTitle", "jobTitle", "Job title", "Business_Title"),
    "department": ("Supervisory Organization", "Department or team"),
    "division": (),
    "manager_id": ("Manager_ID", "supervisorId", "manager", "manager.value", "Supervisor_ID"),
    "manager_email": ("supervisorEmail", "Manager's email address", "Manager email"),
    "location": ("Work location",),
    "timezone": ("Time zone",),
    "seniority": ("Career stage", "Management_Level", "Job_Level"),
    "hire_date": ("hireDate",),
    "status": ("Worker_Status", "active", "Active_Status"),
}
# SCIM's userName is often, not always, the address: read it only when no column says email.
_EMAIL_FALLBACK = ("userName",)

# Status values that mean the person is no longer there: Workday's "Terminated", BambooHR's
# "Inactive", SCIM's active=false, yes/no and 1/0 columns, and the portal's own "left".
INACTIVE = frozenset({"terminated", "inactive", "false", "0", "no", "leave", "left"})
# Status values that begin so mean the same ("Terminated - Voluntary", "Retired 2026"); "On
# leave" or "Leave of absence" is someone still employed, and so still in the program.
INACTIVE_PREFIXES = ("terminat", "inactive", "retired", "deceased", "separated", "left ")


def is_active(status: str) -> bool:
    """Whether a roster's status value leaves the person active (an empty one does)."""
    value = status.strip().casefold()
    return value not in INACTIVE and not value.startswith(INACTIVE_PREFIXES)


MAX_CELL = 200  # characters a cell may hold
QUOTED = 40  # characters of a cell a message quotes, at most
# A cell that starts with + or - is text a spreadsheet leaves alone only when it is a number
# or a telephone number ("+44 20 7946 0958", "-3"); "-2+3+cmd|..." is a formula.
_NUMBER = re.compile(r"[+-][\d\s().-]*\d[\d\s().-]*")


def _key(header: str) -> str:
    """A column name as compared: no case, no punctuation, no SCIM URN before the last ":"."""
    tail = header.rsplit(":", 1)[-1]
    return "".join(ch for ch in tail.casefold() if ch.isalnum())


_RECOGNISED: dict[str, str] = {
    _key(name): field for field in FIELDS for name in (field, *_NAMES[field])
}
_FALLBACK: dict[str, str] = {_key(name): "email" for name in _EMAIL_FALLBACK}


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one cell of a row (or the row, when column_name is empty)."""

    line: int
    column_name: str
    message: str

    def __str__(self) -> str:
        # Said in the reader's language when shown (the CLI's is English).
        if self.column_name:
            return gettext(
                "row %(line)s, column “%(column)s”: %(problem)s",
                line=self.line,
                column=self.column_name,
                problem=self.message,
            )
        return gettext("row %(line)s: %(problem)s", line=self.line, problem=self.message)


class MappingError(ValueError):
    """The mapping cannot be used to read rows: `problems` says why (check_mapping's words)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def guess_mapping(headers: Sequence[str]) -> dict[int, str]:
    """Column positions (0-based) to the FIELDS their names are recognised as."""
    return _guess(headers)[0]


def mapping_notes(headers: Sequence[str]) -> list[str]:
    """What guess_mapping left out: each column named like a field another column holds."""
    return _guess(headers)[1]


def _guess(headers: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    mapping: dict[int, str] = {}
    notes: list[str] = []
    used: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = _RECOGNISED.get(_key(header))
        if field is None:
            continue
        if field in used:
            first = used[field]
            notes.append(
                gettext(
                    "Column %(number)s “%(header)s” also reads as the %(field)s: it is ignored, "
                    "and column %(first)s “%(first_header)s” is used.",
                    number=index + 1,
                    header=header,
                    field=gettext(LABELS[field]),
                    first=first + 1,
                    first_header=headers[first],
                )
            )
            continue
        mapping[index] = field
        used[field] = index
    if "email" not in used:
        for index, header in enumerate(headers):
            if index not in mapping and _key(header) in _FALLBACK:
                mapping[index] = "email"
                break
    return dict(sorted(mapping.items())), notes


def check_mapping(headers: Sequence[str], mapping: Mapping[int, str]) -> list[str]:
    """What makes a mapping (confirmed or changed by the organizer) unusable; none if fine."""
    problems: list[str] = []
    columns: dict[str, list[int]] = {}
    for index, field in sorted(mapping.items()):
        if not 0 <= index < len(headers):
            problems.append(
                gettext(
                    "Column %(number)s is not in the file: it has %(count)s columns.",
                    number=index + 1,
                    count=len(headers),
                )
            )
            continue
        if field not in FIELDS:
            problems.append(
                gettext(
                    "Column %(number)s “%(header)s” is mapped to “%(field)s”, which is not a "
                    "field the portal reads.",
                    number=index + 1,
                    header=headers[index],
                    field=field,
                )
            )
            continue
        columns.setdefault(field, []).append(index)
    for field, indexes in columns.items():
        if len(indexes) > 1:
            named = ", ".join(f"{i + 1} “{headers[i]}”" for i in indexes)
            problems.append(
                gettext(
                    "The %(field)s is chosen for %(count)s columns (%(columns)s): choose one.",
                    field=gettext(LABELS[field]),
                    count=len(indexes),
                    columns=named,
                )
            )
    if "email" not in columns:
        problems.append(
            gettext(
                "No column is chosen for the email address: the import needs each person's "
                "work email."
            )
        )
    return problems


def parse_roster(
    table: Table, mapping: Mapping[int, str]
) -> tuple[list[RosterRow], list[RowProblem]]:
    """The table's people, and a problem for each bad cell; a row with a problem is left out.

    Only the mapped columns are read (a formula in a column nobody imports is never kept).
    Raise MappingError when the mapping itself cannot be used (check_mapping says why).
    """
    mapping_problems = check_mapping(table.headers, mapping)
    if mapping_problems:
        raise MappingError(mapping_problems)
    columns = {field: index for index, field in mapping.items()}
    people: list[RosterRow] = []
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}  # email key -> the row it is first on
    for row in table.rows:
        reading = _RowReading(table, row, columns)
        person = reading.person(first_row)
        problems.extend(reading.problems)
        if person is not None and not reading.problems:
            people.append(person)
    return people, problems


class _RowReading:
    """One row read into a RosterRow, noting each problem by the column it is in."""

    def __init__(self, table: Table, row: TableRow, columns: Mapping[str, int]) -> None:
        self.table, self.row, self.columns = table, row, columns
        self.problems: list[RowProblem] = []
        self.values: dict[str, str] = {}
        self.bad: set[str] = set()  # fields whose cell already has a problem
        for field, index in columns.items():
            text = row.cell(index).strip()
            message = _cell_problem(text, index in row.formulas)
            if message:
                self.problem(field, message)
                self.bad.add(field)
            else:
                self.values[field] = text

    def problem(self, field: str, message: str) -> None:
        name = self.table.headers[self.columns[field]]
        self.problems.append(RowProblem(self.row.line, name, message))

    def person(self, first_row: dict[str, int]) -> RosterRow | None:
        get = self.values.get
        address, email = self.address(first_row)
        manager_id, manager_email = self.manager()
        zone = next((t for t in (get("timezone", ""), get("location", "")) if _is_zone(t)), "")
        typed_zone = get("timezone", "")
        location = get("location", "") or ("" if _is_zone(typed_zone) else typed_zone)
        given = get("preferred_name") or get("first_name", "")
        name = " ".join(p for p in (given, get("last_name", "")) if p) or get("name", "")
        if address is None:
            return None
        return RosterRow(
            line=self.row.line,
            email=email,
            address=address,
            employee_id=get("employee_id", ""),
            name=name,
            title=get("title", ""),
            department=get("department", ""),
            division=get("division", ""),
            manager_id=manager_id,
            manager_email=manager_email,
            location=location,
            timezone=zone,
            seniority=get("seniority", ""),
            hire_date=get("hire_date", ""),
            active=is_active(get("status", "")),
        )

    def address(self, first_row: dict[str, int]) -> tuple[str | None, str]:
        """The address as typed and its key; None when the cell is bad, noting why."""
        if "email" in self.bad:
            return None, ""
        text = self.values.get("email", "")
        found = _first_address(text)
        if not found:
            self.problem("email", gettext("no email address"))
            return None, ""
        checked = self.checked("email", found)
        if checked is None:
            return None, ""
        address, key = checked
        if key in first_row:
            self.problem(
                "email",
                gettext(
                    "“%(address)s” is already on row %(row)s",
                    address=_short(found),
                    row=first_row[key],
                ),
            )
            return None, ""
        first_row[key] = self.row.line
        return address, key

    def manager(self) -> tuple[str, str]:
        """The manager's employee id and address key; a manager column may hold either."""
        manager_id = _scim_value(self.values.get("manager_id", ""))
        text = self.values.get("manager_email", "")
        if not text and "@" in manager_id:
            # SCIM's and some exports' "manager" holds the manager's address, not an id.
            text, manager_id, field = manager_id, "", "manager_id"
        else:
            field = "manager_email"
        found = _first_address(text)
        if not found:
            return manager_id, ""
        checked = self.checked(field, found)
        return manager_id, checked[1] if checked else ""

    def checked(self, field: str, found: str) -> tuple[str, str] | None:
        """(as typed, key) of an address mail can be sent to; None, noting why, if not."""
        try:
            address = typed(found)
        except AddressError:
            self.problem(field, gettext("“%(text)s” is not an email address", text=_short(found)))
            return None
        try:
            ascii_address(found)
        except AddressError:
            self.problem(
                field,
                gettext(
                    "“%(text)s” cannot be written to: the portal's mail needs the part before "
                    "the @ in plain ASCII letters",
                    text=_short(found),
                ),
            )
            return None
        return address, email_key(found)


def _cell_problem(text: str, formula: bool) -> str:
    """What is wrong with a cell's stripped text on its own; "" when nothing is."""
    if formula:
        return gettext(
            "“%(text)s” is a formula, not a value: copy the column and paste it back as values",
            text=_short(text),
        )
    if _formula_like(text):
        return gettext(
            "“%(text)s” starts with “%(sign)s”, so a spreadsheet would run it as a formula: "
            "remove the sign or correct the cell",
            text=_short(text),
            sign=text[0],
        )
    if len(text) > MAX_CELL:
        return gettext(
            "%(length)s characters, more than the %(max)s a cell may hold",
            length=len(text),
            max=MAX_CELL,
        )
    return ""


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet would read the cell as a formula (CSV injection, per OWASP)."""
    if not text:
        return False
    if text[0] in "=@":
        return True
    # A lone sign is no formula (exports write "-" for nothing).
    return text[0] in "+-" and len(text) > 1 and not _NUMBER.fullmatch(text)


def _short(text: str) -> str:
    """A cell as a message quotes it: never more than QUOTED characters of it."""
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def _first_address(text: str) -> str:
    """The first address of a cell that may list several: "a@x.org; b@y.org", or SCIM's
    JSON (the one marked primary if any, else the first)."""
    if text.startswith(("[", "{")):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        items = value if isinstance(value, list) else [value]
        primary = [i for i in items if isinstance(i, dict) and i.get("primary") is True]
        for item in primary + items:
            found = item.get("value") if isinstance(item, dict) else item
            if isinstance(found, str) and found.strip():
                return found.strip()
        return ""
    return next((p.strip() for p in re.split(r"[;,]", text) if p.strip()), "")


def _scim_value(text: str) -> str:
    """A SCIM reference's value ({"value": "26118915", ...}), or the text itself."""
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return str(value["value"]).strip()
    return text


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _is_zone(text: str) -> bool:
    """Whether the text names an IANA time zone ("Europe/Paris"), as zoneinfo knows them."""
    return text in _zones()
