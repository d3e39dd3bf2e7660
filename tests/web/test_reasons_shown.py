"""Why people were matched, on their page and in the introduction: strengths as reasons, weak
points once on a separate "worth knowing" line, and reasons stored by an earlier version still
shown as they were written."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.program import Program
from portal.mail.render import render
from portal.persistence.tables import MatchRecord
from tests.conftest import FakeClock, csrf_token
from tests.factories import matched_pair
from tests.web.dom import parse

BASE = "http://portal.test"
CODES = [
    {"code": "shared_language", "languages": ["English"]},
    {"code": "goals_covered", "topics": ["python", "sql"], "goals": 2},
    {"code": "time_zone_gap", "hours": 5},
    {"code": "career_ahead", "who": "mentor", "stages": 2},
    {"code": "no_shared_availability"},
]
LEGACY = ["both speak English", "covers 2 of 2 goals: python, sql", "5 h time-zone gap"]


def _page(client: FlaskClient, services: Services, email: str) -> str:
    path = services.checkins.page_url("demo", email).removeprefix(BASE)
    opened = client.get(path)
    signed = client.post(path, data={"csrf_token": csrf_token(opened.text)})
    assert signed.status_code == 302
    return client.get(signed.headers["Location"]).text


def _why(page: str) -> tuple[list[str], str]:
    """The items under "Why you were matched", and the "worth knowing" line."""
    card = parse(page).find("section", class_="card")
    assert card is not None
    lists = card.find_all("ul")
    items = [li.text for li in lists[0].find_all("li")] if lists else []
    worth = card.find("p", class_="worth-knowing")
    return items, worth.text if worth else ""


def _store_reasons(services: Services, clock: FakeClock, reasons: list[Any]) -> tuple[str, str]:
    match = matched_pair(services, clock)
    record = MatchRecord.get("demo", match.match_id)
    record.update(actions=[MatchRecord.reasons.set(reasons)])
    return match.mentor, match.mentee


def test_the_page_lists_strengths_and_says_weak_points_once_apart(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _, mentee = _store_reasons(services, clock, CODES)
    page = _page(client, services, mentee)
    assert "Why you were matched:" in page
    items, worth = _why(page)
    assert items == [
        "you both speak English",
        "your mentor can help with both your goals: python and sql",
        "your mentor is two career stages ahead of you",
    ]
    assert worth == (
        "Worth knowing: there is a time difference of five hours between you; "
        "you have no weekly time in common."
    )
    assert page.count("Worth knowing") == 1
    assert "code" not in " ".join(items)


def test_the_mentor_reads_the_same_reasons_from_their_side(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    mentor, _ = _store_reasons(services, clock, CODES)
    items, _ = _why(_page(client, services, mentor))
    assert "you can help with both your mentee's goals: python and sql" in items
    assert "you are two career stages ahead of your mentee" in items


def test_a_match_stored_by_an_earlier_version_shows_its_sentences_as_they_were(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _, mentee = _store_reasons(services, clock, LEGACY)
    stored = services.rounds.matches.get("demo", MatchRecord.scan().next().match_id)
    assert stored is not None
    assert stored.reasons == tuple(LEGACY)
    items, worth = _why(_page(client, services, mentee))
    assert items == LEGACY
    assert worth == ""


def _introduction(program: Program, reasons: list[Any]) -> tuple[str, str]:
    """The introduction a mentee gets, its plain text (one line) and its HTML."""

    def person(name: str, role: str) -> dict[str, Any]:
        return {
            "name": f"{name} Example",
            "first_name": name,
            "email": f"{name.lower()}@example.org",
            "role": role,
            "bio": "",
            "languages": ["English"],
            "timezone": "Europe/London",
            "department": "",
        }

    email = render(
        "introduction",
        {
            "program": program,
            "person": person("Ben", "mentee"),
            "other": person("Ana", "mentor"),
            "reasons": reasons,
            "score": 72.0,
            "agreement_url": "",
            "program_url": f"{BASE}/programs/demo",
            "page_url": f"{BASE}/me/token",
            "unsubscribe_url": None,
        },
    )
    return " ".join(email.text.split()), email.html


def test_the_introduction_lists_strengths_and_one_worth_knowing_line(services: Services) -> None:
    program = services.programs.get("demo")
    assert program is not None
    text, body = _introduction(program, CODES)
    why = text.split("Why we matched you", 1)[1].split("Your first steps", 1)[0]
    assert "- you both speak English" in why
    assert "- your mentor is two career stages ahead of you" in why
    assert why.count("Worth knowing:") == 1
    assert (
        "Worth knowing: there is a time difference of five hours between you; "
        "you have no weekly time in common." in why
    )
    assert "- there is a time difference" not in why  # a weak point is never a reason
    html_why = body.split("Why we matched you", 1)[1].split("Your first steps", 1)[0]
    items = [li.text for li in parse(html_why).find_all("li")]
    assert items == [
        "you both speak English",
        "your mentor can help with both your goals: python and sql",
        "your mentor is two career stages ahead of you",
    ]
    assert "<p>Worth knowing: there is a time difference of five hours" in html_why


def test_an_introduction_from_an_earlier_versions_record_shows_its_sentences(
    services: Services,
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    text, body = _introduction(program, LEGACY)
    for sentence in LEGACY:
        assert f"- {sentence}" in text
        assert f">{sentence}</li>" in body
    assert "Worth knowing" not in text
