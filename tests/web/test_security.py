"""Security headers on every response, and pages that load nothing from another host."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import csrf_token
from tests.web.dom import parse
from tests.web.helpers import GOOD, sign_up

PAGES = [
    "/",
    "/about-mentoring",
    "/formats",
    "/roles",
    "/faq",
    "/privacy",
    "/programs/",
    "/programs/demo",
    "/programs/leaders-group",
    "/programs/peer-circles",
    "/programs/demo/join/mentee",
    "/programs/demo/join/mentor",
    "/programs/leaders-group/join/mentor",
    "/programs/peer-circles/join/peer",
    "/programs/demo/join/check-your-email",
]
# Pages that refuse, with what they answer.
REFUSALS = {"/no-such-page": 404, "/confirm/" + "x" * 43: 410}


def assert_security_headers(response: TestResponse) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    directives = {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for sources in directives.values():
        for source in sources:
            # Only this site itself, inline images, or nothing: no other host, no wildcard.
            assert source in ("'self'", "'none'", "data:"), f"{source} in {policy}"
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"
    assert headers.get("X-Frame-Options") == "DENY"


@pytest.mark.parametrize("path", ["/static/portal.css", "/static/favicon.svg"])
def test_static_files_carry_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_redirects_errors_and_refusals_carry_the_security_headers(client: FlaskClient) -> None:
    responses = [
        sign_up(client),  # the check-your-email page after a sign-up
        sign_up(client, name=""),  # 422 form with errors
        client.post("/programs/demo/join/mentee", data=GOOD),  # 400 without a CSRF token
        client.post("/faq"),  # 405
        client.get("/programs"),  # 308 to /programs/
    ]
    assert [r.status_code for r in responses] == [200, 422, 400, 405, 308]
    for response in responses:
        assert_security_headers(response)


@pytest.mark.parametrize(("path", "status"), [*((path, 200) for path in PAGES), *REFUSALS.items()])
def test_page_is_served_safely_and_loads_nothing_from_another_host(
    client: FlaskClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)
    page = parse(response.text)
    for element in page.iter():
        for attribute in ("src", "href", "action", "srcset", "data", "poster"):
            value = (element.get(attribute) or "").strip().lower()
            # Only links may point elsewhere, and only to write to someone.
            allowed = ("/", "#", "mailto:") if element.tag == "a" else ("/", "#")
            assert not value or value.startswith(allowed), f"<{element.tag} {attribute}={value}>"
            assert not value.startswith("//"), f"<{element.tag} {attribute}={value}>"
        # No inline style or event handler: the policy would block them and the page break.
        assert "style" not in element.attrs, element.tag
        assert not [name for name in element.attrs if name.startswith("on")], element.tag
    assert page.find_all("style") == []
    for script in page.find_all("script"):
        assert (script.get("src") or "").startswith("/static/")


def test_session_cookie_is_http_only_and_same_site(client: FlaskClient) -> None:
    page = client.get("/programs/demo/join/mentee")
    csrf_token(page.text)
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
