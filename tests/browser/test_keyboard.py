"""Moving through the portal with a keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/programs/demo/join/mentee"])
def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(desktop: Page, path: str) -> None:
    desktop.goto(path)
    skip = desktop.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # out of sight until it is needed

    desktop.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    desktop.keyboard.press("Enter")
    expect(desktop.get_by_role("main")).to_be_focused()
    # The next Tab continues inside the content, past the header's links.
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert desktop.evaluate("document.activeElement !== document.querySelector('main')")
