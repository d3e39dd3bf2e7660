"""The organizers' console in a real browser: axe-core finds no violation on any of its pages,
in the light and dark themes, nothing scrolls sideways on a phone, and screenshots of each page
on a desktop and a phone are written for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from portal.container import Services
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.browser.conftest import PHONE, assert_fits_width
from tests.browser.test_accessibility import BLOCKING, report
from tests.browser.test_screenshots import SHOTS
from tests.conftest import FakeClock, links_in
from tests.factories import seed_demo_people

pytestmark = pytest.mark.browser

ORGANIZER = "organizer@example.org"  # content/programs/demo.md
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "reduced_motion": "reduce"}
# Each console page, by the name its screenshots get.
PAGES = {
    "console": "/organize/",
    "glance": "/organize/programs/demo",
    "audit": "/organize/programs/demo/audit",
    "network": "/organize/programs/demo/network",
    "matches": "/organize/programs/demo/matches",
    "costs": "/organize/programs/demo/costs",
    "exports": "/organize/programs/demo/exports",
    "summary": "/organize/programs/demo/summary",
    "round": "/organize/programs/demo/round",
    "people": "/organize/programs/demo/people",
    "import": "/organize/programs/demo/import",
    # The editor of a program stored in the database, and a file program's settings in words.
    "settings": "/organize/programs/spring-circles/settings",
    "settings-file": "/organize/programs/demo/settings",
    # Its Status page (versions, lifecycle actions), a file program's, and creating a program.
    "status": "/organize/programs/spring-circles/status",
    "status-file": "/organize/programs/demo/status",
    "close-signup": "/organize/programs/spring-circles/status/close",
    "new-program": "/organize/new",
}
ADMIN = "admin@example.org"
ROSTERS = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"


def sign_in(page: Page, mailbox: MemorySender) -> None:
    """Sign in as the demo program's organizer the way they do: the form, then the email."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(ORGANIZER)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _, message = mailbox.sent[-1]
    (link,) = [u for u in links_in(message) if "/organize/" in u and not u.endswith("/organize/")]
    page.goto(link)
    page.get_by_role("button", name="Open the console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organizers' console")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Site admins: one creates the stored program whose editor is checked; the demo's
    organizer, signed in, sees the page that creates programs."""
    return settings.with_overrides(admins=(ADMIN, ORGANIZER))


@pytest.fixture
def demo_with_a_round(services: Services, clock: FakeClock) -> Services:
    """The demo program's people, matched by a round, with an audit entry to show."""
    seed_demo_people(services, "demo", clock())
    program = services.programs.get("demo")
    assert program is not None
    outcome = services.rounds.run(program, clock().strftime("%Y-%m-%dT%H%MZ"), trigger="test")
    assert outcome.status == "done", outcome
    services.audit.record("demo", ORGANIZER, "export", detail="participants.csv, default columns")
    services.program_admin.create(
        "group",
        title="Spring circles",
        slug="spring-circles",
        organizers=(ORGANIZER,),
        signup_open=True,
        by=ADMIN,
    )
    return services


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_console_pages_have_no_violations_and_fit_the_screen(
    new_context: Callable[..., BrowserContext],
    demo_with_a_round: Services,
    mailbox: MemorySender,
    screen: str,
    scheme: str,
) -> None:
    options = PHONE if screen == "phone" else DESKTOP
    # The CSP lets no injected script run: bypass it for axe's.
    page = new_context(**options, bypass_csp=True, color_scheme=scheme).new_page()
    sign_in(page, mailbox)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [*PAGES.items(), ("person", "")]:
        if name == "person":  # a person's page, as an organizer reaches it: from the list
            page.goto(PAGES["people"])
            page.locator("table tbody th a").first.click()
            expect(page.get_by_role("heading", level=1)).not_to_have_text("People")
            path = page.url
        else:
            response = page.goto(path)
            assert response is not None, path
            assert response.status == 200, (path, response.status)
        violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
        assert not violations, f"axe on {path} ({screen}, {scheme}):\n{report(violations)}"
        if screen == "phone":
            assert_fits_width(page)
        shot = SHOTS / f"console-{name}-{screen}-{scheme}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000, f"{shot.name} looks empty"


@pytest.mark.parametrize(("screen", "scheme"), [("desktop", "light"), ("phone", "dark")])
def test_the_editor_previews_a_change_and_names_a_mistake_beside_its_field(
    new_context: Callable[..., BrowserContext],
    services: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    screen: str,
    scheme: str,
) -> None:
    services.program_admin.duplicate(
        "demo", new_slug="tech-2027", new_title="Tech careers 2027", signup_open=True, by=ADMIN
    )
    seed_demo_people(services, "tech-2027", clock())
    options = PHONE if screen == "phone" else DESKTOP
    page = new_context(**options, bypass_csp=True, color_scheme=scheme).new_page()
    sign_in(page, mailbox)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/organize/programs/tech-2027/settings")
    page.screenshot(path=SHOTS / f"console-editor-top-{screen}-{scheme}.png")  # its first screen
    page.get_by_label("Topics that fit").select_option("ignore")
    page.get_by_role("button", name="Preview the effect on matching").click()

    preview = page.get_by_role("heading", name="What this change would do to matching today")
    expect(preview).to_be_visible()
    expect(page.locator("#gained-pairs tbody tr").first).to_be_visible()
    expect(page.locator("#lost-pairs tbody tr").first).to_be_visible()
    checked(page, f"console-preview-{screen}-{scheme}.png", screen)
    # The preview alone, for a person to look at.
    page.locator("section.change-preview").screenshot(
        path=SHOTS / f"console-preview-section-{screen}-{scheme}.png"
    )

    page.get_by_label("Cycle length").fill("0")
    page.get_by_role("button", name="Save: make this the live version").click()
    expect(page.locator("#time-cycle_weeks-error")).to_be_visible()
    checked(page, f"console-editor-error-{screen}-{scheme}.png", screen)
    page.locator("#time-cycle_weeks").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"console-editor-error-field-{screen}-{scheme}.png")
    assert services.program_admin.live_version("tech-2027") == 1


# A Workday export after the one already imported: Margaret Hamilton is marked terminated
# (gone), Mary Jackson is new, and Katherine Johnson's department cell is a formula. (While a
# file has bad rows nobody is gone for missing from it, so the gone person is a status.)
WORKDAY_NEXT = (
    "Employee_ID,Legal_First_Name,Legal_Last_Name,Email - Primary Work,businessTitle,"
    "Supervisory Organization,Manager_ID,Location,Hire_Date,Worker_Status\n"
    "21001,Ada,Lovelace,Ada.Lovelace@Example.org,Principal Engineer,Engineering,,"
    "Europe/London,2019-04-01,Active\n"
    "21002,Grace,Hopper,grace.hopper@example.org,Engineering Manager,Platform,21001,"
    "America/New_York,2016-09-12,Active\n"
    "21003,Katherine,Johnson,katherine.johnson@example.org,Data Scientist,"
    '"=HYPERLINK(""http://evil.example"")",21002,Houston Office,2021-01-18,Active\n'
    "21006,Mary,Jackson,mary.jackson@example.org,Aerospace Engineer,Research,21002,"
    "America/New_York,2022-05-02,Active\n"
    "21005,Margaret,Hamilton,margaret.hamilton@example.org,Director of Software,Engineering,,"
    "America/Chicago,2012-02-01,Terminated\n"
)


@pytest.mark.parametrize(("screen", "scheme"), [("desktop", "light"), ("phone", "dark")])
def test_the_import_dry_run_shows_the_diff_and_the_bad_row(
    new_context: Callable[..., BrowserContext],
    services: Services,
    mailbox: MemorySender,
    screen: str,
    scheme: str,
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    first = (ROSTERS / "workday.csv").read_bytes()
    imports = services.roster_imports
    table = imports.read(first, "workday.csv")
    imports.apply(program, imports.check(program, table, filename="workday.csv"), by=ORGANIZER)
    options = PHONE if screen == "phone" else DESKTOP
    page = new_context(**options, bypass_csp=True, color_scheme=scheme).new_page()
    sign_in(page, mailbox)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/organize/programs/demo/import")
    page.get_by_label("Roster file (.csv or .xlsx)").set_input_files(
        files=[
            {"name": "workday-june.csv", "mimeType": "text/csv", "buffer": WORKDAY_NEXT.encode()}
        ]
    )
    page.get_by_role("button", name="Upload and check (nothing is stored yet)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dry run: workday-june.csv")
    expect(page.locator("#gone-list")).to_contain_text("Margaret Hamilton")
    expect(page.locator("#invited-list")).to_contain_text("Mary Jackson")
    expect(page.locator("ul.import-problems")).to_contain_text("row 4, column")
    expect(page.get_by_role("button", name="Apply", exact=False)).to_have_count(0)
    name = (
        "console-import-dry-run.png" if screen == "desktop" else "console-import-dry-run-phone.png"
    )
    checked(page, name, screen)


def checked(page: Page, name: str, screen: str) -> None:
    """No blocking axe violation, nothing wider than a phone, and a screenshot to look at."""
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not violations, f"axe on {page.url}:\n{report(violations)}"
    if screen == "phone":
        assert_fits_width(page)
    shot = SHOTS / name
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000, f"{shot.name} looks empty"
