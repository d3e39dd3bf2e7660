"""The console's Import people pages: upload a roster, read its dry run, apply it or discard it
(issue 15), on the real roster import service."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.services.roster_import import CONSOLE_MAX_BYTES
from tests.conftest import FakeClock, csrf_token, table_snapshot
from tests.factories import stored_person
from tests.web.dom import Document, parse
from tests.web.helpers import sign_in_as_organizer

IMPORT = "/organize/programs/demo/import"
ROSTERS = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"
WORKDAY = (ROSTERS / "workday.csv").read_bytes()
# Alan Turing's row is "Terminated": a person never in the program, so nobody to invite.
INVITED = ["Ada Lovelace", "Grace Hopper", "Katherine Johnson", "Margaret Hamilton"]


@pytest.fixture
def organizer(client: FlaskClient, mailbox: MemorySender) -> FlaskClient:
    """A browser signed in as the demo program's organizer."""
    sign_in_as_organizer(client, mailbox)
    return client


def upload(
    client: FlaskClient,
    data: bytes,
    filename: str = "workday.csv",
    *,
    full: bool = True,
    token: str | None = None,
) -> TestResponse:
    """Send a file through the upload form, as a browser does."""
    fields = {"csrf_token": csrf_token(client.get(IMPORT).text) if token is None else token}
    if full:
        fields["full"] = "y"
    body, content_type = multipart(fields, data, filename)
    return client.post(IMPORT, data=body, content_type=content_type)


def multipart(fields: dict[str, str], data: bytes, filename: str) -> tuple[bytes, str]:
    """A multipart body, encoded here: the test client keeps a large one in a temporary file
    it never closes (a ResourceWarning, an error under this project's filters)."""
    boundary = "roster-import-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        "\r\nContent-Type: text/csv\r\n\r\n"
    )
    parts.append(head.encode() + data + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def dry_run(client: FlaskClient, data: bytes, filename: str = "workday.csv") -> Document:
    """Upload a file and open its dry run."""
    sent = upload(client, data, filename)
    assert sent.status_code == 302, sent.text
    page = client.get(sent.headers["Location"])
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    return parse(page.text)


def names_in(page: Document, section: str) -> list[str]:
    """The names (second column) of one of the diff's tables: invited, known, changed, gone."""
    table = page.one("table", id=f"{section}-list")
    return [row.find_all("td")[1].text.strip() for row in table.one("tbody").find_all("tr")]


def page_path(page: Document) -> str:
    """The dry run's own address, from its Discard form's."""
    (form,) = [f for f in page.find_all("form") if str(f.get("action")).endswith("/discard")]
    return str(form.get("action")).removesuffix("/discard")


def apply_button(page: Document) -> str | None:
    forms = [f for f in page.find_all("form") if str(f.get("action")).endswith("/apply")]
    return forms[0].one("button").text.strip() if forms else None


def apply(client: FlaskClient, page: Document, *, save_mapping: bool = False) -> TestResponse:
    (form,) = [f for f in page.find_all("form") if str(f.get("action")).endswith("/apply")]
    data = {
        "csrf_token": str(form.one("input", name="csrf_token").get("value")),
        "expected": str(form.one("input", name="expected").get("value")),
    }
    if save_mapping:
        data["save_mapping"] = "y"
    return client.post(str(form.get("action")), data=data)


def test_the_page_says_what_an_import_does_and_offers_the_upload(organizer: FlaskClient) -> None:
    response = organizer.get(IMPORT)

    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = parse(response.text)
    assert page.h1 == "Import people"
    assert "Invitations, not enrolment" in page.text
    assert "Nothing is stored before Apply" in page.text
    assert "No roster has been imported into this program yet." in page.text
    file_input = page.one("input", type="file")
    assert file_input.get("accept") == ".csv,.xlsx"
    assert page.checked("full") == ["y"]
    form = page.one("form", enctype="multipart/form-data")
    assert form.one("button").text.strip() == "Upload and check (nothing is stored yet)"
    nav = page.one("nav", class_="console-nav")
    assert nav.one("a", href=IMPORT).get("aria-current") == "page"


def test_a_roster_is_dry_run_applied_then_changes_nothing_and_a_removed_row_is_gone(
    organizer: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    page = dry_run(organizer, WORKDAY)

    assert services.roster_imports.last("demo") is None  # nothing is imported yet
    assert "4 new (invited)" in page.text
    assert "1 marked inactive (not invited)" in page.text
    assert names_in(page, "invited") == INVITED
    assert "recognised from the column names" in page.text
    assert page.selected("column-3") == ["email"]
    assert apply_button(page) == "Apply: invite 4"

    applied = apply(organizer, page)

    assert applied.status_code == 302
    assert applied.headers["Location"] == IMPORT
    after = parse(organizer.get(IMPORT).text)
    assert "Applied: 4 new (invited)" in after.text
    assert "workday.csv, applied" in after.text
    last = services.roster_imports.last("demo")
    assert last is not None
    assert last.filename == "workday.csv"
    # The staged upload is gone once applied.
    gone = organizer.get(page_path(page))
    assert gone.status_code == 404
    assert "uploads are kept for a day" in gone.text.lower()

    again = dry_run(organizer, WORKDAY)

    assert "Nothing to change" in again.text
    assert apply_button(again) is None

    without_margaret = b"\n".join(line for line in WORKDAY.split(b"\n") if b"Margaret" not in line)
    removed = dry_run(organizer, without_margaret, "workday-2.csv")

    assert names_in(removed, "gone") == ["Margaret Hamilton"]
    assert "not in this roster" in removed.text
    assert "1 gone" in removed.text
    assert apply_button(removed) is not None


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        ("Email,Name\nzoë@example.org,Zoë\n".encode("latin-1"), "latin.csv", "not UTF-8"),
        (b"", "empty.csv", "empty.csv is empty"),
        (b"Email,Name\n", "notes.txt", "notes.txt is not a file the import reads"),
    ],
    ids=["wrong encoding", "empty", "not csv or xlsx"],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(
    organizer: FlaskClient, data: bytes, filename: str, expected: str
) -> None:
    before = table_snapshot()

    response = upload(organizer, data, filename)

    assert response.status_code == 422
    page = parse(response.text)
    assert page.h1 == "Import people"
    assert expected in page.one(role="alert").text
    assert table_snapshot() == before


def test_no_file_chosen_is_named(organizer: FlaskClient) -> None:
    token = csrf_token(organizer.get(IMPORT).text)

    response = organizer.post(IMPORT, data={"csrf_token": token, "full": "y"})

    assert response.status_code == 422
    assert "No file was chosen" in parse(response.text).one(role="alert").text


def test_bad_rows_are_named_by_row_and_column_and_nothing_can_be_applied(
    organizer: FlaskClient, services: Services
) -> None:
    page = dry_run(organizer, (ROSTERS / "bad.csv").read_bytes(), "bad.csv")

    problems = [li.text.strip() for li in page.one("ul", class_="import-problems").find_all("li")]
    assert any(
        p.startswith("row 5, column “workEmail”: ") and "already on row 2" in p for p in problems
    )
    assert any(p.startswith("row 6, column “department”: ") and "formula" in p for p in problems)
    assert "it cannot be applied until they are fixed" in page.text
    assert "Nothing was stored" in page.text
    assert apply_button(page) is None
    assert services.roster_imports.last("demo") is None


def test_a_file_with_no_email_column_says_so_and_offers_the_mapping(
    organizer: FlaskClient,
) -> None:
    data = b"Name,Department\nAda Lovelace,Engineering\n"

    page = dry_run(organizer, data, "names.csv")

    assert any(
        "No column is chosen for the email address" in p.text for p in page.find_all(role="alert")
    )
    assert apply_button(page) is None
    assert page.one("select", name="column-0").one("option", value="email")


def test_the_organizer_changes_the_mapping_and_a_wrong_value_is_refused(
    organizer: FlaskClient,
) -> None:
    sent = upload(organizer, b"Work,Name\nada@example.org,Ada Lovelace\n", "custom.csv")
    dry_path = sent.headers["Location"]
    page = parse(organizer.get(dry_path).text)
    assert apply_button(page) is None
    token = csrf_token(organizer.get(dry_path).text)

    wrong = organizer.post(
        f"{dry_path}/mapping", data={"csrf_token": token, "column-0": "salary", "column-1": "name"}
    )

    assert wrong.status_code == 422
    alerts = [p.text for p in parse(wrong.text).find_all(role="alert")]
    assert any("“salary” is not a field the portal reads" in a for a in alerts)

    chosen = organizer.post(
        f"{dry_path}/mapping", data={"csrf_token": token, "column-0": "email", "column-1": "name"}
    )

    assert chosen.status_code == 302
    page = parse(organizer.get(dry_path).text)
    assert "the mapping you chose" in page.text
    assert names_in(page, "invited") == ["Ada Lovelace"]
    assert apply_button(page) == "Apply: invite 1"


def test_discarding_forgets_the_file(organizer: FlaskClient, services: Services) -> None:
    sent = upload(organizer, WORKDAY)
    dry_path = sent.headers["Location"]
    token = csrf_token(organizer.get(dry_path).text)

    discarded = organizer.post(f"{dry_path}/discard", data={"csrf_token": token})

    assert discarded.status_code == 302
    assert "Discarded: workday.csv is deleted" in organizer.get(IMPORT).text
    assert organizer.get(dry_path).status_code == 404
    assert services.roster_imports.last("demo") is None


def test_an_unknown_upload_is_a_404_saying_to_upload_again(organizer: FlaskClient) -> None:
    response = organizer.get(f"{IMPORT}/no-such-upload")

    assert response.status_code == 404
    assert "no-store" in response.headers["Cache-Control"]
    assert "Uploads are kept for a day: upload the file again." in response.text


def test_a_file_over_the_consoles_limit_gets_a_413_naming_the_limit_and_the_cli(
    organizer: FlaskClient,
) -> None:
    big = b"Email,Name\n" + b"a" * CONSOLE_MAX_BYTES

    response = upload(organizer, big, "huge.csv")

    assert response.status_code == 413
    message = parse(response.text).one(role="alert").text
    assert "4 MB" in message
    assert "portal import FILE --program demo" in message


def test_a_file_over_the_apps_1_mb_but_within_the_consoles_limit_is_read(
    organizer: FlaskClient,
) -> None:
    # About 1.5 MB: more than the app's MAX_CONTENT_LENGTH for other forms.
    rows = [f"person{n}@example.org,Person {n},{'x' * 150}" for n in range(9000)]
    data = ("Email,Name,Notes\n" + "\n".join(rows) + "\n").encode()
    assert len(data) > 1024 * 1024

    response = upload(organizer, data, "large.csv")

    assert response.status_code == 302, response.text[:500]


def test_the_upload_checks_the_csrf_token(organizer: FlaskClient) -> None:
    before = table_snapshot()

    response = upload(organizer, WORKDAY, token="")

    assert response.status_code == 400
    assert table_snapshot() == before


def test_an_organizer_of_another_program_gets_404(
    client: FlaskClient, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox, "leaders@example.org")

    assert client.get(IMPORT).status_code == 404
    token = csrf_token(client.get("/organize/programs/leaders-group/import").text)
    sent = upload(client, WORKDAY, token=token)
    assert sent.status_code == 404


def test_a_form_with_far_more_parts_than_the_page_sends_is_refused_and_no_file_left_open(
    organizer: FlaskClient,
) -> None:
    # The file comes first, then 1,001 more fields: werkzeug refuses the form after it has
    # started spooling the file (left open, it is a ResourceWarning: an error here).
    body, content_type = multipart(
        {"csrf_token": csrf_token(organizer.get(IMPORT).text)}, WORKDAY, "workday.csv"
    )
    end = b"--roster-import-test--\r\n"
    extra = b"".join(
        f'--roster-import-test\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\nx\r\n'.encode()
        for n in range(1001)
    )

    response = organizer.post(
        IMPORT, data=body.removesuffix(end) + extra + end, content_type=content_type
    )

    assert response.status_code == 413
    assert "far more than the file" in parse(response.text).one(role="alert").text


def test_a_saved_mapping_reads_the_next_file_and_the_page_says_so(
    organizer: FlaskClient,
) -> None:
    sent = upload(organizer, b"Work,Name\nada@example.org,Ada Lovelace\n", "custom.csv")
    dry_path = sent.headers["Location"]
    token = csrf_token(organizer.get(dry_path).text)
    organizer.post(
        f"{dry_path}/mapping", data={"csrf_token": token, "column-0": "email", "column-1": "name"}
    )
    assert (
        apply(organizer, parse(organizer.get(dry_path).text), save_mapping=True).status_code == 302
    )

    later = dry_run(organizer, b"Work,Name\nada@example.org,Ada Lovelace\ngrace@example.org,G\n")

    assert "your saved mapping" in later.text
    assert later.selected("column-0") == ["email"]
    assert names_in(later, "invited") == ["G"]


def test_an_import_applied_meanwhile_shows_the_new_dry_run_and_applies_nothing(
    organizer: FlaskClient, services: Services
) -> None:
    page = dry_run(organizer, WORKDAY)
    demo = services.programs.get("demo")
    assert demo is not None
    other = services.roster_imports.read(b"workEmail\nzoe@example.org\n", "other.csv")
    services.roster_imports.apply(
        demo, services.roster_imports.check(demo, other, filename="other.csv"), by="x@example.org"
    )
    before = table_snapshot()

    refused = apply(organizer, page)

    assert refused.status_code == 409
    shown = parse(refused.text)
    assert "Nothing was applied: the program or its people changed" in shown.text
    gone = shown.one("table", id="gone-list").one("tbody").find_all("tr")
    assert [row.find_all("td")[2].text.strip() for row in gone] == ["zoe@example.org"]
    assert table_snapshot() == before


def test_an_xlsx_roster_is_read_like_a_csv(organizer: FlaskClient) -> None:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["workEmail", "firstName", "lastName", "department"])
    sheet.append(["ada@example.org", "Ada", "Lovelace", "Engineering"])
    buffer = BytesIO()
    book.save(buffer)

    page = dry_run(organizer, buffer.getvalue(), "bamboo.xlsx")

    assert names_in(page, "invited") == ["Ada Lovelace"]
    assert apply_button(page) == "Apply: invite 1"


def test_the_page_follows_up_the_invitations_who_signed_up_and_who_has_not(
    organizer: FlaskClient, services: Services, clock: FakeClock
) -> None:
    apply(organizer, dry_run(organizer, WORKDAY))
    services.participants.save(
        replace(stored_person("Grace", Role.MENTOR, clock()), email="grace.hopper@example.org")
    )
    services.unsubscribes.suppressions.add("ada.lovelace@example.org", "unsubscribe", clock())

    page = parse(organizer.get(IMPORT).text)

    assert "4 people in the roster were invited; 1 has signed up" in page.text
    rows = page.one("table", id="awaiting-list").one("tbody").find_all("tr")
    shown = {row.find_all("td")[1].text.strip(): row.find_all("td")[3].text for row in rows}
    assert set(shown) == {
        "Ada.Lovelace@example.org",
        "katherine.johnson@example.org",
        "margaret.hamilton@example.org",
    }
    assert shown["Ada.Lovelace@example.org"] == "1 of 3; stopped: unsubscribed"
    assert shown["katherine.johnson@example.org"] == "1 of 3"


def test_the_changed_and_already_signed_up_lists_show_each_value_before_and_after(
    organizer: FlaskClient, services: Services, clock: FakeClock
) -> None:
    services.participants.save(
        replace(
            stored_person("Grace", Role.MENTOR, clock()),
            email="grace.hopper@example.org",
            department="Navy",
        )
    )
    first = dry_run(organizer, WORKDAY)
    known = first.one("table", id="known-list").one("tbody").find_all("tr")
    assert "department: Navy → Engineering" in known[0].find_all("td")[4].text
    apply(organizer, first)

    moved = WORKDAY.replace(b"Data Scientist,Research", b"Data Scientist,Analytics")
    page = dry_run(organizer, moved, "workday-2.csv")

    (row,) = page.one("table", id="changed-list").one("tbody").find_all("tr")
    assert row.find_all("td")[3].text == "department: Research → Analytics"
