"""Delete my data: the person's page asks first, then erases them everywhere and signs them out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.persistence.erasure import ErasureStore
from portal.persistence.tables import ParticipantRecord, SessionRecord
from tests.conftest import csrf_token, table_snapshot
from tests.factories import History
from tests.web.dom import parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
PAGE = "/me/programs/demo"
ERASE = "/me/programs/demo/erase"


def test_delete_my_data_asks_first_and_changes_nothing_until_confirmed(
    client: FlaskClient, services: Services, history: History
) -> None:
    sign_in(client, services.participation.page_url("demo", history.ada.email))
    page = parse(client.get(PAGE).text)
    (link,) = [a for a in page.find_all("a") if a.text.strip() == "Delete my data"]
    assert link.get("href") == ERASE
    before = table_snapshot()

    asked = client.get(ERASE)

    assert asked.status_code == 200
    assert "Delete your data?" in asked.text
    assert "cannot be undone" in asked.text
    (form,) = [f for f in parse(asked.text).find_all("form") if f.get("action") == ERASE]
    assert form.find("button") is not None
    # Without the CSRF token the button's POST is refused.
    assert client.post(ERASE, data={}).status_code == 400
    assert table_snapshot() == before


def test_confirming_erases_the_person_signs_them_out_and_the_partner_page_still_works(
    app: object, client: FlaskClient, services: Services, history: History
) -> None:
    sign_in(client, services.participation.page_url("demo", history.ada.email))
    asked = client.get(ERASE)

    done = client.post(ERASE, data={"csrf_token": csrf_token(asked.text)})

    assert done.status_code == 200
    assert "Your data is deleted" in done.text
    assert "in 2 programs" in done.text
    assert "signed out" in done.text
    assert services.participation.person("demo", history.ada.email) is None
    assert services.participation.person("peer-circles", history.ada.email) is None
    assert list(SessionRecord.scan()) == []
    assert client.get(PAGE).status_code == 403  # signed out
    dump = json.dumps(table_snapshot(), default=str).lower()
    assert history.ada.email not in dump
    assert history.ada.participant_id not in dump

    partner = client.application.test_client()
    sign_in(partner, services.participation.page_url("demo", history.partner.email))
    page = partner.get(PAGE)
    assert page.status_code == 200
    assert "Ada" not in page.text
    assert "Hello, Max" in page.text
    assert "You are not matched yet" in page.text  # back in the pool, their match ended


def test_leaving_asks_whether_to_keep_the_profile_or_delete_it(
    client: FlaskClient, services: Services, history: History
) -> None:
    sign_in(client, services.participation.page_url("demo", history.ada.email))

    page = parse(client.get("/me/programs/demo/leave").text)

    assert "Keep your profile, or delete it?" in page.text
    (keep,) = [f for f in page.find_all("form") if f.get("action") == "/me/programs/demo/leave"]
    button = keep.find("button")
    assert button is not None
    assert button.text.strip() == "Leave the program"
    (delete,) = [a for a in page.find_all("a") if a.get("href") == ERASE]
    assert delete.text.strip() == "delete your data instead"
    assert "Delete your data?" in client.get(ERASE).text


def test_an_erasure_failing_half_way_can_be_finished_from_the_page(
    client: FlaskClient, services: Services, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, services.participation.page_url("demo", history.ada.email))
    real = ErasureStore._delete

    def fail_at_the_sign_ups(store: ErasureStore, record: Any) -> None:
        if isinstance(record, ParticipantRecord):  # everything else is done by then
            raise RuntimeError("the database went away")
        real(store, record)

    monkeypatch.setattr(ErasureStore, "_delete", fail_at_the_sign_ups)
    asked = client.get(ERASE)
    with pytest.raises(RuntimeError):
        client.post(ERASE, data={"csrf_token": csrf_token(asked.text)})
    monkeypatch.setattr(ErasureStore, "_delete", real)

    again = client.get(ERASE)  # still signed in
    assert again.status_code == 200
    done = client.post(ERASE, data={"csrf_token": csrf_token(again.text)})

    assert "Your data is deleted" in done.text
    dump = json.dumps(table_snapshot(), default=str).lower()
    assert history.ada.email not in dump
    assert history.ada.participant_id not in dump
