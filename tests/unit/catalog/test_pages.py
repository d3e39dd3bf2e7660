"""Content pages: the shipped ones load in navigation order; bad ones are refused by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.catalog.documents import ContentError
from portal.catalog.pages import PageCatalog, load_page
from tests.conftest import CONTENT

PAGES = CONTENT / "pages"
PAGE_ORDER = ["home", "about-mentoring", "formats", "roles", "faq", "privacy"]
# Formats and roles are in the footer only: the header fits one row on a phone.
NAV_ORDER = ["home", "about-mentoring", "faq", "privacy"]


def write_page(folder: Path, name: str, front_matter: str, body: str = "Some text.\n") -> Path:
    path = folder / f"{name}.md"
    path.write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")
    return path


def test_the_shipped_pages_load_and_are_all_in_the_footer() -> None:
    catalog = PageCatalog.from_folder(PAGES)
    assert [page.slug for page in catalog.in_order()] == PAGE_ORDER
    for slug in PAGE_ORDER:
        page = catalog.get(slug)
        assert page is not None
        assert page.nav is (slug in NAV_ORDER), slug
        assert page.title
        assert page.description
        assert "<p>" in page.html


def test_navigation_follows_the_order_setting() -> None:
    catalog = PageCatalog.from_folder(PAGES)
    assert [page.slug for page in catalog.navigation()] == NAV_ORDER


def test_navigation_sorts_by_order_then_title_and_skips_pages_off_the_menu(
    tmp_path: Path,
) -> None:
    write_page(tmp_path, "a", "title: Zebra\norder: 5\nnav: true\n")
    write_page(tmp_path, "b", "title: Alpha\norder: 5\nnav: true\n")
    write_page(tmp_path, "c", "title: First\norder: 1\nnav: true\n")
    write_page(tmp_path, "d", "title: Hidden\norder: 0\n")
    catalog = PageCatalog.from_folder(tmp_path)
    assert [page.title for page in catalog.navigation()] == ["First", "Alpha", "Zebra"]
    hidden = catalog.get("d")
    assert hidden is not None
    assert not hidden.nav
    assert catalog.get("missing") is None


def test_a_page_takes_its_slug_from_the_file_name(tmp_path: Path) -> None:
    page = load_page(write_page(tmp_path, "code-of-conduct", "title: ' Code of conduct '\n"))
    assert page.slug == "code-of-conduct"
    assert page.title == "Code of conduct"
    assert page.order == 100
    assert page.nav is False


def test_a_page_body_is_rendered_as_markdown(tmp_path: Path) -> None:
    page = load_page(write_page(tmp_path, "help", "title: Help\n", "## Ask\n\n*Any* time.\n"))
    assert "<h2>Ask</h2>" in page.html
    assert "<em>Any</em>" in page.html


@pytest.mark.parametrize(
    ("front_matter", "key", "problem"),
    [
        pytest.param("slug: help\n", "title", "is required", id="missing-title"),
        pytest.param("title: '   '\n", "title", "is required", id="blank-title"),
        pytest.param("title: Help\nslug: Help Me\n", "slug", "lowercase", id="bad-slug"),
        pytest.param("title: Help\nslug: -help\n", "slug", "lowercase", id="slug-with-hyphen"),
        pytest.param("title: Help\ntitel: Help\n", "titel", "not a known setting", id="unknown"),
        pytest.param("title: Help\nnav: maybe\n", "nav", "true or false", id="non-bool-nav"),
        pytest.param("title: Help\nnav: 1\n", "nav", "true or false", id="number-nav"),
        pytest.param("title: Help\norder: first\n", "order", "whole number", id="bad-order"),
        pytest.param("title: Help\norder: true\n", "order", "whole number", id="bool-order"),
        pytest.param(
            f"title: Help\ndescription: {'x' * 301}\n", "description", "300", id="long-desc"
        ),
    ],
)
def test_a_bad_page_is_refused_naming_file_and_key(
    tmp_path: Path, front_matter: str, key: str, problem: str
) -> None:
    path = write_page(tmp_path, "help", front_matter)
    with pytest.raises(ContentError) as caught:
        load_page(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: ")
    assert problem in message


def test_a_page_without_front_matter_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "help.md"
    path.write_text("# Help\n", encoding="utf-8")
    with pytest.raises(ContentError, match="must start with front matter"):
        load_page(path)


def test_two_pages_with_one_slug_are_refused(tmp_path: Path) -> None:
    write_page(tmp_path, "help", "title: Help\n")
    write_page(tmp_path, "support", "title: Support\nslug: help\n")
    with pytest.raises(ContentError, match="slug: 'help' is already used by"):
        PageCatalog.from_folder(tmp_path)


def test_two_pages_with_one_slug_are_refused_naming_both_files(tmp_path: Path) -> None:
    first = write_page(tmp_path, "help", "title: Help\n")
    second = write_page(tmp_path, "support", "title: Support\nslug: help\n")
    with pytest.raises(ContentError) as caught:
        PageCatalog.from_folder(tmp_path)
    assert str(first) in str(caught.value)
    assert str(second) in str(caught.value)


def test_the_catalog_reports_every_bad_page_at_once(tmp_path: Path) -> None:
    first = write_page(tmp_path, "a", "nav: true\n")
    second = write_page(tmp_path, "b", "title: B\nnav: sometimes\n")
    write_page(tmp_path, "c", "title: Fine\n")
    with pytest.raises(ContentError) as caught:
        PageCatalog.from_folder(tmp_path)
    message = str(caught.value)
    assert f"{first}: title:" in message
    assert f"{second}: nav:" in message
