"""Named email templates render to a subject, a plain-text part and an HTML part."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from portal.catalog.programs import load_program
from portal.domain.program import Program
from portal.mail.render import render
from tests.conftest import CONTENT

CONFIRM_URL = "http://portal.test/confirm/Zq3-_token-of-forty-three-characters-xyz12"


@pytest.fixture(scope="module")
def program() -> Program:
    return load_program(CONTENT / "programs" / "peer-circles.md")


def confirm_context(program: Program, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Ada Lovelace",
        "program": program,
        "role": "peer",
        "confirm_url": CONFIRM_URL,
        "expires_hours": 48,
        **changes,
    }


def test_confirm_signup_has_a_subject_text_and_html(program: Program) -> None:
    rendered = render("confirm_signup", confirm_context(program))
    assert rendered.subject == "Confirm your sign-up for Peer mentoring: Returners' network"
    assert "\n" not in rendered.subject
    # The name was typed on a form, maybe by someone else: quoted, never the greeting.
    assert rendered.text.startswith("Hello,\n")
    assert 'as a peer, under the name "Ada Lovelace".' in rendered.text
    assert "under the name &ldquo;Ada Lovelace&rdquo;." in rendered.html
    assert f"\n{CONFIRM_URL}\n" in rendered.text  # on a line of its own, easy to copy
    assert "expires in 48 hours" in rendered.text
    assert "returners@example.org, community@example.org" in rendered.text
    assert "<html" not in rendered.text
    assert rendered.html.startswith("<!doctype html>")
    assert f'href="{CONFIRM_URL}"' in rendered.html
    assert "Confirm my sign-up" in rendered.html
    assert 'href="mailto:returners@example.org"' in rendered.html


def test_already_registered_has_a_subject_text_and_html(program: Program) -> None:
    rendered = render(
        "already_registered",
        {
            "name": "Ada Lovelace",
            "program": program,
            "role": "peer",
            "program_url": "http://portal.test/programs/peer-circles",
        },
    )
    assert rendered.subject == "You are already signed up for Peer mentoring: Returners' network"
    assert "already signed up and confirmed as a peer" in rendered.text
    assert "http://portal.test/programs/peer-circles" in rendered.text
    assert "/confirm/" not in rendered.text
    assert 'href="http://portal.test/programs/peer-circles"' in rendered.html
    assert "confirmed as a peer" in rendered.html


def test_html_part_escapes_what_people_typed_and_text_part_keeps_it(program: Program) -> None:
    rendered = render("confirm_signup", confirm_context(program, name="<b>Ada</b> & Co"))
    assert 'under the name "<b>Ada</b> & Co".' in rendered.text
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; Co" in rendered.html
    assert "<b>Ada</b>" not in rendered.html


def test_a_missing_value_fails_instead_of_sending_a_blank(program: Program) -> None:
    context = confirm_context(program)
    del context["confirm_url"]
    with pytest.raises(jinja2.UndefinedError):
        render("confirm_signup", context)


def test_an_unknown_template_fails() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        render("no_such_email", {})
