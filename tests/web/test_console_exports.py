"""The console's exports: three CSV files streamed and audited, and the printable summary."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pynamodb.connection.base import Connection
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.checkins import match_ref
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers
from tests.conftest import FakeClock, csrf_token, links_in, plain
from tests.factories import pair, stored_person
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

EXPORTS = "/organize/programs/demo/exports"
SUMMARY = "/organize/programs/demo/summary"
FRIDAY = datetime(2026, 4, 10, 8, 0, tzinfo=UTC)  # the demo's summary time, in London
NOTE = "Private: he keeps cancelling"

PARTICIPANTS = [
    "Participant id", "Name", "Email address", "Role", "Status", "Signed up (UTC)",
    "Confirmed (UTC)", "Active matches", "Capacity", "Department or team", "Time zone",
    "Languages", "Waiting for a match since (UTC)",
]  # fmt: skip
MATCHES = [
    "Match id", "Round", "Mentor", "Mentee", "Status", "Created (UTC)", "Both agreed (UTC)",
    "Ended (UTC)", "End reason", "Score",
]  # fmt: skip
CHECKINS = ["Match id", "Written (UTC)", "Written by", "Met", "Rating (1 to 5)"]


def populate(services: Services, clock: FakeClock) -> list[Any]:
    """Three pairs and a person waiting; four check-ins, one with a private note."""
    start = FRIDAY - timedelta(days=30)
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", start) for n in range(3)]
    services.participants.save(stored_person("Wanda", Role.MENTEE, start))
    for n, match in enumerate(matches):
        clock.now = FRIDAY - timedelta(days=3 - n)
        services.checkins.record(
            "demo", match.match_id, f"mentor{n}@example.org", CheckinAnswers(met=True)
        )
    clock.now = FRIDAY - timedelta(days=1)
    services.checkins.record(
        "demo",
        matches[0].match_id,
        "mentee0@example.org",
        CheckinAnswers(met=False, satisfaction=2, note=NOTE),
    )
    clock.now = FRIDAY
    return matches


def download(
    client: FlaskClient, kind: str, columns: str = "default", **kwargs: Any
) -> TestResponse:
    page = client.get(EXPORTS)
    assert page.status_code == 200
    return client.post(
        f"{EXPORTS}/{kind}.csv",
        data={"csrf_token": csrf_token(page.text), "columns": columns},
        **kwargs,
    )


def table(response: TestResponse) -> tuple[list[str], list[dict[str, str]]]:
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")  # the byte order mark Excel needs to read UTF-8
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture
def signed_in(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> list[Any]:
    matches = populate(services, clock)
    sign_in_as_organizer(client, mailbox)
    return matches


def test_the_page_offers_three_files_and_says_downloads_are_audited(
    client: FlaskClient, signed_in: list[Any]
) -> None:
    page = client.get(EXPORTS)

    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    doc = parse(page.text)
    buttons = [b.text.strip() for b in doc.find_all("button") if b.get("name") == "columns"]
    assert buttons == [
        f"Download {kind}.csv{extra}"
        for kind in ("participants", "matches", "checkins")
        for extra in ("", " with all columns")
    ]
    assert "Each download is recorded in the audit log" in " ".join(doc.text.split())
    assert all(f.get("method") == "post" for f in doc.find_all("form") if "exports" in str(f))


def test_each_file_has_its_usual_columns_and_a_row_per_record(
    client: FlaskClient, services: Services, signed_in: list[Any]
) -> None:
    header, people = table(download(client, "participants"))
    assert header == PARTICIPANTS
    assert sorted(p["Name"] for p in people) == sorted(
        [f"Mentor{n} Example" for n in range(3)]
        + [f"Mentee{n} Example" for n in range(3)]
        + ["Wanda Example"]
    )
    wanda = next(p for p in people if p["Name"] == "Wanda Example")
    assert (wanda["Role"], wanda["Status"], wanda["Email address"]) == (
        "mentee",
        "confirmed",
        "wanda@example.org",
    )

    header, matches = table(download(client, "matches"))
    assert header == MATCHES
    assert len(matches) == 3
    first = next(m for m in matches if m["Mentor"] == "Mentor0 Example")
    assert first["Mentee"] == "Mentee0 Example"
    assert first["Status"] == "active"
    assert first["Match id"] == match_ref(signed_in[0].match_id)

    header, checkins = table(download(client, "checkins"))
    assert header == CHECKINS
    assert len(checkins) == 4
    low = next(c for c in checkins if c["Written by"] == "Mentee0 Example")
    assert (low["Met"], low["Rating (1 to 5)"], low["Match id"]) == ("no", "2", first["Match id"])
    assert NOTE not in download(client, "checkins").get_data(as_text=True)


def test_all_columns_add_every_stored_field_and_the_programs_questions(
    client: FlaskClient, services: Services, signed_in: list[Any]
) -> None:
    header, people = table(download(client, "participants", "all"))
    assert header[: len(PARTICIPANTS)] == PARTICIPANTS
    demo = services.programs.get("demo")
    assert demo is not None
    assert demo.questions
    for extra in ("Email address as compared", "Career stage", "Goals", "Privacy notice version"):
        assert extra in header
    for question in demo.questions:
        assert question.label in header
    assert len(people) == 7

    header, _ = table(download(client, "matches", "all"))
    assert header[: len(MATCHES)] == MATCHES
    assert {"Mentor email address", "Why they were matched", "Stored match key"} <= set(header)

    header, checkins = table(download(client, "checkins", "all"))
    assert header[: len(CHECKINS)] == CHECKINS
    assert "Note to the organizers" in header
    assert [c["Note to the organizers"] for c in checkins if c["Note to the organizers"]] == [NOTE]
    text = download(client, "participants", "all").get_data(as_text=True)
    assert "token" not in text.lower()  # no secret is a column


def test_a_cell_a_spreadsheet_would_run_is_text(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    names = ["=HYPERLINK(1)", "+1 cmd", "-2+3", "@SUM(A1)", "Plain Name"]
    for n, name in enumerate(names):
        someone = stored_person(f"Evil{n}", Role.MENTEE, clock())
        services.participants.save(replace(someone, name=name))
    sign_in_as_organizer(client, mailbox)

    _, people = table(download(client, "participants"))

    assert sorted(p["Name"] for p in people) == sorted(
        ["'=HYPERLINK(1)", "'+1 cmd", "'-2+3", "'@SUM(A1)", "Plain Name"]
    )


def test_a_download_is_an_attachment_not_kept_and_audited(
    client: FlaskClient, services: Services, signed_in: list[Any], clock: FakeClock
) -> None:
    first = download(client, "participants")
    clock.advance(seconds=1)
    download(client, "checkins", "all")

    assert first.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert first.headers["Content-Disposition"] == (
        'attachment; filename="demo-participants-2026-04-10.csv"'
    )
    assert "no-store" in first.headers["Cache-Control"]
    entries = [entry for entry, _ in services.audit.page("demo").rows]
    assert [(e.action, e.organizer, e.detail) for e in entries] == [
        ("export", DEMO_ORGANIZER, "checkins.csv, all columns"),
        ("export", DEMO_ORGANIZER, "participants.csv, default columns"),
    ]


def test_a_get_or_a_bad_choice_downloads_nothing_and_records_nothing(
    client: FlaskClient, services: Services, signed_in: list[Any]
) -> None:
    assert client.get(f"{EXPORTS}/participants.csv").status_code == 405
    bad = download(client, "participants", "everything")
    assert bad.status_code == 400
    assert "Choose one of the two buttons" in bad.text
    unknown = download(client, "secrets")
    assert unknown.status_code == 404
    assert "There is no file called secrets.csv" in unknown.text
    assert services.audit.page("demo").rows == []


def counted_queries() -> Iterator[list[str]]:
    calls: list[str] = []
    original = Connection._make_api_call

    def counting(self: Connection, operation: str, kwargs: dict[str, Any]) -> Any:
        calls.append(f"{operation} {kwargs.get('TableName', '')}")
        return original(self, operation, kwargs)

    Connection._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        Connection._make_api_call = original  # type: ignore[method-assign]


def test_the_file_is_streamed_as_the_query_pages_arrive(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    for n in range(30):
        services.participants.save(stored_person(f"Many{n}", Role.MENTEE, clock()))
    sign_in_as_organizer(client, mailbox)
    exports = services.csv_exports
    exports.page_size, exports.chunk = 10, 1  # hand on every row; pages of 10
    page = client.get(EXPORTS)
    counter = counted_queries()
    calls = next(counter)
    try:
        response = client.post(
            f"{EXPORTS}/participants.csv",
            data={"csrf_token": csrf_token(page.text), "columns": "default"},
            buffered=False,
        )
        assert response.is_streamed
        chunks = iter(response.response)
        first = next(chunks)
        queries_then = [c for c in calls if c.startswith("Query") and "participants" in c]
        rest = b"".join(chunks)
    finally:
        counter.close()

    # The first row went out after one page of ten of the thirty was read.
    assert first.decode().count("\n") == 2  # the header and one row
    assert len(queries_then) == 1
    queries = [c for c in calls if c.startswith("Query") and "participants" in c]
    assert len(queries) >= 3
    assert (first + rest).decode().count("Many") == 30


def test_another_programs_exports_are_not_found(
    client: FlaskClient, services: Services, signed_in: list[Any]
) -> None:
    page = client.get(EXPORTS)
    token = csrf_token(page.text)
    other = "/organize/programs/leaders-group"
    assert client.get(f"{other}/exports").status_code == 404
    assert client.get(f"{other}/summary").status_code == 404
    posted = client.post(
        f"{other}/exports/participants.csv", data={"csrf_token": token, "columns": "default"}
    )
    assert posted.status_code == 404
    assert services.audit.page("leaders-group").rows == []


def test_signed_out_nothing_is_shown_or_downloaded(client: FlaskClient) -> None:
    token = csrf_token(client.get("/sign-in").text)
    assert client.get(EXPORTS).status_code == 403
    assert client.get(SUMMARY).status_code == 403
    posted = client.post(
        f"{EXPORTS}/participants.csv", data={"csrf_token": token, "columns": "default"}
    )
    assert posted.status_code == 403
    assert "text/csv" not in posted.headers["Content-Type"]


# The printable summary


def figures(text: str) -> dict[str, str]:
    """The summary's figures, from the email's text or the page's tables."""
    labels = [
        "Signed up", "Confirmed their email", "Matched", "In an active match",
        "Completed the cycle", "Check-ins and ratings this week", "Average satisfaction this week",
    ]  # fmt: skip
    found = {}
    for label in labels:
        match = re.search(rf"{label}:? ([^\n(]+?)\s*(?:\(|\n|$)", text)
        assert match, label
        found[label] = match.group(1).strip()
    return found


def test_the_printable_page_has_the_figures_of_the_email_and_the_email_links_to_it(
    client: FlaskClient, services: Services, mailbox: MemorySender, signed_in: list[Any]
) -> None:
    services.summaries.send_summaries(FRIDAY)
    services.mail.drain(per_second=1000)
    (message,) = [m for to, m in mailbox.sent if to == DEMO_ORGANIZER and "week to" in m["Subject"]]
    (link,) = [u for u in links_in(message) if "/summary" in u]
    assert link == f"http://portal.test{SUMMARY}?week=2026-04-10"
    assert "printable page" in plain(message)

    page = client.get(link.removeprefix("http://portal.test"))

    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    doc = parse(page.text)
    rows = "\n".join(
        f"{tr.find('th').text.strip()} {tr.find('td').text.strip()}" for tr in doc.find_all("tr")
    )
    assert figures(rows) == figures(plain(message))
    assert "Fri 10 Apr 2026" in page.text  # the week's end, as the subject says
    assert NOTE in page.text  # the low rating's note, as in the email
    assert "Wanda Example" in page.text  # waiting


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("last-friday", "is not a date written as year-month-day"),
        ("2026-02-30", "2026-02-30 is not a day of the calendar"),
        ("2026-04-11", "2026-04-11 is after today (2026-04-10)"),
        ("1999-01-01", "more than ten years ago"),
    ],
)
def test_a_bad_week_says_what_is_wrong(
    client: FlaskClient, signed_in: list[Any], week: str, message: str
) -> None:
    page = client.get(f"{SUMMARY}?week={week}")

    assert page.status_code == 400
    assert message in page.text
    assert "The week could not be shown" in page.text


def test_without_a_week_the_page_shows_the_seven_days_to_now(
    client: FlaskClient, signed_in: list[Any]
) -> None:
    page = client.get(SUMMARY)

    assert page.status_code == 200
    assert "Fri 3 Apr to Fri 10 Apr 2026" in page.text
    assert "This week so far" in page.text
