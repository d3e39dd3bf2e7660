"""On a phone: the home page leads with the programs, the navigation is one row, and the
organizer's review table fits; on a laptop, program cards line up."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from portal import create_app
from portal.container import build_services
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.browser.conftest import PHONE, LiveServer, assert_fits_width
from tests.browser.test_screenshots import SHOTS
from tests.conftest import CONTENT, FakeClock, links_in
from tests.factories import seed_demo_people

pytestmark = pytest.mark.browser

ROOM_FOR_ONE_MORE_LINK = 80  # px: another engineer's "Sign in" goes there


def test_the_home_page_leads_with_the_programs_and_the_navigation_is_one_row(phone: Page) -> None:
    phone.goto("/")
    assert_fits_width(phone)
    screen = 844
    programs = phone.get_by_role("heading", name="Programs open for sign-up")
    box = programs.bounding_box()
    assert box is not None
    assert box["y"] < screen, f"the programs start {box['y']:.0f} px down, below the first screen"
    join = phone.get_by_role("link", name="Join as a mentee").first
    join_box = join.bounding_box()
    assert join_box is not None
    assert join_box["y"] < 2 * screen, "the first Join button is more than two screens down"
    tops = phone.evaluate(
        "() => [...document.querySelectorAll('nav[aria-label=Main] a')]"
        ".map((a) => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, f"the navigation takes {len(set(tops))} rows: {tops}"
    right = phone.evaluate(
        "() => Math.max(...[...document.querySelectorAll('nav[aria-label=Main] a')]"
        ".map((a) => a.getBoundingClientRect().right))"
    )
    assert 390 - right >= ROOM_FOR_ONE_MORE_LINK, f"the navigation ends at {right:.0f} px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "home.png")
    expect(join).to_be_visible()


def test_program_cards_side_by_side_line_up(desktop: Page) -> None:
    desktop.goto("/programs/")
    tops = desktop.evaluate(
        "() => [...document.querySelectorAll('ul.cards > li')]"
        ".map((li) => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) >= 2
    assert tops[0] == tops[1], f"the first two cards start at {tops[:2]}"


def test_the_organizers_review_fits_a_phone(
    aws: None,
    settings: Settings,
    clock: FakeClock,
    mailbox: MemorySender,
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "programs" / "peer-circles.md"
    path.write_text(path.read_text().replace("approval: auto", "approval: organizer"))
    custom = settings.with_overrides(content_dir=content)
    services = build_services(custom, clock=clock, sender=mailbox)
    live_server.target.app = create_app(custom, services)
    program = services.programs.get("peer-circles")
    assert program is not None
    seed_demo_people(services, program, clock(), peers=6)
    assert services.rounds.run(program, "2026-03-02T0900Z", trigger="cli").status == "done"
    services.mail.drain(per_second=1000)
    link = next(
        u
        for to, m in mailbox.sent
        if to == "returners@example.org"
        for u in links_in(m)
        if "/organize/" in u
    )
    page = new_context(**PHONE).new_page()
    page.goto(link)
    page.get_by_role("button").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft pairs")
    assert_fits_width(page)
    change = page.get_by_role("button", name="Change").first
    box = change.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390, "the Change button is cut off"
