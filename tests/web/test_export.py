"""Download my data: the person's own page gives them everything held about them, and only them."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.persistence.tables import ExportRecord
from tests.conftest import FakeClock, csrf_token
from tests.factories import ADA_NOTE, PARTNER_BIO, History
from tests.web.dom import parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
PAGE = "/me/programs/demo"


def _download(client: FlaskClient, page: str = PAGE) -> TestResponse:
    """Press "Download my data" on the page."""
    html = client.get(page).text
    (form,) = [
        f for f in parse(html).find_all("form") if (f.get("action") or "").endswith("/export")
    ]
    button = form.find("button")
    assert button is not None
    assert button.text.strip() == "Download my data"
    return client.post(form.get("action") or "", data={"csrf_token": form.value_of("csrf_token")})


def test_the_button_downloads_the_persons_data_as_a_private_json_file(
    client: FlaskClient, services: Services, history: History, clock: FakeClock
) -> None:
    sign_in(client, services.participation.page_url("demo", history.ada.email))

    response = _download(client)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="mentor-portal-data-{clock().date().isoformat()}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.text)
    assert {s["program"] for s in document["sign_ups"]} == {"demo", "peer-circles"}
    assert [m["partner_name"] for m in document["matches"]] == ["Max Example"]
    assert [n["note"] for n in document["private_notes"]] == [ADA_NOTE]
    assert history.partner.email not in response.text
    assert PARTNER_BIO not in response.text
    assert [(r.route, r.requested_by) for r in ExportRecord.scan()] == [("web", "the person")]


def test_the_partners_download_holds_their_own_data_not_adas(
    client: FlaskClient, services: Services, history: History
) -> None:
    sign_in(client, services.participation.page_url("demo", history.partner.email))

    document = json.loads(_download(client).text)

    assert [s["name"] for s in document["sign_ups"]] == ["Max Example"]
    assert [m["partner_name"] for m in document["matches"]] == ["Ada Example"]
    assert history.ada.email not in json.dumps(document)
    assert ADA_NOTE not in json.dumps(document)


def test_without_a_session_or_with_one_for_another_program_the_download_is_refused(
    app: Flask, client: FlaskClient, services: Services, history: History
) -> None:
    stranger = app.test_client()
    # A form of any page gives this browser a valid CSRF token: only the session is missing.
    token = csrf_token(stranger.get("/programs/demo/join/mentee").text)
    assert stranger.post(f"{PAGE}/export", data={"csrf_token": token}).status_code == 403

    sign_in(client, services.participation.page_url("peer-circles", history.ada.email))
    token = csrf_token(client.get("/me/programs/peer-circles").text)
    # Signed in to Ada's peer-circles page, not to the demo program's.
    assert client.post(f"{PAGE}/export", data={"csrf_token": token}).status_code == 403
    assert list(ExportRecord.scan()) == []


def test_a_download_without_the_csrf_token_or_by_get_is_refused(
    client: FlaskClient, services: Services, history: History
) -> None:
    sign_in(client, services.participation.page_url("demo", history.ada.email))

    assert client.post(f"{PAGE}/export").status_code == 400
    assert client.get(f"{PAGE}/export").status_code == 405
    assert list(ExportRecord.scan()) == []
