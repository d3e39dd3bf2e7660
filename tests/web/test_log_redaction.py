"""A failure behind an emailed link logs no token: the visitor gets the 500 page, the log a
redacted path.

Flask's error log line names the request's path ("Exception on /confirm/<token> [POST]"), and
on Lambda every log line goes to CloudWatch, where a token would be a sign-in for whoever
reads the logs.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from flask import Flask, request

from portal.container import Services
from portal.services.checkins import RATE
from portal.services.rounds import CHOOSE, ME, ORGANIZE
from portal.services.signup import CONFIRM
from tests.conftest import FakeClock, csrf_token
from tests.factories import ROUND, matched_pair
from tests.web.dom import parse


def throttled(*args: object, **kwargs: object) -> None:
    """What DynamoDB answers when a table's capacity is exhausted."""
    raise ClientError(
        {
            "Error": {
                "Code": "ProvisionedThroughputExceededException",
                "Message": "The level of configured provisioned throughput for the table was "
                "exceeded.",
            }
        },
        "UpdateItem",
    )


def naming_the_path(*args: object, **kwargs: object) -> None:
    """A failure whose message names the request's path, as some libraries' errors do."""
    raise RuntimeError(f"could not serve {request.method} {request.url}")


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    app.config.update(TESTING=False)  # errors reach the visitor's page and the log, not the test
    return app


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything logged, formatted by a real handler as a log service would store it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def _links(services: Services, clock: FakeClock) -> dict[str, str]:
    """A real token for every kind of emailed link: paths that carry one."""
    match = matched_pair(services, clock)
    issue = services.links.issue
    return {
        "confirm": f"/confirm/{issue(CONFIRM, 'demo', match.mentee)}",
        "me": f"/me/{issue(ME, 'demo', match.mentee)}",
        "checkin": services.checkins.checkin_url("demo", match.match_id, match.mentee).removeprefix(
            services.settings.base_url
        ),
        "organize": f"/organize/{issue(ORGANIZE, 'demo', 'organizer@example.org')}",
        "choose": f"/choose/{ROUND}/{issue(f'{CHOOSE}:{ROUND}', 'demo', match.mentee)}/1",
        "rate": f"/rate/{issue(RATE, 'demo', match.mentee, scope=match.match_id)}/4",
        "unsubscribe": services.unsubscribes.url(match.mentee).removeprefix(
            services.settings.base_url
        ),
    }


def _token_of(path: str) -> str:
    parts = path.split("/")
    return parts[3] if parts[1] == "choose" else parts[2]


def _assert_token_nowhere(token: str, caplog: pytest.LogCaptureFixture, output: str) -> None:
    assert caplog.records, "nothing was logged"
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in str(record.msg)
        assert token not in repr(record.args)
        assert token not in (record.exc_text or "")
        assert token not in (record.stack_info or "")
    assert token not in caplog.text
    assert token not in output


def _fail(services: Services, monkeypatch: pytest.MonkeyPatch, route: str, fault: Any) -> None:
    """Make the database behind the route fail."""
    if route == "unsubscribe":
        monkeypatch.setattr(services.unsubscribes.suppressions, "reason_of", fault)
    else:
        monkeypatch.setattr(services.links, "check", fault)
        monkeypatch.setattr(services.links, "consume", fault)


# Every route with a token, both ways (the unsubscribe page's GET only checks a signature).
CASES = [
    (route, method)
    for route in ("confirm", "me", "checkin", "organize", "choose", "rate", "unsubscribe")
    for method in ("GET", "POST")
    if (route, method) != ("unsubscribe", "GET")
]


@pytest.mark.parametrize(("route", "method"), CASES)
def test_a_throttled_link_gives_the_500_page_and_logs_no_token(
    failing_app: Flask,
    services: Services,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    log_output: io.StringIO,
    route: str,
    method: str,
) -> None:
    path = _links(services, clock)[route]
    token = _token_of(path)
    client = failing_app.test_client()
    form = {"csrf_token": csrf_token(client.get("/programs/demo/join/mentee").text)}
    _fail(services, monkeypatch, route, throttled)

    with caplog.at_level(logging.INFO):
        response = client.open(path, method=method, data=form if method == "POST" else None)

    assert response.status_code == 500
    assert parse(response.text).h1 == "Something went wrong on our side"
    assert token not in response.text
    output = log_output.getvalue()
    _assert_token_nowhere(token, caplog, output)
    # The log still says what failed, and where.
    assert f"Exception on /{route}/" in output
    assert "[redacted]" in output
    assert "Traceback (most recent call last)" in output
    assert "ProvisionedThroughputExceededException" in output


def test_an_error_naming_the_url_is_logged_with_its_token_redacted(
    failing_app: Flask,
    services: Services,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    log_output: io.StringIO,
) -> None:
    path = _links(services, clock)["me"]
    token = _token_of(path)
    _fail(services, monkeypatch, "me", naming_the_path)

    with caplog.at_level(logging.INFO):
        response = failing_app.test_client().get(path)

    assert response.status_code == 500
    output = log_output.getvalue()
    _assert_token_nowhere(token, caplog, output)
    assert "RuntimeError: could not serve GET http://localhost/me/[redacted]" in output
