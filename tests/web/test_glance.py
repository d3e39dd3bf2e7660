"""The program at a glance: the stored figures, their tables and charts, and how fresh they are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.matches import MOVED
from portal.domain.participants import Role
from portal.persistence.matches import ACTIVATED
from portal.services.checkins import CheckinAnswers
from portal.services.digests import organize_url
from portal.services.magic_links import Purpose
from tests.conftest import FakeClock, csrf_token
from tests.factories import pair, stored_person
from tests.web.conftest import Site
from tests.web.dom import Document, parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
PAGE = "/organize/programs/demo"
REASON = {"code": "no_free_mentor"}


def _program(services: Services, clock: FakeClock) -> None:
    """Six demo pairs, three of which met and rated 4, and one mentee waiting."""
    start = clock()
    matches = [pair(services, f"Mentor{n}", f"Mentee{n}", start) for n in range(6)]
    waiting = stored_person("Wanda", Role.MENTEE, start)
    services.participants.save(waiting)
    services.participants.note_waiting(
        "demo", waiting.participant_id, since=start, told="x", reason=REASON
    )
    clock.advance(days=3)
    for n in range(3):
        services.checkins.record(
            "demo",
            matches[n].match_id,
            f"mentee{n}@example.org",
            CheckinAnswers(met=True, satisfaction=4),
        )
    clock.advance(hours=1)


def _organizer(client: FlaskClient, services: Services, slug: str = "demo") -> None:
    address = "organizer@example.org" if slug == "demo" else "leaders@example.org"
    sign_in(client, f"{BASE}/organize/{services.links.issue(Purpose.ORGANIZE, slug, address)}")


def _table(page: Document, caption: str) -> dict[str, list[str]]:
    """A table's rows by their first cell, found by the start of its caption."""
    for table in page.find_all("table"):
        found = table.find("caption")
        if found is not None and found.text.startswith(caption):
            rows = {}
            for row in table.one("tbody").find_all("tr"):
                cells = [c.text.strip() for c in row.iter() if c.tag in ("th", "td")]
                rows[cells[0]] = cells[1:]
            return rows
    raise AssertionError(f"no table captioned {caption!r}")


def test_the_page_shows_the_figures_in_tables_beside_their_charts(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _program(services, clock)
    _organizer(client, services)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.text)
    assert _table(page, "The funnel") == {
        "Signed up": ["13"],
        "Confirmed their email": ["13"],
        "Matched": ["12"],
        "In an active match": ["12"],
        "Completed the cycle": ["0"],
    }
    assert _table(page, "Match rate by role") == {"Mentors": ["100%"], "Mentees": ["86%"]}
    # Three people rated: the average is words, not a number that reads as a score.
    text = page.one("main").text
    assert "Average satisfaction over these weeks: not shown, fewer than 5 people rated." in text
    assert "4.0 of 5" not in text
    # Three pairs (six people) met three days after their match.
    assert "the median: 3 days" in text
    assert _table(page, "Pairs by how long they took")["Within a week"] == ["3"]
    assert _table(page, "Of the pairs each round made")["2 Mar 2026"] == [
        "6",
        "6",
        "0",
        "0",
        "100%",
    ]
    # Who waits, for how long, and the engine's reason in the organizer's words.
    assert _table(page, "1 confirmed person is in no match") == {
        "Wanda Example": ["mentee", "3 days", "no mentor has a free place in this round"]
    }
    images = page.find_all("img", class_="chart")
    assert images
    for image in images:
        assert (image.get("src") or "").startswith("data:image/svg+xml;")
        assert image.get("alt")
    assert "Figures as of 10:00 (Greenwich Mean Time), just now; refreshed every hour." in text


def test_the_stored_figures_are_shown_with_their_age_until_refreshed(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _program(services, clock)
    _organizer(client, services)
    client.get(PAGE)  # the first visit computes and stores them
    stored = services.figures.store.get("demo")
    assert stored is not None
    assert stored.computed_at == clock()

    clock.advance(minutes=23)
    services.participants.save(stored_person("Late", Role.MENTEE, clock()))
    page = client.get(PAGE)
    text = parse(page.text).one("main").text
    assert (
        "Figures as of 10:00 (Greenwich Mean Time), 23 minutes ago; refreshed every hour." in text
    )
    assert _table(parse(page.text), "The funnel")["Signed up"] == ["13"]

    refreshed = client.post(
        f"{PAGE}/figures", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True
    )

    assert refreshed.status_code == 200
    assert refreshed.request.path == PAGE
    now = parse(refreshed.text)
    assert _table(now, "The funnel")["Signed up"] == ["14"]
    assert "Figures as of 10:23 (Greenwich Mean Time), just now" in now.one("main").text
    stored = services.figures.store.get("demo")
    assert stored is not None
    assert stored.computed_at == clock()


def test_a_refresh_without_its_csrf_token_changes_nothing(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _program(services, clock)
    _organizer(client, services)
    client.get(PAGE)
    clock.advance(minutes=5)

    assert client.post(f"{PAGE}/figures").status_code == 400
    stored = services.figures.store.get("demo")
    assert stored is not None
    assert stored.computed_at == clock() - timedelta(minutes=5)


def test_another_programs_organizer_gets_404_and_computes_nothing(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _program(services, clock)
    _organizer(client, services, "leaders-group")

    assert client.get(PAGE).status_code == 404
    page = client.get("/organize/programs/leaders-group")
    assert page.status_code == 200
    token = csrf_token(page.text)
    assert client.post(f"{PAGE}/figures", data={"csrf_token": token}).status_code == 404
    assert services.figures.store.get("demo") is None


def test_the_console_links_to_the_glance_page_which_links_to_the_review_if_any(
    client: FlaskClient, services: Services, build_site: Callable[..., Site], content_copy: Path
) -> None:
    _organizer(client, services)
    console = parse(client.get("/organize/").text)
    assert console.one("ul", class_="console-programs").one("a").get("href") == PAGE
    page = parse(client.get(PAGE).text)
    # demo publishes its rounds itself: there are no drafts to review.
    assert "/organize/programs/demo/review" not in page.hrefs()
    # An empty program: every figure about nobody, and no chart drawn from nothing.
    assert _table(page, "The funnel")["Signed up"] == ["0"]
    assert page.find_all("img", class_="chart") == []

    path = content_copy / "programs" / "demo.md"
    path.write_text(path.read_text().replace("approval: auto", "approval: organizer"))
    site = build_site(content_dir=content_copy)
    _organizer(site.client, site.services)
    reviewed = parse(site.client.get(PAGE).text)
    assert "/organize/programs/demo/review" in reviewed.hrefs()


def test_erasing_someone_drops_the_stored_figures_that_name_them(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _program(services, clock)
    _organizer(client, services)
    assert "Wanda Example" in client.get(PAGE).text  # waiting, by name, in the stored figures

    services.erasure.erase("wanda@example.org")

    assert services.figures.store.get("demo") is None
    page = client.get(PAGE)  # computed again, without her
    assert page.status_code == 200
    assert "Wanda" not in page.text


def test_the_digests_link_opens_the_program_at_a_glance(
    client: FlaskClient, services: Services
) -> None:
    link = organize_url(services.links, "demo", "organizer@example.org")

    assert sign_in(client, link) == PAGE
    assert client.get(PAGE).status_code == 200


def test_matches_organizers_made_by_moving_someone_are_one_cohort(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    _program(services, clock)
    for n, minute in enumerate(("0905", "0910")):  # two moves, each its own "round" name
        mentor = stored_person(f"Moved{n}mentor", Role.MENTOR, clock())
        mentee = stored_person(f"Moved{n}mentee", Role.MENTEE, clock())
        for someone in (mentor, mentee):
            services.participants.save(someone)
        outcome = services.rounds.matches.activate(
            "demo",
            f"2026-03-05T{minute}Z{MOVED}",
            mentor=mentor.email,
            mentee=mentee.email,
            mentor_capacity=1,
            mentee_capacity=1,
            score=70,
            reasons=(),
            now=clock(),
        )
        assert outcome == ACTIVATED
    _organizer(client, services)

    cohorts = _table(parse(client.get(PAGE).text), "Of the pairs each round made")

    assert list(cohorts) == ["2 Mar 2026", "Moved by organizers"]
    # Four people in all: too few to show their figures as numbers.
    assert cohorts["Moved by organizers"][0] == "not shown, fewer than 5 people"
