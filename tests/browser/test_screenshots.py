"""The phone journey's pages fit the screen; screenshots of them for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_fits_width

pytestmark = pytest.mark.browser

# A fixed place outside the repository, for people to open; nothing secret is written there.
SHOTS = Path("/tmp/portal-shots")  # noqa: S108


def test_phone_screenshots(phone: Page) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.goto("/")
    assert_fits_width(phone)
    phone.screenshot(path=SHOTS / "home.png")

    phone.get_by_role("link", name="Demo: Tech Careers mentoring").click()
    assert_fits_width(phone)
    phone.get_by_role("link", name="Join as a mentee").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Join as a mentee")
    assert_fits_width(phone)
    phone.screenshot(path=SHOTS / "join-form.png", full_page=True)

    phone.get_by_role("button", name="Sign up").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    assert_fits_width(phone)
    phone.screenshot(path=SHOTS / "join-form-errors.png", full_page=True)

    for name in ("home.png", "join-form.png", "join-form-errors.png"):
        assert (SHOTS / name).stat().st_size > 10_000, f"{name} looks empty"
