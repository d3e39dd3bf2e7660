"""After the introduction, on a phone: the page, the agreement, a goal, a check-in, a rating."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from portal.container import Services
from portal.domain.checkins import Kind
from tests.browser.conftest import PHONE, assert_fits_width
from tests.browser.test_accessibility import BLOCKING, report
from tests.conftest import FakeClock
from tests.factories import matched_pair

pytestmark = pytest.mark.browser


def _no_blocking_violations(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url}:\n{report(blocking)}"


def test_a_mentee_keeps_their_match_going_from_a_phone(
    new_context: Callable[..., BrowserContext],
    services: Services,
    clock: FakeClock,
    server_url: str,
) -> None:
    match = matched_pair(services, clock)
    mentor = services.participants.get("demo", match.mentor)
    assert mentor is not None
    page = new_context(**PHONE, bypass_csp=True).new_page()

    page.goto(services.checkins.page_url("demo", match.mentee))
    page.get_by_role("button", name="Open my page").click()
    expect(page.get_by_role("heading", level=2, name="Your match")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=mentor.name)).to_be_visible()
    assert_fits_width(page)
    _no_blocking_violations(page)

    # Read it at the end of the page, and accept it there.
    page.get_by_role("link", name="Read the agreement").click()
    expect(page.get_by_role("heading", name="Our mentoring agreement")).to_be_in_viewport()
    page.get_by_role("button", name="I accept the agreement").last.click()
    expect(page.get_by_role("status")).to_have_text("You accepted the mentoring agreement.")

    page.get_by_label("A new goal").fill("Ship a first pull request")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("status")).to_have_text("Goal added.")
    expect(page.get_by_label("Ship a first pull request")).to_have_value("not-started")

    page.get_by_role("link", name="Log a check-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a check-in")
    assert_fits_width(page)
    page.get_by_role("button", name="Save the check-in").click()  # nothing answered yet
    expect(page.get_by_role("alert")).to_contain_text("Please say whether you met.")
    _no_blocking_violations(page)

    page.get_by_label("Yes, we met").check()
    page.get_by_label("For how many minutes?").fill("50")
    page.get_by_role("group", name="What did you talk about?").get_by_label(
        "python", exact=True
    ).check()
    page.get_by_label("Ship a first pull request").select_option(label="In progress")
    page.get_by_label("4: Good").check()
    page.get_by_label("Yes, we work well together").check()
    page.get_by_role("button", name="Save the check-in").click()

    expect(page.get_by_role("status")).to_have_text("Thank you: your check-in is saved.")
    expect(page.get_by_text("met on 2 Mar for 50 minutes, talked about python")).to_be_visible()
    expect(page.get_by_label("Ship a first pull request")).to_have_value("in-progress")
    assert_fits_width(page)
    [stored] = services.checkins.history(match.match_id)
    assert (stored.kind, stored.minutes, stored.satisfaction) == (Kind.CHECKIN, 50, 4)


def test_a_quick_rating_from_the_email_takes_one_button(
    phone: Page, services: Services, clock: FakeClock, server_url: str
) -> None:
    match = matched_pair(services, clock)
    url = dict(services.checkins.rating_urls("demo", match.match_id, match.mentor))[5]
    phone.goto(url)
    assert_fits_width(phone)
    phone.get_by_role("button", name="Record 5 of 5: Great").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    [stored] = services.checkins.history(match.match_id)
    assert (stored.author, stored.kind, stored.satisfaction) == (match.mentor, Kind.RATING, 5)
