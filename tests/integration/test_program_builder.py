"""The issue's own check, on a local portal as `make run` starts it, with no restart in between.

`portal dev --processes 2` serves from two worker processes, each with its own catalogue, as
two Lambda instances would: the one that saves sees its change at once, the other within the
catalogue's refresh (30 s). A site admin creates a program from the group template; its
sign-up form takes a person at once, and it is on every worker's /programs list within the
refresh; a mistyped field saves nothing; a new question reaches the sign-up form as every
worker serves it within a minute.
"""

from __future__ import annotations

import time
import urllib.error
from pathlib import Path
from typing import Any

import pytest

from portal.catalog.programs import REFRESH_SECONDS
from portal.cli.dev import LOCAL_ADMIN
from tests.conftest import MENTEE_FORM, csrf_token, links_in, parse
from tests.integration.test_cli import Browser, dev_server, mail_files, stop
from tests.web.dom import parse as parse_html
from tests.web.test_program_editor import form_of

pytestmark = pytest.mark.integration

SLUG = "spring-circles"
QUESTION = "Which team are you in today?"
# Two workers, each reading the stored programs again 30 s after its last read: a minute is
# the promise; the margin is for a busy two-core runner.
SEEN_WITHIN_SECONDS = 2 * REFRESH_SECONDS + 15
IN_A_ROW = 8  # answers in a row that show the question: both workers, in all likelihood


def answer(browser: Browser, path: str, form: dict[str, Any] | None = None) -> tuple[int, str]:
    """Status and text, an error status included (a refused form is 422, not an exception)."""
    try:
        status, _, text = browser.open(path, form)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    return status, text


def sign_in_as_admin(browser: Browser, data: Path) -> None:
    _, _, page = browser.open("/sign-in")
    before = len(mail_files(data, 0))
    browser.open("/sign-in", {"email": LOCAL_ADMIN, "csrf_token": csrf_token(page)})
    message = mail_files(data, before + 1)[-1]
    (link,) = [
        url
        for url in links_in(parse(message.read_text()))
        if "/organize/" in url and not url.endswith("/organize/")
    ]
    _, _, opened = browser.open(link)
    _, landed, console = browser.open(link, {"csrf_token": csrf_token(opened)})
    assert landed.endswith("/organize/"), landed
    assert "Create a program" in console


def until_every_answer_shows(base_url: str, path: str, text: str, since: float) -> None:
    """Ask for the page until IN_A_ROW answers in a row show `text`, within the promise."""
    shown_in_a_row = 0
    while shown_in_a_row < IN_A_ROW:
        waited = time.monotonic() - since
        assert waited < SEEN_WITHIN_SECONDS, (
            f"{path}: {text!r} not on every answer in {waited:.0f} s"
        )
        _, _, page = Browser(base_url).open(path)
        shown_in_a_row = shown_in_a_row + 1 if text in page else 0
        time.sleep(0.5)


def test_an_admin_creates_edits_and_people_see_it_without_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = tmp_path / "dev.log"
    with dev_server(data, log, "--no-demo", "--processes", "2") as (dev, base_url):
        assert f"Site admins: {LOCAL_ADMIN}" in log.read_text()
        admin = Browser(base_url)
        sign_in_as_admin(admin, data)

        # Create from the group template.
        _, _, new = admin.open("/organize/new")
        created, text = answer(
            admin,
            "/organize/new",
            {
                "csrf_token": csrf_token(new),
                "template": "group",
                "title": "Spring circles",
                "slug": SLUG,
                "organizers": LOCAL_ADMIN,
                "signup_open": "y",
            },
        )
        assert created == 200, text
        assert "Created “Spring circles” at /programs/spring-circles" in text

        created_at = time.monotonic()
        # Its own pages answer at once, whichever worker answers (an unknown slug is read).
        visitor = Browser(base_url)
        join = f"/programs/{SLUG}/join/mentee"
        _, _, form = visitor.open(join)
        person = {
            **MENTEE_FORM,
            "languages": ["English"],
            "goals": ["leadership", "communication"],
            "csrf_token": csrf_token(form),
        }
        status, joined = answer(visitor, join, person)
        assert status == 200, joined
        assert "Check your email" in joined

        # On the /programs list of every worker within the refresh.
        until_every_answer_shows(base_url, "/programs/", "Spring circles", created_at)

        # A mistyped field: its message beside it, and nothing saved.
        editor = f"/organize/programs/{SLUG}/settings"
        _, _, settings = admin.open(editor)
        assert "Version 1 is live" in settings
        fields = form_of(settings)
        status, refused = answer(
            admin, editor, {**fields, "people-capacity": "0", "action": "save"}
        )
        assert status == 422
        beside = parse_html(refused).by_id("people-capacity-error")
        assert beside is not None
        assert "from 1 to 20" in beside.text
        assert "Version 1 is live" in admin.open(editor)[2]

        # A new question, in the blank row the editor offers.
        blank = next(
            key.removesuffix("-label")
            for key, value in fields.items()
            if key.startswith("questions-") and key.endswith("-label") and value == [""]
        )
        saved, text = answer(
            admin, editor, {**fields, f"{blank}-label": QUESTION, "action": "save"}
        )
        assert saved == 200, text
        assert "version 2 is live" in text.lower()
        saved_at = time.monotonic()

        # Every worker's sign-up form shows it within a minute.
        until_every_answer_shows(base_url, join, QUESTION, saved_at)
        assert stop(dev) == 0, log.read_text()
    assert "Traceback" not in log.read_text()
