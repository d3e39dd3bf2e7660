"""Bad answers: the form comes back with a message beside the field, and nothing happens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.container import Services
from portal.mail.senders import MemorySender
from tests.conftest import csrf_token
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import (
    EMPTY_FORM_ERRORS,
    GOOD_FOR,
    assert_error_beside,
    assert_nothing_stored,
    join,
    sign_up,
)

LONG = "a" * 10_000
MARKUP = "<script>alert(1)</script>"

# (role, changes, field, message)
BAD_ANSWERS: list[tuple[str, dict[str, Any], str, str]] = [
    ("mentee", {"name": LONG}, "name", "Field cannot be longer than 100 characters."),
    ("mentee", {"name": "   "}, "name", "Please tell us your name."),
    ("mentee", {"name": MARKUP}, "name", "Please use plain text, without < or > characters."),
    (
        "mentee",
        {"email": LONG[:-12] + "@example.org"},
        "email",
        "Field cannot be longer than 254 characters.",
    ),
    ("mentee", {"email": None}, "email", "Please give your email address."),
    ("mentee", {"email": "ada.example.org"}, "email", "This does not look like an email address."),
    ("mentee", {"email": "ada@"}, "email", "This does not look like an email address."),
    ("mentee", {"department": LONG}, "department", "Field cannot be longer than 100 characters."),
    ("mentee", {"department": "<b>IT</b>"}, "department", "Please use plain text"),
    ("mentee", {"bio": LONG}, "bio", "Field cannot be longer than 1000 characters."),
    ("mentee", {"bio": "I <3 <a href=x>links</a>"}, "bio", "Please use plain text"),
    ("mentee", {"name": "Ada\x00Lovelace"}, "name", "Please use plain text"),
    ("mentee", {"name": "Ada\x1b[31m"}, "name", "Please use plain text"),
    ("mentee", {"department": "IT\x07"}, "department", "Please use plain text"),
    ("mentee", {"bio": "Hello\x00"}, "bio", "Please use plain text"),
    # C1 controls: the 8-bit terminal escape (CSI) and next line (NEL).
    ("mentee", {"name": "Ada\x9b31mLovelace"}, "name", "without control characters"),
    ("mentee", {"bio": "Hello.\x85Bye."}, "bio", "without control characters"),
    ("mentee", {"reports_to": LONG}, "reports_to", "Field cannot be longer than 254 characters."),
    (
        "mentee",
        {"reports_to": "my boss"},
        "reports_to",
        "This does not look like an email address.",
    ),
    ("mentee", {"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice."),
    ("mentee", {"seniority": None}, "seniority", "Please choose your career stage."),
    ("mentee", {"seniority": "wizard"}, "seniority", "Not a valid choice."),
    ("mentee", {"languages": None}, "languages", "Please choose at least one language."),
    (
        "mentee",
        {"languages": ["English", "Klingon"]},
        "languages",
        "'Klingon' is not a valid choice for this field.",
    ),
    ("mentee", {"availability": None}, "availability", "Please choose at least one time slot."),
    (
        "mentee",
        {"availability": ["mon-evening", "mon-midnight"]},
        "availability",
        "'mon-midnight' is not a valid choice for this field.",
    ),
    (
        "mentee",
        {"goals": ["python", "knitting"]},
        "goals",
        "'knitting' is not a valid choice for this field.",
    ),
    (
        "mentee",
        {"goals": ["python", "sql", "cloud", "frontend", "leadership", "negotiation"]},
        "goals",
        "Please choose at most 5 goals.",
    ),
    ("mentee", {"goals": None}, "goals", "Please choose at least one goal."),
    ("mentor", {"skills": None}, "skills", "Please choose at least one topic."),
    ("mentor", {"skills": ["python", "knitting"]}, "skills", "'knitting' is not a valid choice"),
    ("mentee", {"consent": None}, "consent", "Please agree to the privacy notice to sign up."),
    ("mentee", {"q_industry": None}, "q_industry", "Please answer this question."),
    ("mentee", {"q_industry": "Mining"}, "q_industry", "Not a valid choice."),
    (
        "mentee",
        {"q_meeting_style": ["Video call", "Carrier pigeon"]},
        "q_meeting_style",
        "'Carrier pigeon' is not a valid choice for this field.",
    ),
]


@pytest.mark.parametrize(
    ("role", "changes", "field", "message"),
    BAD_ANSWERS,
    ids=[f"{field}:{str(changes[field])[:20]}" for _, changes, field, _ in BAD_ANSWERS],
)
def test_bad_answer_is_shown_beside_its_field_and_nothing_happens(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    role: str,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = sign_up(client, role, **changes)
    assert_error_beside(response, field, message)
    assert_nothing_stored(mailbox)


def test_empty_form_lists_every_missing_answer(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    page = client.get("/programs/demo/join/mentee")
    response = client.post("/programs/demo/join/mentee", data={"csrf_token": csrf_token(page.text)})
    expected = EMPTY_FORM_ERRORS
    for field, message in expected.items():
        document = assert_error_beside(response, field, message)
    summary = document.one(class_="error-summary")
    assert summary.get("role") == "alert"
    assert summary.one("h2").text == "Please check these 8 answers"
    assert len(summary.find_all("a")) == len(expected)
    # Optional answers are not errors.
    for optional in ("department", "bio", "reports_to", "q_meeting_style", "timezone"):
        assert document.by_id(f"{optional}-error") is None
    assert_nothing_stored(mailbox)


def test_missing_goals_message_reads_well(client: FlaskClient) -> None:
    response = sign_up(client, goals=None)
    error = parse(response.text).one(id="goals-error").text
    assert error.endswith("Please choose at least one goal.")


def test_one_error_is_summarised_as_one_answer(client: FlaskClient) -> None:
    page = assert_error_beside(
        sign_up(client, consent=None), "consent", "Please agree to the privacy notice"
    )
    assert page.one(class_="error-summary").one("h2").text == "Please check this answer"


def test_markup_in_the_name_is_never_echoed_unescaped(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = sign_up(client, name=MARKUP, goals=["python", '<img src=x onerror="alert(2)">'])
    assert response.status_code == 422
    assert "<script" not in response.text
    assert "<img" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    page = parse(response.text)
    assert page.value_of("name") == MARKUP  # shown back as text, for the person to fix
    assert "is not a valid choice" in page.one(id="goals-error").text
    assert_nothing_stored(mailbox)


def test_entered_answers_are_kept_after_an_error(client: FlaskClient) -> None:
    response = sign_up(client, consent=None, bio="I like engines.", q_meeting_style=["Phone"])
    assert response.status_code == 422
    page = parse(response.text)
    assert page.value_of("name") == "Ada Lovelace"
    assert page.value_of("email") == "Ada@Example.org"
    assert page.value_of("department") == "Analytics"
    assert page.value_of("bio") == "I like engines."
    assert page.selected("seniority") == ["early"]
    assert page.selected("timezone") == ["Europe/London"]
    assert page.checked("languages") == ["English", "French"]
    assert page.checked("goals") == ["python", "leadership"]
    assert page.checked("q_industry") == ["Tech"]
    assert page.checked("q_meeting_style") == ["Phone"]
    assert page.checked("consent") == []
    # A fresh token comes with the page, so the corrected form can be sent.
    assert csrf_token(response.text)


def test_correcting_the_form_signs_up(client: FlaskClient, services: Services) -> None:
    assert sign_up(client, consent=None).status_code == 422
    assert sign_up(client).status_code == 200
    assert services.participants.get("demo", "ada@example.org") is not None


@pytest.mark.parametrize(
    "field", ["name", "email", "seniority", "languages", "availability", "goals", "consent"]
)
def test_error_summary_links_lead_to_the_field(client: FlaskClient, field: str) -> None:
    response = sign_up(client, **{field: None})
    page = parse(response.text)
    (link,) = page.one(class_="error-summary").find_all("a")
    target = (link.get("href") or "").removeprefix("#")
    assert page.by_id(target) is not None, f"nothing on the page has id={target!r}"


def test_group_mentor_cannot_offer_more_places_than_the_program_allows(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    data = {**GOOD_FOR[("leaders-group", "mentor")], "capacity": "5"}
    response = join(client, "leaders-group", "mentor", data)
    assert_error_beside(response, "capacity", "Not a valid choice.")
    assert_nothing_stored(mailbox)


def test_peer_must_offer_and_seek_something(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    data = {**GOOD_FOR[("peer-circles", "peer")], "skills": None, "goals": None}
    response = join(client, "peer-circles", "peer", data)
    assert_error_beside(response, "skills", "Please choose at least one topic.")
    assert_error_beside(response, "goals", "Please choose at least one goal.")
    assert_nothing_stored(mailbox)


def test_a_request_far_over_any_field_limit_is_refused_politely(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = sign_up(client, bio="a" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert parse(response.text).h1 == "That was more than we can accept"
    assert_nothing_stored(mailbox)


TEXT_QUESTION = """questions:
  - key: hobby
    label: What do you do for fun?
    type: text
    required: true
"""


@pytest.fixture
def text_question_site(build_site: Callable[..., Site], content_copy: Path) -> Site:
    """The demo program with one required free-text question."""
    path = content_copy / "programs" / "demo.md"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("questions:"), text.index("matching:")
    path.write_text(text[:start] + TEXT_QUESTION + text[end:], encoding="utf-8")
    return build_site(content_dir=content_copy)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (None, "Please answer this question."),
        (LONG, "Field cannot be longer than 200 characters."),
        (MARKUP, "Please use plain text, without < or > characters."),
    ],
)
def test_bad_text_answer_is_shown_beside_the_question(
    text_question_site: Site, mailbox: MemorySender, answer: str | None, message: str
) -> None:
    client = text_question_site.client
    page = parse(client.get("/programs/demo/join/mentee").text)
    assert page.one("label", **{"for": "q_hobby"}).text == "What do you do for fun?"
    data = {**GOOD_FOR[("demo", "mentee")], "q_industry": None, "q_hobby": answer}
    response = join(client, "demo", "mentee", data)
    assert_error_beside(response, "q_hobby", message)
    assert_nothing_stored(mailbox)


def test_text_answer_is_stored(text_question_site: Site) -> None:
    data = {**GOOD_FOR[("demo", "mentee")], "q_industry": None, "q_hobby": "  Chess  "}
    assert join(text_question_site.client, "demo", "mentee", data).status_code == 200
    stored = text_question_site.services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.answers == {"hobby": "Chess"}


def test_address_with_accented_local_part_gets_a_message_not_a_crash(
    app: Flask, client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    app.config.update(PROPAGATE_EXCEPTIONS=False)  # what a visitor sees, not the traceback
    response = sign_up(client, email="josé@example.org")
    assert_error_beside(response, "email", "This does not look like an email address.")
    assert_nothing_stored(mailbox)
