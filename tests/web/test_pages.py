"""Content pages, navigation, the helpful 404 page and static files."""

from __future__ import annotations

import hashlib

import pytest
from flask.testing import FlaskClient

from portal.catalog.pages import load_page
from tests.conftest import CONTENT, ROOT
from tests.web.dom import Document, parse
from tests.web.helpers import JOINS, PROGRAMS, assert_helpful_404

# Path, the page's heading, and the title the browser tab shows.
CONTENT_PAGES = [
    ("/", "Mentor Portal", "Mentor Portal"),
    ("/about-mentoring", "What mentoring is", "What mentoring is · Mentor Portal"),
    ("/formats", "Mentoring formats", "Mentoring formats · Mentor Portal"),
    ("/roles", "Roles and expectations", "Roles and expectations · Mentor Portal"),
    ("/faq", "Frequently asked questions", "Frequently asked questions · Mentor Portal"),
    ("/privacy", "Privacy notice", "Privacy notice · Mentor Portal"),
]
# The header: short enough for one row on a phone (tests/browser/test_phone_layout.py).
NAV = {
    "/programs/": "Programs",
    "/about-mentoring": "What mentoring is",
    "/faq": "FAQ",
    "/sign-in": "Sign in",
}
# The footer: every page.
FOOTER = ["/about-mentoring", "/formats", "/roles", "/faq", "/privacy"]


def nav_links(page: Document) -> dict[str, str]:
    nav = page.one("nav", aria_label="Main")
    return {a.get("href") or "": a.text for a in nav.find_all("a")}


@pytest.mark.parametrize(("path", "heading", "title"), CONTENT_PAGES)
def test_content_page_has_its_heading_title_and_navigation(
    client: FlaskClient, path: str, heading: str, title: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = parse(response.text)
    assert page.h1 == heading
    assert page.title == title
    assert nav_links(page) == NAV
    assert page.one("a", class_="brand").get("href") == "/"
    footer = page.one("nav", aria_label="More")
    assert [a.get("href") for a in footer.find_all("a")] == FOOTER
    # The language menu offers the other language, on this page.
    languages = page.one("nav", aria_label="Language")
    assert [a.get("href") for a in languages.find_all("a")] == [f"/language/es?next={path}"]
    # A page's own text is rendered, not shown as Markdown: its paragraphs, every one.
    shipped = load_page(CONTENT / "pages" / f"{path.strip('/') or 'home'}.md")
    # (`{stored-data}` stands for the list of what is stored, which takes its place.)
    paragraphs = [p.text for p in parse(shipped.html).find_all("p") if p.text != "{stored-data}"]
    assert paragraphs, f"{path} has no paragraph of its own"
    article = page.one("article")
    cards = article.find("section", class_="programs")  # the home page's programs, in between
    ours = [p.text for p in article.find_all("p") if cards is None or not p.is_inside(cards)]
    assert ours == paragraphs
    assert "---" not in page.one("article").text


@pytest.mark.parametrize("path", ["/about-mentoring", "/faq"])
def test_the_current_page_is_marked_in_the_navigation(client: FlaskClient, path: str) -> None:
    nav = parse(client.get(path).text).one("nav", aria_label="Main")
    current = nav.find_all("a", aria_current="page")
    assert [a.get("href") for a in current] == [path]


def test_content_pages_describe_themselves_for_search_results(client: FlaskClient) -> None:
    page = parse(client.get("/faq").text)
    description = page.one("meta", name="description").get("content") or ""
    assert description.startswith("Answers to common questions")


def test_home_page_lists_the_open_programs_with_links(client: FlaskClient) -> None:
    page = parse(client.get("/").text)
    cards = page.one("ul", class_="cards")
    links = {a.get("href"): a.text for card in cards.find_all("h3") for a in card.find_all("a")}
    assert links == PROGRAMS
    # Each card has its Join buttons, one per role.
    joins = [a.get("href") for a in cards.find_all("a", class_="button")]
    assert joins == [f"{path}/join/{role}" for path, role in JOINS]


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page",
        "/home",  # the home page lives at /
        "/programs/no-such-program",
        "/programs/no-such-program/join/mentee",
        "/programs/no-such-program/join/check-your-email",
        "/programs/demo/join/peer",  # a one-on-one program has no peers
        "/programs/peer-circles/join/mentor",  # a peer program has no mentors
        "/programs/demo/join/organizer",
        "/a/b/c",
        "/dev/mail/",  # only in the local stage
    ],
)
def test_unknown_addresses_get_the_helpful_404_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert_helpful_404(response.text)


def test_the_wrong_method_gets_a_page_not_a_bare_error(client: FlaskClient) -> None:
    response = client.post("/faq")
    assert response.status_code == 405
    assert parse(response.text).h1 == "That page cannot be used this way"


def test_stylesheet_and_icon_are_served(client: FlaskClient) -> None:
    css = client.get("/static/portal.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert ".honeypot" in css.text
    css.close()
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    icon.close()
    page = parse(client.get("/").text)
    digest = hashlib.sha256((ROOT / "portal/static/portal.css").read_bytes()).hexdigest()[:12]
    assert page.one("link", rel="stylesheet").get("href") == f"/static/portal.{digest}.css"
