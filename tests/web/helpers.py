"""What the web tests share: good answers for each form, sending them, reading the errors."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.mail.senders import MemorySender
from tests.conftest import MENTEE_FORM, csrf_token, links_in, table_snapshot
from tests.web.dom import Document, parse

GOOD = MENTEE_FORM

# Good answers for every program and role, beyond the questions every form asks.
GOOD_FOR: dict[tuple[str, str], dict[str, Any]] = {
    ("demo", "mentee"): GOOD,
    ("demo", "mentor"): {**GOOD, "goals": None, "skills": ["python", "sql"], "seniority": "senior"},
    ("leaders-group", "mentee"): {
        **GOOD,
        "languages": ["German"],
        "timezone": "Europe/Berlin",
        "goals": ["delegation", "giving feedback"],
        "q_industry": None,
        "q_work_setting": "Hybrid",
    },
    ("leaders-group", "mentor"): {
        **GOOD,
        "languages": ["German", "English"],
        "timezone": "Europe/Berlin",
        "goals": None,
        "skills": ["delegation", "hiring and onboarding"],
        "seniority": "lead",
        "capacity": "2",
        "reports_to": "Boss@Example.org",
        "q_industry": None,
        "q_work_setting": "Fully remote",
    },
    ("peer-circles", "peer"): {
        **GOOD,
        "languages": ["English", "Spanish"],
        "timezone": "America/New_York",
        "skills": ["networking", "returnships"],
        "goals": ["interviews", "negotiating pay and hours"],
        "q_industry": None,
        "q_return_stage": "Applying and interviewing",
    },
}


# What someone who knows Ada's address sends with it (the outside probe's example).
STRANGERS_ANSWERS: dict[str, Any] = {
    "name": "Mallory Mischief",
    "email": "ada@example.org",
    "languages": ["German"],
    "department": "Sales",
    "bio": "I would rather meet someone from Sales.",
    "q_industry": "Finance",
}


# The message beside each field when a mentee of the demo program submits nothing.
EMPTY_FORM_ERRORS = {
    "name": "Please tell us your name.",
    "email": "Please give your email address.",
    "seniority": "Please choose your career stage.",
    "languages": "Please choose at least one language.",
    "availability": "Please choose at least one time slot.",
    "goals": "Please choose at least one goal.",
    "q_industry": "Please answer this question.",
    "consent": "Please agree to the privacy notice to sign up.",
}

# Every program's page and title, as the lists show them.
PROGRAMS = {
    "/programs/demo": "Demo: Tech Careers mentoring",
    "/programs/leaders-group": "Group mentoring: New managers",
    "/programs/peer-circles": "Peer mentoring: Returners' network",
}

# Each program's Join buttons, in the order its card shows them.
JOINS = [
    ("/programs/demo", "mentee"),
    ("/programs/demo", "mentor"),
    ("/programs/leaders-group", "mentee"),
    ("/programs/leaders-group", "mentor"),
    ("/programs/peer-circles", "peer"),
]


def assert_helpful_404(response_text: str) -> None:
    """The 404 page that helps a lost person on: home, the programs, the FAQ."""
    page = parse(response_text)
    assert page.h1 == "We could not find that page"
    assert page.title == "Page not found · Mentor Portal"
    hrefs = page.one("main").find_all("a")
    assert "/" in [a.get("href") for a in hrefs]
    assert "/programs/" in [a.get("href") for a in hrefs]


def join(client: FlaskClient, slug: str, role: str, data: dict[str, Any]) -> TestResponse:
    """Open a sign-up form and send it with `data` (None values are left out, like blanks)."""
    page = client.get(f"/programs/{slug}/join/{role}")
    assert page.status_code == 200
    form = {key: value for key, value in data.items() if value is not None}
    return client.post(
        f"/programs/{slug}/join/{role}", data={**form, "csrf_token": csrf_token(page.text)}
    )


def sign_up(client: FlaskClient, role: str = "mentee", **changes: Any) -> TestResponse:
    """Sign up for the demo program with good answers, changed by `changes`."""
    return join(client, "demo", role, {**GOOD_FOR[("demo", role)], **changes})


def confirm_path(mailbox: MemorySender) -> str:
    """The path of the confirmation link in the last message sent."""
    (link,) = [url for url in links_in(mailbox.sent[-1][1]) if "/confirm/" in url]
    return link.removeprefix("http://portal.test")


def assert_error_beside(response: TestResponse, field: str, message: str) -> Document:
    """The form came back with `message` beside `field` and in the summary at the top."""
    assert response.status_code == 422
    page = parse(response.text)
    error = page.by_id(f"{field}-error")
    assert error is not None, f"no message beside {field!r}; summary: {_summary_text(page)}"
    assert message in error.text
    summary = page.one(class_="error-summary")
    assert any(message in link.text for link in summary.find_all("a")), summary.text
    assert page.title.startswith("Error: ")
    # Screen readers hear the message with the field: the field (or its group) points at it.
    pointing = [
        element
        for element in page.iter()
        if f"{field}-error" in (element.get("aria-describedby") or "").split()
    ]
    assert pointing, f"nothing points at {field}-error"
    assert all(el.get("name") == field or error.is_inside(el) for el in pointing)
    return page


def _summary_text(page: Document) -> str:
    summary = page.find(class_="error-summary")
    return summary.text if summary else "(none)"


def assert_nothing_stored(mailbox: MemorySender) -> None:
    """No table holds anything and no email went out: a refused first request left no trace."""
    assert {table: items for table, items in table_snapshot().items() if items} == {}
    assert mailbox.sent == []


def sign_in(client: FlaskClient, link: str) -> str:
    """Open an emailed link, press its button; the page it leads to."""
    path = link.removeprefix("http://portal.test")
    opened = client.get(path)
    assert opened.status_code == 200
    signed = client.post(path, data={"csrf_token": csrf_token(opened.text)})
    assert signed.status_code == 302, signed.text
    return signed.headers["Location"]


DEMO_ORGANIZER = "organizer@example.org"  # content/programs/demo.md's organizer


def sign_in_as_organizer(
    client: FlaskClient, mailbox: MemorySender, address: str = DEMO_ORGANIZER
) -> None:
    """Sign this client in as an organizer, through the sign-in form and its emailed link."""
    form = client.get("/sign-in")
    before = len(mailbox.sent)
    asked = client.post("/sign-in", data={"email": address, "csrf_token": csrf_token(form.text)})
    assert asked.status_code == 200
    _, message = mailbox.sent[before]
    (link,) = [u for u in links_in(message) if "/organize/" in u and not u.endswith("/organize/")]
    assert sign_in(client, link) == "/organize/"
