"""The browser tier: the app served on a real socket, driven by Debian's Chromium."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.services.signup import Application
from portal.settings import Settings
from tests.conftest import links_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# An iPhone 13/14-sized screen, as most participants will first see the portal.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    # Smooth scrolling only makes every click wait for the page to settle.
    "reduced_motion": "reduce",
}
TIMEOUT_MS = 10_000


@dataclass
class _Deferred:
    """A WSGI app filled in after the socket is bound, so settings can know the port."""

    app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "the live server was asked for a page before it had an app"
        return self.app(environ, start_response)


@dataclass
class LiveServer:
    server: BaseWSGIServer
    target: _Deferred = field(default_factory=_Deferred)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    """A bound, serving socket; `server_url` plugs the test's app into it."""
    target = _Deferred()
    server = make_server("127.0.0.1", 0, target, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(server, target)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def settings(settings: Settings, live_server: LiveServer) -> Settings:
    """The test settings, with emailed links pointing at the live server."""
    return settings.with_overrides(base_url=live_server.url)


@pytest.fixture
def server_url(live_server: LiveServer, app: Flask) -> str:
    live_server.target.app = app
    return live_server.url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Run `make test` (it installs it) or "
            "`sudo apt-get install -y chromium chromium-driver`; never `playwright install`.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_context(browser: Browser, server_url: str) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts on the live server; all are closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=server_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_context: Callable[..., BrowserContext]) -> Page:
    """A page on a phone-sized touch screen."""
    return new_context(**PHONE).new_page()


@pytest.fixture
def desktop(new_context: Callable[..., BrowserContext]) -> Page:
    """A page on a laptop-sized screen with a keyboard."""
    return new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce").new_page()


# ---- Helpers the tests share ----

AVAILABILITY_SLOTS = 7 * 3


def assert_fits_width(page: Page) -> None:
    """The page never scrolls sideways: nothing is wider than the screen."""
    # Measured once the stylesheet applies: after a form's redirect the new page's heading
    # can be there before its CSS (a 304 still takes a moment), and unstyled it is wider.
    page.wait_for_load_state("load")
    measured = page.evaluate(
        """() => {
            const inner = window.innerWidth;
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > inner + 0.5)
                .slice(0, 5)
                .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + (el.classList.length ? "." + [...el.classList].join(".") : ""));
            return {scroll: document.documentElement.scrollWidth, inner, wide};
        }"""
    )
    viewport = page.viewport_size
    assert viewport is not None
    width = min(measured["inner"], viewport["width"])
    assert measured["scroll"] <= width, (
        f"{page.url} scrolls sideways: {measured['scroll']}px of content in a {width}px screen; "
        f"wider than the screen: {measured['wide']}"
    )


def fill_mentee_form(page: Page) -> None:
    """Answer the demo program's mentee form the way a person reads it: by its labels."""
    page.get_by_label("Your name", exact=True).fill("Ada Lovelace")
    page.get_by_label("Email address", exact=True).fill("Ada@Example.org")
    page.get_by_label("Career stage").select_option(label="Early career (0-2 years)")
    page.get_by_label("Department or team").fill("Analytics")
    languages = page.get_by_role("group", name="Languages you can meet in")
    languages.get_by_label("English", exact=True).check()
    languages.get_by_label("French", exact=True).check()
    availability = page.get_by_role("group", name="When can you usually meet?")
    slots = availability.get_by_role("checkbox").count()
    assert slots == AVAILABILITY_SLOTS, (
        f"the availability table offers {slots} time slots, not {AVAILABILITY_SLOTS}"
    )
    availability.get_by_role("checkbox", name="Monday evening").check()
    availability.get_by_role("checkbox", name="Thursday morning").check()
    goals = page.get_by_role("group", name="What you would like to work on")
    goals.get_by_label("python", exact=True).check()
    goals.get_by_label("leadership", exact=True).check()
    industry = page.get_by_role("group", name="Which industry do you work in")
    industry.get_by_label("Tech", exact=True).check()
    page.get_by_role("checkbox", name=re.compile(r"^I have read the privacy notice")).check()


@pytest.fixture
def confirm_link(services: Services, mailbox: MemorySender, server_url: str) -> str:
    """The link emailed to someone who signed up as a mentee and has not confirmed yet."""
    program = services.programs.get("demo")
    assert program is not None
    services.signup.sign_up(
        program,
        Application(
            role=Role.MENTEE,
            name="Grace Hopper",
            email="grace@example.org",
            timezone="Europe/London",
            languages=("English",),
            availability=("mon-evening",),
            goals=("python",),
            seniority="early",
            answers={"industry": "Tech"},
        ),
    )
    return emailed_confirm_link(mailbox, server_url)


def emailed_confirm_link(mailbox: MemorySender, server_url: str) -> str:
    assert mailbox.sent, "no email was sent"
    links = [url for url in links_in(mailbox.sent[-1][1]) if "/confirm/" in url]
    assert len(links) == 1, f"expected one confirmation link, found {links}"
    assert links[0].startswith(server_url + "/"), f"{links[0]} does not point at the portal"
    return links[0]
