"""A sign-up form sent back with mistakes: a summary at the top, a message at each field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_fits_width
from tests.web.helpers import EMPTY_FORM_ERRORS

pytestmark = pytest.mark.browser

# How a person finds each field on the page, by its label or its group's legend.
FIELDS = {
    "name": ("textbox", "Your name"),
    "email": ("textbox", "Email address"),
    "seniority": ("combobox", "Career stage"),
    "languages": ("group", "Languages you can meet in"),
    "availability": ("group", "When can you usually meet?"),
    "goals": ("group", "What you would like to work on"),
    "q_industry": ("group", "Which industry do you work in, or want to work in?"),
    "consent": ("checkbox", "I have read the privacy notice"),
}


def field(page: Page, key: str) -> Locator:
    role, name = FIELDS[key]
    # The consent checkbox is named by its whole sentence; the others exactly by their label.
    return page.get_by_role(role, name=name, exact=key != "consent")  # type: ignore[arg-type]


def submit_empty(page: Page) -> None:
    page.goto("/programs/demo/join/mentee")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_be_visible()


def test_empty_form_shows_a_summary_and_each_fields_message(phone: Page) -> None:
    submit_empty(phone)

    assert phone.title().startswith("Error: ")
    summary = phone.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(
        f"Please check these {len(EMPTY_FORM_ERRORS)} answers"
    )
    expect(summary.get_by_role("link")).to_have_count(len(EMPTY_FORM_ERRORS))
    for key, message in EMPTY_FORM_ERRORS.items():
        expect(summary.get_by_role("link", name=message)).to_have_count(1)
        # The message is beside the field and read out with it.
        expect(phone.locator(f"#{key}-error")).to_be_visible()
        expect(phone.locator(f"#{key}-error")).to_contain_text(message)
        expect(field(phone, key)).to_have_accessible_description(
            re.compile(re.escape("Error: " + message))
        )
    expect(field(phone, "name")).to_have_attribute("aria-invalid", "true")
    expect(field(phone, "email")).to_have_attribute("aria-invalid", "true")
    assert_fits_width(phone)


def follow_summary_link(page: Page, key: str) -> None:
    page.get_by_role("alert").get_by_role("link", name=EMPTY_FORM_ERRORS[key]).click()
    target = field(page, key)
    if FIELDS[key][0] == "group":  # focus lands on the group's first choice
        target = target.locator("input").first
    assert target.count() == 1, f"the {key} field has nothing to take focus"
    assert target.evaluate("element => element === document.activeElement"), (
        f"following the summary link for {key} left focus on "
        + page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    )
    expect(target).to_be_in_viewport()


def test_summary_links_move_focus_to_their_fields(phone: Page) -> None:
    submit_empty(phone)
    for key in EMPTY_FORM_ERRORS:
        follow_summary_link(phone, key)


def test_career_stage_in_error_is_marked_invalid(phone: Page) -> None:
    submit_empty(phone)
    assert field(phone, "seniority").get_attribute("aria-invalid") == "true"


def test_summary_lists_errors_in_page_order(phone: Page) -> None:
    submit_empty(phone)
    links = phone.get_by_role("alert").get_by_role("link")
    targets = [
        (href or "").removeprefix("#")
        for href in links.evaluate_all("links => links.map((link) => link.getAttribute('href'))")
    ]
    page_order = phone.evaluate("[...document.querySelectorAll('form [id]')].map((e) => e.id)")
    positions = [page_order.index(target) for target in targets]
    assert positions == sorted(positions), f"summary order {targets}"
