"""Named email templates render to a subject, a plain-text part and an HTML part."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from portal.catalog.programs import load_program
from portal.domain.program import Program
from portal.mail.catalog import EMAILS
from portal.mail.render import TEMPLATE_ROOT, render
from portal.services.signin import PageLink
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


def test_the_sign_in_email_links_to_each_of_the_persons_pages(program: Program) -> None:
    one = PageLink(program.title, "http://portal.test/me/one-token-of-forty-three-characters-x")
    two = PageLink("Demo: Tech Careers mentoring", "http://portal.test/me/another-token-xyz")

    no_console = {"organizes": [], "console_link": None, "console_hours": 48}
    single = render("sign_in", {"name": "Ada", "pages": [one], "expires_days": 14, **no_console})
    assert single.subject == "Your link to your page on Mentor Portal"
    assert "Hello Ada," in single.text
    assert f"Open your own page in {program.title} with this link:" in single.text
    assert one.url in single.text
    assert f'href="{one.url}"' in single.html
    assert "The link works once, for 14 days." in single.text
    assert "sign-up for" not in single.html  # the footer says why it came: they asked

    both = render("sign_in", {"name": "Ada", "pages": [one, two], "expires_days": 14, **no_console})
    assert "You take part in 2 programs; each has a page of its own" in both.text
    for page in (one, two):
        assert f"{page.title}:\n{page.url}" in both.text
        assert f'href="{page.url}"' in both.html
    assert "Each link works once, for 14 days." in both.text
    assert "console" not in both.text


def test_the_sign_in_email_of_an_organizer_links_to_the_console(program: Program) -> None:
    console = "http://portal.test/organize/a-token-of-forty-three-characters-xxxxxxx"
    context = {"name": "", "pages": [], "expires_days": 14, "console_hours": 48}

    one = render("sign_in", {**context, "organizes": [program.title], "console_link": console})
    assert one.subject == "Your link to the organizers' console on Mentor Portal"
    assert f"You organize {program.title}. Open the organizers' console" in one.text
    assert console in one.text
    assert f'href="{console}"' in one.html
    assert "The console link works once, for 48 hours" in one.text
    assert "From your page" not in one.text  # no participant's page to speak of

    two = render("sign_in", {**context, "organizes": ["A", "B"], "console_link": console})
    assert "You organize 2 programs: A, B." in two.text


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


UNSUBSCRIBE_URL = "http://portal.test/unsubscribe/signed-token"
FAILED = {"recipient": "grace@example.org", "template": "introduction", "error": "bounced"}


def test_an_unsubscribe_link_is_a_visible_line_at_the_end_of_both_bodies() -> None:
    rendered = render("delivery_failed", FAILED, unsubscribe_url=UNSUBSCRIBE_URL)

    *_, before, last = rendered.text.rstrip("\n").splitlines()
    assert last == UNSUBSCRIBE_URL
    assert before.endswith("still arrive):")
    assert f'<a href="{UNSUBSCRIBE_URL}"' in rendered.html
    assert "Stop program emails to this address</a>" in rendered.html


def test_without_an_unsubscribe_link_neither_body_offers_one(program: Program) -> None:
    for rendered in (
        render("delivery_failed", FAILED),
        render("confirm_signup", confirm_context(program)),
    ):
        assert "unsubscribe" not in rendered.text.lower()
        assert "Stop program emails" not in rendered.html


def test_every_html_body_is_laid_out_by_the_layout_that_holds_the_line() -> None:
    bodies = sorted(TEMPLATE_ROOT.glob("*/body.html"))
    assert len(bodies) == len(EMAILS)
    for body in bodies:
        assert body.read_text().startswith('{% extends "_layout.html" %}'), body.parent.name
