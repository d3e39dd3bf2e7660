"""What each sign-up form asks, by program and role, and that each can be sent."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from tests.web.dom import Document, parse
from tests.web.helpers import GOOD_FOR, confirm_path, join, sign_up

DEMO_TOPICS = [
    "python",
    "sql",
    "data analysis",
    "cloud",
    "frontend",
    "machine learning",
    "ux design",
    "product management",
    "leadership",
    "public speaking",
    "career change",
    "negotiation",
    "interviewing",
    "open source",
]


def form_page(client: FlaskClient, path: str) -> Document:
    response = client.get(path)
    assert response.status_code == 200
    return parse(response.text)


def boxes(page: Document, name: str) -> list[str]:
    return [box.get("value") or "" for box in page.find_all("input", name=name)]


def test_demo_mentor_form_asks_for_skills_not_goals(client: FlaskClient) -> None:
    page = form_page(client, "/programs/demo/join/mentor")
    assert page.h1 == "Join as a mentor"
    assert page.title == "Join Demo: Tech Careers mentoring as a mentor · Mentor Portal"
    assert boxes(page, "skills") == DEMO_TOPICS
    assert boxes(page, "goals") == []
    # One mentee per mentor in this program: nothing to choose.
    assert page.find("select", name="capacity") is None


def test_demo_mentee_form_asks_for_goals_not_skills(client: FlaskClient) -> None:
    page = form_page(client, "/programs/demo/join/mentee")
    assert page.h1 == "Join as a mentee"
    assert boxes(page, "goals") == DEMO_TOPICS
    assert boxes(page, "skills") == []
    assert "Choose up to 5." in page.one(id="goals-help").text


def test_form_offers_the_program_languages_and_defaults_to_its_time_zone(
    client: FlaskClient,
) -> None:
    page = form_page(client, "/programs/leaders-group/join/mentee")
    assert boxes(page, "languages") == ["German", "English"]
    assert page.selected("timezone") == ["Europe/Berlin"]
    zones = page.options("timezone")
    assert {"Europe/London", "America/New_York", "Asia/Kolkata", "UTC"} <= set(zones)
    assert "Mars/Olympus" not in zones


def test_form_asks_the_standard_questions(client: FlaskClient) -> None:
    page = form_page(client, "/programs/demo/join/mentee")
    form = page.one("form", method="post")
    assert form.get("action") == "/programs/demo/join/mentee"
    assert form.find("input", name="csrf_token", type="hidden") is not None
    for name in ("name", "email", "department"):
        assert form.find("input", name=name) is not None, name
        assert form.find("label", **{"for": name}) is not None, name
    assert form.one("input", name="email").get("type") == "email"
    assert form.find("textarea", name="bio") is not None
    assert page.options("seniority")[0] == ""  # nothing chosen for the person
    assert "student" in page.options("seniority")
    consent = form.one("input", name="consent")
    assert consent.get("type") == "checkbox"
    assert not consent.has("checked")
    consent_field = form.one("div", class_="consent")
    assert "/privacy" in [a.get("href") for a in consent_field.find_all("a")]
    # The honeypot is hidden from people, including screen-reader users.
    honeypot = form.one("div", class_="honeypot")
    assert honeypot.get("aria-hidden") == "true"
    assert honeypot.one("input", name="website").get("tabindex") == "-1"


def test_group_mentor_form_asks_how_many_mentees_and_for_the_manager(
    client: FlaskClient,
) -> None:
    page = form_page(client, "/programs/leaders-group/join/mentor")
    assert page.options("capacity") == ["", "1", "2", "3", "4"]  # an empty placeholder first
    assert page.selected("capacity") == ["4"]
    reports_to = page.one("input", name="reports_to")
    assert reports_to.get("type") == "email"
    assert "(optional)" in page.one("label", **{"for": "reports_to"}).text
    assert boxes(page, "skills")[:2] == ["one-on-one meetings", "giving feedback"]
    assert boxes(page, "goals") == []


def test_group_mentee_form_has_no_capacity(client: FlaskClient) -> None:
    page = form_page(client, "/programs/leaders-group/join/mentee")
    assert page.find("select", name="capacity") is None
    assert page.find("input", name="reports_to") is not None


def test_peer_form_asks_for_both_skills_and_goals(client: FlaskClient) -> None:
    page = form_page(client, "/programs/peer-circles/join/peer")
    assert page.h1 == "Join as a peer"
    assert len(boxes(page, "skills")) == 13
    assert boxes(page, "skills") == boxes(page, "goals")
    assert page.find("select", name="capacity") is None


@pytest.mark.parametrize(
    ("path", "name", "label", "kind", "choices"),
    [
        (
            "/programs/demo/join/mentee",
            "q_industry",
            "Which industry do you work in, or want to work in?",
            "radio",
            ["Tech", "Finance", "Health", "Public sector", "Education", "Other"],
        ),
        (
            "/programs/demo/join/mentor",
            "q_meeting_style",
            "How would you like to meet?",
            "checkbox",
            ["Video call", "Phone", "In person", "Chat"],
        ),
        (
            "/programs/leaders-group/join/mentor",
            "q_work_setting",
            "Where does your team mostly work?",
            "radio",
            ["In the same office", "Hybrid", "Fully remote", "Spread across several countries"],
        ),
        (
            "/programs/peer-circles/join/peer",
            "q_return_stage",
            "Where are you in your return to work?",
            "radio",
            [
                "Still planning my return",
                "Applying and interviewing",
                "Starting a new role soon",
                "Back at work for under six months",
                "Back at work for six months or more",
            ],
        ),
    ],
)
def test_program_questions_are_asked(
    client: FlaskClient, path: str, name: str, label: str, kind: str, choices: list[str]
) -> None:
    page = form_page(client, path)
    inputs = page.find_all("input", name=name)
    assert [i.get("value") for i in inputs] == choices
    assert {i.get("type") for i in inputs} == {kind}
    group = next(f for f in page.find_all("fieldset", class_="field") if f.find("input", name=name))
    assert group.one("legend").text.startswith(label)


def test_optional_program_question_says_so(client: FlaskClient) -> None:
    page = form_page(client, "/programs/demo/join/mentee")
    groups = {f.one("legend").text: f for f in page.find_all("fieldset", class_="field")}
    assert "How would you like to meet? (optional)" in groups
    assert "Which industry do you work in, or want to work in?" in groups


def test_availability_grid_offers_every_slot_and_keeps_the_ticks(client: FlaskClient) -> None:
    page = form_page(client, "/programs/demo/join/mentee")
    slots = boxes(page, "availability")
    assert len(slots) == 21
    assert {"mon-morning", "wed-afternoon", "sun-evening"} <= set(slots)
    again = parse(sign_up(client, consent=None).text)
    assert again.checked("availability") == ["mon-evening", "thu-morning"]


def test_a_person_can_sign_up_with_only_what_the_form_offers(
    client: FlaskClient, services: Services
) -> None:
    # As a browser would: tick the first box of each group the page shows, nothing else.
    page = form_page(client, "/programs/demo/join/mentee")
    data: dict[str, object] = {
        "csrf_token": page.value_of("csrf_token"),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "seniority": page.options("seniority")[1],
        "timezone": page.selected("timezone")[0],
        "consent": page.one("input", name="consent").get("value") or "y",
    }
    for group in ("languages", "availability", "goals", "q_industry"):
        offered = boxes(page, group)
        if offered:
            data[group] = offered[0]
    response = client.post("/programs/demo/join/mentee", data=data)
    assert response.status_code == 200, parse(response.text).find(class_="error-summary")
    assert services.participants.get("demo", "ada@example.org") is not None


@pytest.mark.parametrize(
    ("slug", "role"),
    [("leaders-group", "mentee"), ("leaders-group", "mentor"), ("peer-circles", "peer")],
)
def test_each_form_signs_a_person_up(
    client: FlaskClient, services: Services, mailbox: MemorySender, slug: str, role: str
) -> None:
    response = join(client, slug, role, GOOD_FOR[(slug, role)])
    assert response.status_code == 200
    stored = services.participants.get(slug, "ada@example.org")
    assert stored is not None
    assert stored.status is Status.PENDING
    assert stored.role is Role(role)
    assert len(mailbox.sent) == 1
    page = parse(response.text)
    assert page.h1 == "Check your email"
    assert f"/programs/{slug}" in page.hrefs()


def test_group_mentor_answers_are_stored_as_given(client: FlaskClient, services: Services) -> None:
    join(client, "leaders-group", "mentor", GOOD_FOR[("leaders-group", "mentor")])
    stored = services.participants.get("leaders-group", "ada@example.org")
    assert stored is not None
    assert stored.capacity == 2
    assert stored.reports_to == "boss@example.org"
    assert stored.skills == ("delegation", "hiring and onboarding")
    assert stored.goals == ()
    assert stored.languages == ("German", "English")
    assert stored.answers == {"work_setting": "Fully remote"}


def test_peer_answers_are_stored_as_given(client: FlaskClient, services: Services) -> None:
    join(client, "peer-circles", "peer", GOOD_FOR[("peer-circles", "peer")])
    stored = services.participants.get("peer-circles", "ada@example.org")
    assert stored is not None
    assert stored.skills == ("networking", "returnships")
    assert stored.goals == ("interviews", "negotiating pay and hours")
    assert stored.timezone == "America/New_York"
    assert stored.answers == {"return_stage": "Applying and interviewing"}


def test_names_are_tidied_and_optional_answers_kept(
    client: FlaskClient, services: Services
) -> None:
    sign_up(
        client,
        name="  Ada   Lovelace ",
        q_meeting_style=["Video call", "Chat"],
        bio="  I like engines.  ",
    )
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.name == "Ada Lovelace"
    assert stored.bio == "I like engines."
    assert stored.answers == {"industry": "Tech", "meeting_style": ["Video call", "Chat"]}


def test_names_in_any_alphabet_reach_the_email_and_the_confirm_page(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    assert sign_up(client, name="Zoë Ångström-Núñez").status_code == 200
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.name == "Zoë Ångström-Núñez"
    body = mailbox.sent[0][1].get_body(preferencelist=("plain",))
    assert body is not None
    assert 'under the name "Zoë Ångström-Núñez".' in body.get_content()
    page = parse(client.get(confirm_path(mailbox)).text)
    assert page.one("p", class_="lead").text.startswith("Zoë, press the button")
