"""Booking a first meeting from a phone: propose a suggested time, the partner accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from playwright.sync_api import BrowserContext, expect

from portal.container import Services
from portal.domain.participants import Role
from tests.browser.conftest import PHONE, assert_fits_width
from tests.browser.test_participant_journey import _no_blocking_violations
from tests.conftest import FakeClock
from tests.factories import store_pair, stored_person

pytestmark = pytest.mark.browser

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def test_a_pair_books_its_first_meeting_from_their_phones(
    new_context: Callable[..., BrowserContext],
    services: Services,
    clock: FakeClock,
    server_url: str,
) -> None:
    now = clock()
    sam = replace(
        stored_person("Sam", Role.MENTOR, now),
        timezone="America/New_York",
        availability=tuple(f"{d}-{b}" for d in WEEKDAYS for b in ("morning", "afternoon")),
    )
    ana = replace(
        stored_person("Ana", Role.MENTEE, now),
        timezone="Europe/Madrid",
        language="es",
        availability=tuple(f"{d}-{b}" for d in WEEKDAYS for b in ("afternoon", "evening")),
    )
    match = store_pair(services, "demo", sam, ana, now)

    # Ana reads Spanish (her browser asks for it, and she chose it): the pages are in Spanish.
    ana_page = new_context(**PHONE, locale="es-ES").new_page()
    ana_page.goto(services.checkins.page_url("demo", match.mentee))
    ana_page.get_by_role("button").first.click()
    ana_page.get_by_role("link", name="Buscar una hora y reservarla").click()
    expect(ana_page.get_by_role("heading", level=1)).to_have_text("Su primera reunión con Sam")
    assert_fits_width(ana_page)
    _no_blocking_violations(ana_page)
    ana_page.get_by_role("button", name="Proponer esta hora a Sam").first.click()
    expect(ana_page.get_by_role("status")).to_contain_text("Su propuesta se ha enviado")

    sam_page = new_context(**PHONE).new_page()
    sam_page.goto(services.checkins.page_url("demo", match.mentor))
    sam_page.get_by_role("button", name="Open my page").click()
    sam_page.get_by_role("link", name="Find a time and book it").click()
    expect(sam_page.get_by_role("heading", level=1)).to_have_text("Your first meeting with Ana")
    sam_page.get_by_role("button", name="Accept this time").click()
    expect(sam_page.get_by_role("heading", name="Your meeting is booked")).to_be_visible()
    assert_fits_width(sam_page)
    _no_blocking_violations(sam_page)

    ana_page.reload()
    expect(ana_page.get_by_role("heading", name="Su reunión está reservada")).to_be_visible()
