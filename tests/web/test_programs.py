"""Programs' public pages: the list, each program, its sign-up links, and closed programs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from portal.mail.senders import MemorySender
from tests.conftest import csrf_token
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import GOOD_FOR, JOINS, PROGRAMS, assert_helpful_404, assert_nothing_stored


def join_links(html: str) -> list[str]:
    return [href for href in parse(html).hrefs() if "/join/" in href]


def test_programs_page_lists_all_three_programs(client: FlaskClient) -> None:
    response = client.get("/programs/")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.h1 == "Programs"
    assert page.title == "Programs · Mentor Portal"
    cards = page.one("ul", class_="cards")
    titles = {a.get("href"): a.text for card in cards.find_all("h3") for a in card.find_all("a")}
    assert titles == PROGRAMS
    joins = [a.get("href") for a in cards.find_all("a", class_="button")]
    assert joins == [f"{path}/join/{role}" for path, role in JOINS]
    assert "One on one · 12 weeks" in cards.text
    assert "Peer · 8 weeks" in cards.text


def test_programs_without_slash_lead_to_the_list(client: FlaskClient) -> None:
    response = client.get("/programs", follow_redirects=True)
    assert response.status_code == 200
    assert parse(response.text).h1 == "Programs"


def test_demo_program_shows_its_organizers_and_both_join_forms(client: FlaskClient) -> None:
    response = client.get("/programs/demo")
    assert response.status_code == 200
    page = parse(response.text)
    assert page.h1 == "Demo: Tech Careers mentoring"
    assert page.title == "Demo: Tech Careers mentoring · Mentor Portal"
    assert "mailto:organizer@example.org" in page.hrefs()
    assert join_links(response.text) == ["/programs/demo/join/mentee", "/programs/demo/join/mentor"]
    facts = page.one("dl", class_="facts").text
    assert "One on one" in facts
    assert "12 weeks" in facts
    assert "Europe/London" in facts
    # How long its people's information is kept (retention_days), as the privacy notice says.
    assert "deleted 365 days after your last cycle here ends" in facts
    # The Markdown body is the program's page.
    headings = [h.text for h in page.find_all("h2")]
    assert "What this program is" in headings
    assert "How matching works here" in headings


def test_group_program_links_to_mentee_and_mentor_forms(client: FlaskClient) -> None:
    response = client.get("/programs/leaders-group")
    assert response.status_code == 200
    assert "mailto:leaders@example.org" in parse(response.text).hrefs()
    assert join_links(response.text) == [
        "/programs/leaders-group/join/mentee",
        "/programs/leaders-group/join/mentor",
    ]


def test_peer_program_links_to_the_peer_form_only(client: FlaskClient) -> None:
    response = client.get("/programs/peer-circles")
    assert response.status_code == 200
    page = parse(response.text)
    assert join_links(response.text) == ["/programs/peer-circles/join/peer"]
    assert {"mailto:returners@example.org", "mailto:community@example.org"} <= set(page.hrefs())
    for role in ("mentee", "mentor"):
        assert client.get(f"/programs/peer-circles/join/{role}").status_code == 404


def test_every_join_link_opens_a_form(client: FlaskClient) -> None:
    for program in PROGRAMS:
        for link in join_links(client.get(program).text):
            page = client.get(link)
            assert page.status_code == 200, link
            assert parse(page.text).find("form", method="post") is not None


def test_unknown_program_and_wrong_role_give_the_helpful_404(client: FlaskClient) -> None:
    for path in ("/programs/nope", "/programs/demo/join/peer"):
        response = client.get(path)
        assert response.status_code == 404
        assert_helpful_404(response.text)


def test_a_program_body_cannot_inject_html(
    build_site: Callable[..., Site], content_copy: Path
) -> None:
    demo = content_copy / "programs" / "demo.md"
    demo.write_text(
        demo.read_text(encoding="utf-8") + '\n<script src="https://evil.example/x.js"></script>\n',
        encoding="utf-8",
    )
    site = build_site(content_dir=content_copy)
    response = site.client.get("/programs/demo")
    assert response.status_code == 200
    assert "<script" not in response.text
    assert "&lt;script" in response.text


def test_a_closed_program_says_so_and_refuses_sign_ups(
    build_site: Callable[..., Site], content_copy: Path, mailbox: MemorySender
) -> None:
    path = content_copy / "programs" / "leaders-group.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("signup_open: true", "signup_open: false"), encoding="utf-8")
    client = build_site(content_dir=content_copy).client

    home = parse(client.get("/").text).one("ul", class_="cards")
    assert "/programs/leaders-group" not in [a.get("href") for a in home.find_all("a")]
    listing = parse(client.get("/programs/").text).one("ul", class_="cards")
    assert "sign-up closed" in listing.text

    detail = client.get("/programs/leaders-group")
    assert "Sign-up for this program is closed." in parse(detail.text).text
    assert join_links(detail.text) == []

    form = client.get("/programs/leaders-group/join/mentee")
    assert form.status_code == 403
    page = parse(form.text)
    assert page.h1 == "Sign-up is closed"
    assert "mailto:leaders@example.org" in page.hrefs()
    assert page.find("form") is None
    # Good answers sent anyway (with a token of this session from an open form): refused.
    answers = {k: v for k, v in GOOD_FOR[("leaders-group", "mentee")].items() if v is not None}
    token = csrf_token(client.get("/programs/demo/join/mentee").text)
    sent = client.post("/programs/leaders-group/join/mentee", data={**answers, "csrf_token": token})
    assert sent.status_code == 403
    assert_nothing_stored(mailbox)


def test_a_program_page_says_when_its_matching_rounds_run(client: FlaskClient) -> None:
    facts = parse(client.get("/programs/peer-circles").text).one("dl", class_="facts")
    assert "Matching roundsOn Mondays at 09:00 (America/New York) Time zone" in facts.text


def test_rounds_in_words_for_manual_and_unreadable_schedules() -> None:
    from portal.web.programs.routes import _rounds_in_words
    from tests.factories import program

    weekly = program().model_copy(update={"timezone": "Europe/London"})
    assert _rounds_in_words(weekly) == "On Mondays at 09:00 (Europe/London)"
    manual = weekly.model_copy(
        update={"schedule": weekly.schedule.model_copy(update={"rounds": "manual"})}
    )
    assert _rounds_in_words(manual) == "When the organizers run one"
    monthly = weekly.model_copy(
        update={"schedule": weekly.schedule.model_copy(update={"rounds": "cron(0 9 1 * ? *)"})}
    )
    assert _rounds_in_words(monthly) == "On the organizers' schedule"
