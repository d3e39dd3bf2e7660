"""A roster from an HR system, as the portal reads it: one row per person, in the portal's fields.

Issue 15 (roster import) builds on this: reading CSV and XLSX files and recognising their
columns (Workday, BambooHR, SCIM and the portal's own names), then comparing a roster with a
program's people. Pure: no database, no email.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    manager_id: str = ""
    manager_email: str = ""  # comparison form
    location: str = ""
    timezone: str = ""  # an IANA zone when the file gives one
    seniority: str = ""
    active: bool = True
