"""The session cookie: an opaque id, the sign-in kept on the server, https-only over https.

Flask signs its cookie but does not encrypt it: anyone who sees the cookie (a shared
computer, a proxy's log, a browser extension) reads what is in it. So it holds a random id
and the forms' CSRF token, and who is signed in stays in the sessions table.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.persistence.tables import SessionRecord
from portal.services.rounds import ORGANIZE
from tests.conftest import MENTEE_FORM, FakeClock, csrf_token, links_in
from tests.factories import matched_pair
from tests.web.conftest import Site
from tests.web.dom import parse

HTTP = "http://portal.test"
HTTPS = "https://mentoring.example.org"
ORGANIZER = "organizer@example.org"  # the demo program's organizer
HSTS = "max-age=63072000; includeSubDomains"


def readable(cookie: str) -> str:
    """What anyone holding the cookie reads: base64 of JSON, zlib-compressed after a '.'."""
    compressed = cookie.startswith(".")
    payload = cookie.removeprefix(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if compressed else data).decode("utf-8")


def cookie_of(client: FlaskClient, base: str | None = None) -> str:
    """The session cookie's value; `base` is the https address the client was sent to."""
    if base is None:
        cookie = client.get_cookie("session")  # the test client's own host, over http
    else:
        cookie = client.get_cookie("__Host-session", domain=base.split("://", 1)[1])
    assert cookie is not None, "no session cookie"
    return cookie.value


def sign_in(client: FlaskClient, link: str, base: str | None = None) -> TestResponse:
    """Open an emailed link and press its button, as a person does."""
    path = link.removeprefix(base or HTTP)
    opened = client.get(path, base_url=base)
    assert opened.status_code == 200
    signed = client.post(path, data={"csrf_token": csrf_token(opened.text)}, base_url=base)
    assert signed.status_code == 302, signed.text
    return signed


def organizer_link(services: Services) -> str:
    return (
        f"{services.settings.base_url}/organize/{services.links.issue(ORGANIZE, 'demo', ORGANIZER)}"
    )


def assert_nothing_personal(cookie: str, *people: Any) -> None:
    text = readable(cookie)
    assert "@" not in text, text
    for person in people:
        assert person.email.split("@")[0] not in text.lower(), text
        for part in person.name.split():
            assert part not in text, text
    assert set(json.loads(text)) <= {"sid", "csrf_token"}, text


# Nothing personal in the cookie


def test_the_cookie_of_a_signed_in_participant_holds_no_address_or_name(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    signed = sign_in(client, services.checkins.page_url("demo", match.mentee))
    page = client.get(signed.headers["Location"])
    assert page.status_code == 200
    assert parse(page.text).h1.startswith("Hello, ")  # signed in, by the server's record

    mentee = services.participants.get("demo", match.mentee)
    mentor = services.participants.get("demo", match.mentor)
    assert_nothing_personal(cookie_of(client), mentee, mentor)
    assert "sid" in json.loads(readable(cookie_of(client)))


def test_the_cookie_of_a_signed_in_organizer_holds_no_address(
    client: FlaskClient, services: Services
) -> None:
    signed = sign_in(client, organizer_link(services))
    assert client.get(signed.headers["Location"]).status_code == 200
    text = readable(cookie_of(client))
    assert "@" not in text
    assert "organizer" not in text
    assert "demo" not in text  # not even the program


def test_the_cookie_after_confirming_a_sign_up_holds_no_address_or_name(
    client: FlaskClient, services: Services, mailbox: Any
) -> None:
    page = client.get("/programs/demo/join/mentee")
    client.post(
        "/programs/demo/join/mentee", data={**MENTEE_FORM, "csrf_token": csrf_token(page.text)}
    )
    (link,) = [u for u in links_in(mailbox.sent[0][1]) if "/confirm/" in u]
    path = link.removeprefix(HTTP)
    confirm = client.get(path)
    done = client.post(path, data={"csrf_token": csrf_token(confirm.text)})
    assert done.status_code == 200
    ada = services.participants.get("demo", "ada@example.org")
    assert ada is not None
    assert_nothing_personal(cookie_of(client), ada)


def test_the_server_keeps_only_a_hash_of_the_session_id(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    sign_in(client, services.checkins.page_url("demo", match.mentee))
    session_id = json.loads(readable(cookie_of(client)))["sid"]

    (record,) = list(SessionRecord.scan())
    assert record.session_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert session_id not in json.dumps(record.attribute_values, default=str)
    assert record.sign_ins["me"]["email"] == match.mentee
    assert record.expires_at == clock() + timedelta(hours=8)


def test_a_forged_or_unknown_session_id_signs_nobody_in(
    app: Any, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    stranger = app.test_client()
    with stranger.session_transaction() as session:
        session["sid"] = "x" * 43  # well formed, but no session of ours
    assert stranger.get("/me/programs/demo").status_code == 403
    with stranger.session_transaction() as session:
        session["sid"] = match.mentee  # what the cookie held before: an address
    assert stranger.get("/me/programs/demo").status_code == 403


# Sessions end as before: organizers after 2 hours, participants after 8


@pytest.mark.parametrize(("hours", "kind"), [(2, "organizer"), (8, "participant")])
def test_a_session_ends_after_its_hours(
    client: FlaskClient, services: Services, clock: FakeClock, hours: int, kind: str
) -> None:
    if kind == "organizer":
        page = sign_in(client, organizer_link(services)).headers["Location"]
    else:
        match = matched_pair(services, clock)
        page = sign_in(client, services.checkins.page_url("demo", match.mentee)).headers["Location"]
    clock.advance(hours=hours, seconds=-1)
    assert client.get(page).status_code == 200
    clock.advance(seconds=2)
    assert client.get(page).status_code == 403
    # moto keeps items past their TTL, as DynamoDB does for a few days: still refused.
    assert len(list(SessionRecord.scan())) == 1


def test_one_browser_keeps_an_organizer_and_a_participant_sign_in_each_to_its_end(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    me_page = sign_in(client, services.checkins.page_url("demo", match.mentee)).headers["Location"]
    first_id = json.loads(readable(cookie_of(client)))["sid"]
    review = sign_in(client, organizer_link(services)).headers["Location"]
    second_id = json.loads(readable(cookie_of(client)))["sid"]

    assert second_id != first_id  # a new id at each sign-in; the old one is deleted
    assert len(list(SessionRecord.scan())) == 1
    assert client.get(me_page).status_code == 200
    assert client.get(review).status_code == 200
    clock.advance(hours=2, seconds=1)
    assert client.get(review).status_code == 403
    assert client.get(me_page).status_code == 200


# Signing out


def _sign_out_form(html: str) -> dict[str, str]:
    (form,) = [f for f in parse(html).find_all("form") if f.get("action") == "/sign-out"]
    return {"csrf_token": form.value_of("csrf_token")}


def test_signing_out_forgets_the_session_on_the_server(
    client: FlaskClient, app: Any, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    page = sign_in(client, services.checkins.page_url("demo", match.mentee)).headers["Location"]
    html = client.get(page).text
    copied = cookie_of(client)  # as if someone had copied the cookie while signed in

    done = client.post("/sign-out", data=_sign_out_form(html))

    assert done.status_code == 200
    assert parse(done.text).h1 == "You are signed out"
    # The way back: the sign-in form, which emails a fresh link.
    assert "/sign-in" in [a.get("href") for a in parse(done.text).one("main").find_all("a")]
    assert client.get(page).status_code == 403
    assert list(SessionRecord.scan()) == []
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get(page).status_code == 403


def test_the_organizers_page_has_a_sign_out_button_too(
    client: FlaskClient, services: Services
) -> None:
    review = sign_in(client, organizer_link(services)).headers["Location"]
    done = client.post("/sign-out", data=_sign_out_form(client.get(review).text))
    assert done.status_code == 200
    assert client.get(review).status_code == 403


def test_signing_out_needs_the_forms_token(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    page = sign_in(client, services.checkins.page_url("demo", match.mentee)).headers["Location"]
    assert client.post("/sign-out").status_code == 400  # a forged request from elsewhere
    assert client.get("/sign-out").status_code == 404  # a link (or a scanner) signs nobody out
    assert client.get(page).status_code == 200


# https: the __Host- cookie, Secure, HSTS


def test_over_https_the_cookie_is_host_only_and_secure_and_still_signs_in(
    build_site: Callable[..., Site], clock: FakeClock
) -> None:
    site = build_site(base_url=HTTPS)
    match = matched_pair(site.services, clock)
    link = site.services.checkins.page_url("demo", match.mentee)
    assert link.startswith(f"{HTTPS}/me/")

    opened = site.client.get(link.removeprefix(HTTPS), base_url=HTTPS)
    (set_cookie,) = opened.headers.getlist("Set-Cookie")
    name, *attributes = [part.strip() for part in set_cookie.split(";")]
    assert name.startswith("__Host-session=")
    assert "Secure" in attributes
    assert "Path=/" in attributes
    assert not [a for a in attributes if a.lower().startswith("domain=")]
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes

    signed = sign_in(site.client, link, HTTPS)
    page = site.client.get(signed.headers["Location"], base_url=HTTPS)
    assert page.status_code == 200
    mentee = site.services.participants.get("demo", match.mentee)
    assert_nothing_personal(cookie_of(site.client, HTTPS), mentee)


def test_over_http_the_cookie_keeps_a_plain_name_without_secure(client: FlaskClient) -> None:
    page = client.get("/programs/demo/join/mentee")
    (set_cookie,) = page.headers.getlist("Set-Cookie")
    assert set_cookie.startswith("session=")
    assert "Secure" not in set_cookie
    assert "__Host-" not in set_cookie


@pytest.mark.parametrize(
    "path", ["/", "/programs/demo/join/mentee", "/no-such-page", "/static/portal.css"]
)
def test_hsts_is_sent_over_https_only(build_site: Callable[..., Site], path: str) -> None:
    secure = build_site(base_url=HTTPS).client.get(path, base_url=HTTPS)
    assert secure.headers.get("Strict-Transport-Security") == HSTS
    secure.close()
    plain = build_site().client.get(path)
    assert "Strict-Transport-Security" not in plain.headers
    plain.close()
