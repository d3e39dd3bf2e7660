"""Participants from a CSV or JSON file (an HR export, a spreadsheet), checked row by row."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.domain.addresses import email_key
from portal.domain.participants import (
    SENIORITY_KEYS,
    SENIORITY_LEVELS,
    SLOTS,
    Participant,
    Role,
    Status,
)
from portal.domain.program import Program

STANDARD_COLUMNS = (
    "role",
    "name",
    "email",
    "languages",
    "timezone",
    "availability",
    "skills",
    "goals",
    "department",
    "seniority",
    "capacity",
    "reports_to",
    "rounds_waited",
)
REQUIRED_COLUMNS = ("role", "name", "email", "languages", "timezone")
MAX_ERRORS = 50
# The most rounds a file may say someone waited (a count beyond it is surely a typo).
MAX_ROUNDS_WAITED = 1000
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_SENIORITY_BY_LABEL = {label.casefold(): key for key, label in SENIORITY_LEVELS}


class ImportProblem(Exception):
    """The file cannot be used; `errors` lists each problem with its row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class _Row:
    number: int
    values: Mapping[str, Any]


def parse_participants(text: str, program: Program, *, kind: str) -> list[Participant]:
    """Participants from CSV (`kind="csv"`) or JSON text; raise ImportProblem listing bad rows."""
    rows = _json_rows(text) if kind == "json" else _csv_rows(text)
    errors: list[str] = []
    people: list[Participant] = []
    seen: dict[str, int] = {}
    for row in rows:
        if len(errors) >= MAX_ERRORS:
            break
        person = _participant(row, program, errors)
        if person is None:
            continue
        if person.email in seen:
            errors.append(
                f"row {row.number}, column email: {person.email} is already on "
                f"row {seen[person.email]}"
            )
            continue
        seen[person.email] = row.number
        people.append(person)
    if errors:
        if len(errors) >= MAX_ERRORS:
            errors = errors[:MAX_ERRORS]
            errors.append(f"(stopped after {MAX_ERRORS} problems)")
        raise ImportProblem(errors)
    return people


def _csv_rows(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None:
        raise ImportProblem(["the file is empty: expected a header row naming the columns"])
    header = [(name or "").strip().lower() for name in reader.fieldnames]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportProblem(
            [f"row 1: missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"]
        )
    rows = []
    try:
        for record in reader:
            index = reader.line_num  # the spreadsheet's row number, blank lines counted
            if None in record:
                rows.append(_Row(index, {"__extra__": record[None]}))
                continue
            values = {
                (key or "").strip().lower(): (value or "").strip() for key, value in record.items()
            }
            if any(values.values()):
                rows.append(_Row(index, values))
    except csv.Error as exc:
        raise ImportProblem([f"row {reader.line_num}: not valid CSV: {exc}"]) from None
    return rows


def _json_rows(text: str) -> list[_Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            [f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    if isinstance(data, dict) and isinstance(data.get("participants"), list):
        data = data["participants"]
    if not isinstance(data, list):
        raise ImportProblem(['expected a JSON list of participants (or {"participants": [...]})'])
    rows = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            rows.append(_Row(index, {"__not_object__": True}))
        else:
            rows.append(_Row(index, {str(k).strip().lower(): v for k, v in item.items()}))
    return rows


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        raise TypeError
    return str(value).strip()


def _participant(row: _Row, program: Program, errors: list[str]) -> Participant | None:
    where = f"row {row.number}"
    values = row.values
    if "__not_object__" in values:
        errors.append(f"{where}: expected an object with the participant's fields")
        return None
    if "__extra__" in values:
        errors.append(f"{where}: more cells than columns in the header")
        return None
    before = len(errors)

    def problem(column: str, message: str) -> None:
        errors.append(f"{where}, column {column}: {message}")

    def text(column: str, limit: int = 200) -> str:
        try:
            value = _text(values.get(column))
        except TypeError:
            problem(column, "expected text, not a list")
            return ""
        if len(value) > limit:
            problem(column, f"longer than {limit} characters")
        return value

    role_text = text("role").lower()
    roles = program.roles
    if role_text not in roles:
        problem(
            "role", f"{role_text!r} is not one of {', '.join(roles)}" if role_text else "is empty"
        )
    name = text("name", 100)
    if not name:
        problem("name", "is empty")
    typed_email = text("email", 254)
    if not _EMAIL.match(typed_email):
        problem("email", f"{typed_email!r} is not an email address" if typed_email else "is empty")
    # Compared as the forms compare them (lower case, IDNA2008 domain), shown as typed.
    email = email_key(typed_email)
    languages = _items(values.get("languages"))
    if not languages:
        problem("languages", "is empty: list at least one, separated by ;")
    timezone = text("timezone")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problem(
            "timezone",
            f"{timezone!r} is not an IANA time zone such as Europe/London"
            if timezone
            else "is empty",
        )
    availability = [slot.lower() for slot in _items(values.get("availability"))]
    wrong_slots = [slot for slot in availability if slot not in SLOTS]
    if wrong_slots:
        problem(
            "availability",
            f"{wrong_slots[0]!r} is not a slot such as mon-morning, wed-afternoon or sat-evening",
        )
    topics = {t.casefold(): t for t in program.topics}
    skills = _topics("skills", values.get("skills"), topics, problem)
    goals = _topics("goals", values.get("goals"), topics, problem)
    seniority_text = text("seniority").lower()
    seniority = _SENIORITY_BY_LABEL.get(seniority_text, seniority_text)
    if seniority and seniority not in SENIORITY_KEYS:
        problem("seniority", f"{seniority_text!r} is not one of {', '.join(SENIORITY_KEYS)}")
    capacity_text = text("capacity") or "1"
    try:
        capacity = int(capacity_text)
        if capacity < 1 or capacity > 20:
            raise ValueError
    except ValueError:
        problem("capacity", f"{capacity_text!r} is not a whole number from 1 to 20")
        capacity = 1
    waited_text = text("rounds_waited") or "0"
    try:
        rounds_waited = int(waited_text)
        if not 0 <= rounds_waited <= MAX_ROUNDS_WAITED:
            raise ValueError
    except ValueError:
        problem(
            "rounds_waited",
            f"{waited_text!r} is not a whole number of rounds from 0 to {MAX_ROUNDS_WAITED}",
        )
        rounds_waited = 0
    reports_to_typed = text("reports_to", 254)
    if reports_to_typed and not _EMAIL.match(reports_to_typed):
        problem("reports_to", f"{reports_to_typed!r} is not an email address")
    reports_to = email_key(reports_to_typed) if reports_to_typed else ""
    answers: dict[str, str | list[str]] = {}
    for question in program.questions:
        raw = values.get(question.key)
        if question.required and not _items(raw):
            problem(question.key, "is required by the program and is empty")
            continue
        if question.type == "multi":
            chosen = _items(raw)
            unknown = [c for c in chosen if c not in question.choices]
            if unknown:
                problem(question.key, f"{unknown[0]!r} is not one of {', '.join(question.choices)}")
            if chosen:
                answers[question.key] = chosen
        else:
            try:
                answer = _text(raw)
            except TypeError:
                problem(question.key, "expected one answer, not a list")
                continue
            if question.type == "choice" and answer and answer not in question.choices:
                problem(question.key, f"{answer!r} is not one of {', '.join(question.choices)}")
            if answer:
                answers[question.key] = answer[:200]
    if len(errors) > before:
        return None
    role = Role(role_text)
    return Participant(
        program=program.slug,
        email=email,
        participant_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{program.slug}:{email}").hex,
        role=role,
        name=name,
        timezone=timezone,
        languages=tuple(languages),
        availability=tuple(availability),
        skills=tuple(skills),
        goals=tuple(goals),
        department=text("department", 100),
        reports_to=reports_to,
        seniority=seniority,
        capacity=capacity,
        answers=answers,
        rounds_waited=rounds_waited,
        status=Status.CONFIRMED,
        address=typed_email,
    )


def _topics(column: str, raw: Any, topics: Mapping[str, str], problem: Any) -> list[str]:
    chosen = []
    for item in _items(raw):
        canonical = topics.get(item.casefold())
        if canonical is None:
            problem(column, f"{item!r} is not one of the program's topics")
        else:
            chosen.append(canonical)
    return chosen


def header_for(program: Program) -> list[str]:
    """The columns of the import format for a program, for documentation and templates."""
    return [*STANDARD_COLUMNS, *(q.key for q in program.questions)]


def as_rows(people: Iterable[Participant], program: Program) -> list[dict[str, str]]:
    """Participants in the import format (the inverse of parse_participants, for CSV)."""
    rows = []
    for p in people:
        row = {
            "role": p.role.value,
            "name": p.name,
            "email": p.email,
            "languages": ";".join(p.languages),
            "timezone": p.timezone,
            "availability": ";".join(p.availability),
            "skills": ";".join(p.skills),
            "goals": ";".join(p.goals),
            "department": p.department,
            "seniority": p.seniority,
            "capacity": str(p.capacity),
            "reports_to": p.reports_to,
            "rounds_waited": str(p.rounds_waited),
        }
        for question in program.questions:
            answer = p.answers.get(question.key, "")
            row[question.key] = ";".join(answer) if isinstance(answer, list) else answer
        rows.append(row)
    return rows
