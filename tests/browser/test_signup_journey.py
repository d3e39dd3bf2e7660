"""Signing up as a participant would: on a phone, from the home page to a confirmed place."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.browser.conftest import (
    AVAILABILITY_SLOTS,
    assert_fits_width,
    emailed_confirm_link,
    fill_mentee_form,
)

pytestmark = pytest.mark.browser


def open_join_form(page: Page) -> None:
    page.goto("/")
    assert_fits_width(page)
    page.get_by_role("link", name="Demo: Tech Careers mentoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo: Tech Careers mentoring")
    assert_fits_width(page)
    page.get_by_role("link", name="Join as a mentee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join as a mentee")


def test_availability_table_offers_every_day_and_block(phone: Page) -> None:
    phone.goto("/programs/demo/join/mentee")
    table = phone.get_by_role("group", name="When can you usually meet?").get_by_role("table")
    assert table.get_by_role("rowheader").all_inner_texts() == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert table.get_by_role("checkbox").count() == AVAILABILITY_SLOTS
    assert_fits_width(phone)


def test_mentee_signs_up_and_confirms_on_a_phone(
    phone: Page, services: Services, mailbox: MemorySender, server_url: str
) -> None:
    open_join_form(phone)
    assert_fits_width(phone)
    fill_mentee_form(phone)
    phone.get_by_role("button", name="Sign up").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_fits_width(phone)
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.status is Status.PENDING

    phone.goto(emailed_confirm_link(mailbox, server_url))
    assert_fits_width(phone)
    phone.get_by_role("button", name="Confirm my sign-up").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You are signed up")
    assert_fits_width(phone)
    confirmed = services.participants.get("demo", "ada@example.org")
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED
    assert confirmed.availability == ("mon-evening", "thu-morning")


def test_emailed_link_confirms_on_a_phone(
    phone: Page, confirm_link: str, services: Services
) -> None:
    # The second half of the journey, from a sign-up made behind the scenes.
    phone.goto(confirm_link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Confirm your sign-up")
    expect(phone.get_by_text("Grace, press the button")).to_be_visible()
    assert_fits_width(phone)
    pending = services.participants.get("demo", "grace@example.org")
    assert pending is not None
    assert pending.status is Status.PENDING  # looking at the page does not confirm

    phone.get_by_role("button", name="Confirm my sign-up").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You are signed up")
    expect(phone.get_by_role("status")).to_contain_text("is confirmed")
    assert_fits_width(phone)
    confirmed = services.participants.get("demo", "grace@example.org")
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED


def test_sign_up_works_without_javascript(
    new_context: Callable[..., BrowserContext],
    services: Services,
    mailbox: MemorySender,
    server_url: str,
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/programs/demo")
    page.get_by_role("link", name="Join as a mentee").click()
    fill_mentee_form(page)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    page.goto(emailed_confirm_link(mailbox, server_url))
    page.get_by_role("button", name="Confirm my sign-up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed up")
    confirmed = services.participants.get("demo", "ada@example.org")
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED


def test_confirmation_works_without_javascript(
    new_context: Callable[..., BrowserContext], confirm_link: str, services: Services
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(confirm_link)
    page.get_by_role("button", name="Confirm my sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed up")
    confirmed = services.participants.get("demo", "grace@example.org")
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED
