"""Every email the portal sends fits a phone: none renders wider than 400 px on a 390 px screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from portal.container import Services
from portal.mail.catalog import EMAILS
from portal.mail.senders import MemorySender
from tests.browser.conftest import PHONE
from tests.browser.test_screenshots import SHOTS
from tests.conftest import FakeClock, html, parse
from tests.specimens import every_email

pytestmark = pytest.mark.browser

WIDEST = 400  # px: a 390 px phone, and a little for a mail app's own margins


def test_every_email_fits_a_phone(
    services: Services,
    clock: FakeClock,
    mailbox: MemorySender,
    new_context: Callable[..., BrowserContext],
) -> None:
    emails = every_email(services, clock, mailbox)
    assert set(emails) == set(EMAILS), f"no specimen of {sorted(set(EMAILS) - set(emails))}"
    page = new_context(**PHONE).new_page()
    widths = {}
    for name, raw in sorted(emails.items()):
        page.set_content(html(parse(raw)))
        widths[name] = page.evaluate("() => document.documentElement.scrollWidth")
        if name in ("introduction", "waiting", "group_introduction"):  # for people to look at
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = SHOTS / f"{name.replace('_', '-')}-email.png"
            page.screenshot(path=shot, full_page=True)
    too_wide = {name: width for name, width in widths.items() if width > WIDEST}
    assert not too_wide, f"wider than {WIDEST} px on a 390 px phone: {too_wide}"
