"""`Server-Timing: app;dur=<ms>`: the portal's own time on every response, for the load bench."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import portal.app
from portal.container import Services
from tests.web.conftest import Site
from tests.web.helpers import GOOD, sign_up

TIMING = re.compile(r"app;dur=(\d+(?:\.\d+)?)")


def duration(response: TestResponse) -> float:
    """The header's one metric, `app`, in milliseconds."""
    header = response.headers.get("Server-Timing")
    assert header is not None, f"no Server-Timing on a {response.status_code}"
    match = TIMING.fullmatch(header)
    assert match, f"Server-Timing does not parse: {header!r}"
    return float(match.group(1))


def test_every_kind_of_response_tells_the_portals_own_time(client: FlaskClient) -> None:
    responses = [
        client.get("/"),  # a content page
        client.get("/programs/demo/join/mentee"),  # a form
        sign_up(client),  # the check-your-email page after a sign-up
        sign_up(client, name=""),  # 422
        client.post("/programs/demo/join/mentee", data=GOOD),  # 400 without a CSRF token
        client.get("/no-such-page"),  # 404
        client.post("/faq"),  # 405
        client.get("/static/portal.css"),  # a static file
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 422, 400, 404, 405, 200]
    for response in responses:
        assert duration(response) >= 0
        response.close()


class _FakeTime:
    """perf_counter that moves a quarter of a second between the first and the last hook."""

    def __init__(self) -> None:
        self.readings: Iterator[float] = iter([100.0, 100.25])

    def perf_counter(self) -> float:
        return next(self.readings)


def test_the_time_runs_from_the_first_hook_to_the_last(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portal.app, "time", _FakeTime())
    response = client.get("/faq")
    assert response.status_code == 200
    assert response.headers["Server-Timing"] == "app;dur=250.00"


class _BrokenSignup:
    def sign_up(self, *args: object) -> None:
        raise RuntimeError("the table went away")


def test_a_failure_still_tells_the_time(app: Flask, services: Services) -> None:
    app.config.update(TESTING=False)  # the error page reaches the client
    services.signup = _BrokenSignup()  # type: ignore[assignment]
    response = sign_up(app.test_client())
    assert response.status_code == 500
    assert duration(response) >= 0


def test_the_aws_stage_tells_no_time(build_site: Callable[..., Site]) -> None:
    # On AWS a precise server-side time would only help someone probing for timing differences.
    site = build_site(stage="aws", base_url="https://mentoring.example.org")
    for path in ("/", "/programs/demo/join/mentee", "/no-such-page"):
        assert "Server-Timing" not in site.client.get(path).headers, path
