"""The network view: the program's pairs across departments, time zones and languages."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from pynamodb.models import Model

from portal.container import Services
from portal.domain.participants import Participant
from portal.services.rounds import ORGANIZE
from tests.conftest import FakeClock
from tests.factories import person, store_pair
from tests.web.dom import parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
PAGE = "/organize/programs/demo/network"


def demo_person(
    name: str, role: str, department: str, timezone: str, *languages: str
) -> Participant:
    return person(
        name,
        role,
        program="demo",
        full_name=f"{name} Example",
        department=department,
        timezone=timezone,
        languages=languages or ("English",),
    )


# Ada (Engineering) with Ben (Data, 5 hours away); Cy and Dee both in Data; Eve and Fay both
# in Design, sharing Hindi.
PAIRS = (
    (
        demo_person("Ada", "mentor", "Engineering", "Europe/London"),
        demo_person("Ben", "mentee", "Data", "America/New_York"),
    ),
    (
        demo_person("Cy", "mentor", "Data", "Europe/London"),
        demo_person("Dee", "mentee", "Data", "Europe/Berlin", "English", "German"),
    ),
    (
        demo_person("Eve", "mentor", "Design", "Asia/Kolkata", "Hindi", "English"),
        demo_person("Fay", "mentee", "Design", "Asia/Kolkata", "Hindi"),
    ),
)


def store(services: Services, clock: FakeClock, *, departments: bool = True) -> None:
    now = clock()
    for pair in PAIRS:
        mentor, mentee = (
            replace(
                someone,
                department=someone.department if departments else "",
                created_at=now,
                updated_at=now,
                confirmed_at=now,
            )
            for someone in pair
        )
        store_pair(services, "demo", mentor, mentee, now)


def organizer(client: FlaskClient, services: Services, slug: str, email: str) -> None:
    sign_in(client, f"{BASE}/organize/{services.links.issue(ORGANIZE, slug, email)}")


@pytest.fixture
def signed_in(client: FlaskClient, services: Services) -> FlaskClient:
    organizer(client, services, "demo", "organizer@example.org")
    return client


def image_text(uri: str) -> str:
    prefix = "data:image/svg+xml;charset=utf-8;base64,"
    assert uri.startswith(prefix), uri[:60]
    return base64.b64decode(uri.removeprefix(prefix)).decode()


def test_the_figures_the_pictures_and_their_tables(
    signed_in: FlaskClient, services: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store(services, clock)

    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network view scanned a table")

    monkeypatch.setattr(Model, "scan", classmethod(no_scan))
    response = signed_in.get(PAGE)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.text)
    text = page.one("main").text
    assert "3 pairs matched so far." in text
    assert "2 of 3 departments bridged" in text
    assert "1 cross-department pair of 3" in text
    assert "Departments with nobody matched outside themselves: Design." in text
    assert "1 pair meets across 3 hours or more, of 3." in text
    assert "Time zones with nobody matched outside themselves: UTC+5:30." in text
    assert "3 of 3 pairs share a language" in text
    assert "Languages whose speakers were matched only with people who speak it too: Hindi." in text

    departments = page.find_all("table")[0]
    rows = {
        row.one("th").text: [td.text for td in row.find_all("td")]
        for row in departments.find_all("tr")[1:]
    }
    assert rows == {
        "Data": ["3", "1", "1", "Engineering (1)"],
        "Design": ["2", "1", "0", "nobody outside"],
        "Engineering": ["1", "0", "1", "Data (1)"],
    }

    images = page.find_all("img")
    assert len(images) == 3
    assert all(image.get("alt") for image in images)
    matrix = image_text(images[0].get("src") or "")
    assert "Engineering" in matrix
    assert "<svg" in matrix
    dark = page.find_all("source")[0]
    assert dark.get("media") == "(prefers-color-scheme: dark)"
    assert image_text(dark.get("srcset") or "") != matrix  # the dark palette's drawing
    assert "/organize/programs/demo" in page.hrefs()


def test_a_program_whose_people_gave_no_department_says_so(
    signed_in: FlaskClient, services: Services, clock: FakeClock
) -> None:
    store(services, clock, departments=False)
    page = parse(signed_in.get(PAGE).text)
    text = page.one("main").text
    assert "No department is known for anyone matched in this program" in text
    assert "departments bridged" not in text
    assert len(page.find_all("img")) == 2  # time zones and languages are still drawn


def test_an_erased_persons_pair_is_left_out(
    signed_in: FlaskClient, services: Services, clock: FakeClock
) -> None:
    store(services, clock)
    services.erasure.erase("ben@example.org")
    text = parse(signed_in.get(PAGE).text).one("main").text
    assert "2 pairs matched so far." in text
    assert "1 more pair is left out" in text
    assert "0 of 2 departments bridged" in text
    assert "Departments with nobody matched outside themselves: Data, Design." in text


def test_no_pairs_yet(signed_in: FlaskClient) -> None:
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert "No pairs yet" in response.text
    assert "<img" not in response.text


def test_another_programs_organizer_gets_404(client: FlaskClient, services: Services) -> None:
    organizer(client, services, "leaders-group", "leaders@example.org")
    assert client.get("/organize/programs/leaders-group/network").status_code == 200
    assert client.get(PAGE).status_code == 404


def test_signed_out_gets_the_sign_in_form(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 403
    assert parse(response.text).h1 == "Sign in to the organizers' console"
