"""Token segments of paths are redacted from every log line, whatever logs it."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from portal.log_redaction import install_log_redaction, redact
from tests.conftest import ROOT

TOKEN = "Zx3-kQ9_vB7mN2pL5rT8wY1cF4hJ6gD0sA-eU3iO7qK"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/confirm/{TOKEN}", "/confirm/[redacted]"),
        (f"/me/{TOKEN}", "/me/[redacted]"),
        (f"/checkin/{TOKEN}?survey=day-30", "/checkin/[redacted]?survey=day-30"),
        (f"/organize/{TOKEN}", "/organize/[redacted]"),
        (f"/rate/{TOKEN}/4", "/rate/[redacted]/4"),
        (f"/unsubscribe/{TOKEN}.sig", "/unsubscribe/[redacted]"),
        (f"/choose/2026-03-02T0900Z/{TOKEN}/2", "/choose/2026-03-02T0900Z/[redacted]/2"),
        (
            f"Exception on /confirm/{TOKEN} [POST]",
            "Exception on /confirm/[redacted] [POST]",
        ),
        (
            f'127.0.0.1 - - [02/Mar/2026 09:00:00] "GET /me/{TOKEN} HTTP/1.1" 200 -',
            '127.0.0.1 - - [02/Mar/2026 09:00:00] "GET /me/[redacted] HTTP/1.1" 200 -',
        ),
        (
            f"links: https://mentoring.example.org/me/{TOKEN}, http://x/rate/{TOKEN}/1",
            "links: https://mentoring.example.org/me/[redacted], http://x/rate/[redacted]/1",
        ),
        (f"/programs/demo/invited/{TOKEN}", "/programs/demo/invited/[redacted]"),
        (
            f"/programs/demo/join/mentee?invite={TOKEN}",
            "/programs/demo/join/mentee?invite=[redacted]",
        ),
        (
            f"/programs/demo/join/peer?x=1&invite={TOKEN}",
            "/programs/demo/join/peer?x=1&invite=[redacted]",
        ),
        (f"/confirm/{TOKEN[:10]}", "/confirm/[redacted]"),  # a part of a token is redacted too
        (f"/me/programs{TOKEN}", "/me/[redacted]"),
        (f"/organize/programs-{TOKEN}", "/organize/[redacted]"),
        # The signed-in pages carry no token: their paths stay readable.
        ("/me/programs/demo/matches/ab12/checkin", "/me/programs/demo/matches/ab12/checkin"),
        ("/organize/programs/demo", "/organize/programs/demo"),
        ("/programs/demo/join/mentee", "/programs/demo/join/mentee"),
        ("/home/meals", "/home/meals"),
    ],
)
def test_redact_replaces_the_token_of_every_link_path(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected  # redacting twice changes nothing


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    install_log_redaction()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


@pytest.mark.parametrize("logger", ["werkzeug", "zappa.wsgi", "portal.app", "functions.outbox"])
def test_a_token_is_redacted_in_the_message_and_its_arguments(
    captured: io.StringIO, logger: str
) -> None:
    log = logging.getLogger(logger)
    log.warning("Exception on /confirm/%s [POST]", TOKEN)
    log.warning('"%s %s %s" %s', "GET", f"/me/{TOKEN}", "HTTP/1.1", 500)
    log.warning("%s", f"/rate/{TOKEN}/5")
    output = captured.getvalue()
    assert TOKEN not in output
    assert f"{logger} Exception on /confirm/[redacted] [POST]" in output
    assert '"GET /me/[redacted] HTTP/1.1" 500' in output
    assert "/rate/[redacted]/5" in output


def test_a_token_in_an_exception_is_redacted_from_the_traceback(captured: io.StringIO) -> None:
    try:
        raise LookupError(f"no item for /organize/{TOKEN}")
    except LookupError:
        logging.getLogger("portal.services.rounds").exception("round failed")
    output = captured.getvalue()
    assert TOKEN not in output
    assert "LookupError: no item for /organize/[redacted]" in output
    assert "Traceback (most recent call last)" in output


def test_installing_twice_redacts_once(captured: io.StringIO) -> None:
    install_log_redaction()
    install_log_redaction()
    logging.getLogger("portal").warning("/me/%s", TOKEN)
    assert captured.getvalue() == "portal /me/[redacted]\n"


# The scheduled functions run without the web app: importing any of them installs it.
_FUNCTION = f"""
import logging, sys
logging.basicConfig(stream=sys.stdout, format="%(name)s %(message)s", level=logging.INFO)
import functions.{{name}}
logging.getLogger("zappa.handler").info("GET /checkin/{TOKEN}")
"""


@pytest.mark.parametrize(
    "name", ["matching_round", "outbox", "reminders", "summaries", "ses_feedback"]
)
def test_every_lambda_function_redacts_its_log(name: str) -> None:
    ran = subprocess.run(  # noqa: S603  (this interpreter, our own script)
        [sys.executable, "-c", _FUNCTION.format(name=name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "zappa.handler GET /checkin/[redacted]\n" in ran.stdout
    assert TOKEN not in ran.stdout + ran.stderr
