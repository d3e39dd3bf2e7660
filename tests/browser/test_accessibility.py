"""axe-core on every page a participant meets, and the organizers' network view: no violation
at all, of any impact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from portal.container import Services
from portal.services.checkins import CheckinAnswers
from portal.services.magic_links import Purpose
from portal.services.rounds import ORGANIZE
from tests.browser.conftest import PHONE, fill_mentee_form
from tests.factories import ROUND, pair, seed_demo_people

pytestmark = pytest.mark.browser

BLOCKING = ("minor", "moderate", "serious", "critical")  # every violation
PAGES = [
    "/",
    "/faq",
    "/programs/demo",
    "/programs/demo/join/mentee",
    "join-with-errors",
    "confirm",
    "/no-such-page",
    "over-the-limit",
    "/sign-in",
    "sign-in-sent",
    "/me/programs/demo",  # signed out: the participant's page offers the sign-in form
    "/organize/",  # signed out: the organizers' console offers the sign-in form
    "network",  # an organizer's network view of the demo program after a round
    "program-at-a-glance",  # signed in as demo's organizer, with pairs, check-ins and charts
]
STATUS = {"/no-such-page": 404, "/me/programs/demo": 403, "/organize/": 403}
# Dark mode has its own colours: check the pages that use each of them.
DARK_PAGES = ["/", "/programs/demo", "join-with-errors", "network", "program-at-a-glance"]


def report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}: {targets}")
    return "\n".join(lines)


def visit(page: Page, where: str, request: pytest.FixtureRequest) -> None:
    if where == "join-with-errors":
        page.goto("/programs/demo/join/mentee")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_role("alert")).to_be_visible()
    elif where == "over-the-limit":
        services: Services = request.getfixturevalue("services")
        for _ in range(services.settings.signups_per_address[0]):  # the hour's sign-ups
            assert services.limits.admit_signup("198.51.100.4", "ada@example.org") is None
        page.goto("/programs/demo/join/mentee")
        fill_mentee_form(page)
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Sign up").click()
        assert posted.value.status == 429
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Please wait a little before trying again"
        )
    elif where == "sign-in-sent":
        page.goto("/sign-in")
        page.get_by_label("Email address").fill("ada@example.org")
        page.get_by_role("button", name="Email me a link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    elif where == "network":
        services = request.getfixturevalue("services")
        clock = request.getfixturevalue("clock")
        seed_demo_people(services, "demo", clock())
        demo = services.programs.get("demo")
        assert demo is not None
        assert services.rounds.run(demo, ROUND, trigger="cli").status == "done"
        page.goto(f"/organize/{services.links.issue(ORGANIZE, 'demo', 'organizer@example.org')}")
        page.get_by_role("button", name="Open the drafts").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Draft pairs")
        response = page.goto("/organize/programs/demo/network")
        assert response is not None
        assert response.status == 200
        expect(page.get_by_role("heading", level=1)).to_have_text("Network")
    elif where == "program-at-a-glance":
        services = request.getfixturevalue("services")
        clock = request.getfixturevalue("clock")
        matches = [pair(services, f"Mentor{n}", f"Mentee{n}", clock()) for n in range(6)]
        for n, match in enumerate(matches):
            answers = CheckinAnswers(met=True, satisfaction=2 + n % 4)
            services.checkins.record("demo", match.match_id, match.mentee, answers)
        token = services.links.issue(Purpose.ORGANIZE, "demo", "organizer@example.org")
        page.goto(f"/organize/{token}")
        page.get_by_role("button", name="Open the drafts").click()  # a program's link
        expect(page.get_by_role("heading", level=1)).to_have_text("Draft pairs")
        response = page.goto("/organize/programs/demo")
        assert response is not None
        assert response.status == 200
        expect(page.get_by_role("img").first).to_be_visible()
    elif where == "confirm":
        page.goto(request.getfixturevalue("confirm_link"))
        expect(page.get_by_role("button", name="Confirm my sign-up")).to_be_visible()
    else:
        response = page.goto(where)
        assert response is not None
        assert response.status == STATUS.get(where, 200)


@pytest.mark.parametrize(
    ("where", "scheme"),
    [(where, "light") for where in PAGES] + [(where, "dark") for where in DARK_PAGES],
)
def test_no_violations(
    new_context: Callable[..., BrowserContext],
    request: pytest.FixtureRequest,
    where: str,
    scheme: str,
) -> None:
    # The CSP lets no injected script run: bypass it for axe's.
    page = new_context(**PHONE, bypass_csp=True, color_scheme=scheme).new_page()
    visit(page, where, request)

    violations = Axe().run(page).response["violations"]

    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {page.url} ({scheme}):\n{report(blocking)}"
