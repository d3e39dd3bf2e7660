"""A group introduction on a phone: it fits the screen; a screenshot for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from portal.container import Services
from portal.mail.senders import MemorySender
from tests.browser.conftest import assert_fits_width
from tests.conftest import FakeClock, html
from tests.unit.services.test_groups import group_program, run_round, seed, to

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/portal-shots")  # noqa: S108 - as test_screenshots: for people to open


def test_a_group_introduction_fits_a_phone(
    phone: Page, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    (mentor,), mentees = seed(services, clock)
    sent = run_round(services, group_program(), clock, mailbox)
    (message,) = to(sent, mentees[0])
    phone.set_content(html(message))
    for member in (mentor, *mentees):
        assert phone.get_by_text(member.name, exact=False).first.is_visible()
    assert_fits_width(phone)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SHOTS / "group-introduction.png", full_page=True)
    assert (SHOTS / "group-introduction.png").stat().st_size > 10_000
