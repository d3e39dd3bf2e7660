"""The costs page: the month's bill with its arithmetic, the program's share, organizers only."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.costs import Usage
from portal.persistence.usage import UsageStore
from portal.services.magic_links import Purpose
from tests.conftest import FakeClock
from tests.factories import seed_demo_people
from tests.web.dom import parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
TIMES = "\N{MULTIPLICATION SIGN}"


def signed_in_organizer(client: FlaskClient, services: Services, slug: str, email: str) -> None:
    token = services.links.issue(Purpose.ORGANIZE, slug, email)
    sign_in(client, f"{BASE}/organize/{token}")


def test_the_page_shows_the_months_bill_with_its_arithmetic(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    seed_demo_people(services, services.programs.get("demo"), clock())
    everyone = sum(services.participants.count(p.slug) for p in services.programs)
    in_demo = services.participants.count("demo")
    # What the site counted so far in March (clock: 2 March, 09:00): two hours' items.
    UsageStore().add("2026-03", "2026-03-01T10", Usage(requests=200_000, emails=30_000))
    UsageStore().add("2026-03", "2026-03-02T08", Usage(requests=100_000, emails=20_000))
    signed_in_organizer(client, services, "demo", "organizer@example.org")
    page = client.get("/organize/programs/demo/costs")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = parse(page.text).text
    assert f"300,000 requests {TIMES} $0.0000035 per request = $1.0500" in text
    assert f"50,000 emails {TIMES} $0.0001 per email = $5.0000" in text
    assert re.search(r"The whole site\s*\$6\.0500", text)
    per_person = 6.05 / everyone
    assert f"${per_person:,.4f}" in text
    assert f"{in_demo:,} of {everyone:,}" in text
    # 33 hours of March's 744: the projection is the pace so far over the whole month.
    assert "Projected for the whole month" in text
    assert "6,763,636 requests" in text
    assert 'href="/organize/programs/demo"' in page.text


def test_another_programs_organizer_gets_404(client: FlaskClient, services: Services) -> None:
    signed_in_organizer(client, services, "leaders-group", "leaders@example.org")
    assert client.get("/organize/programs/leaders-group/costs").status_code == 200
    assert client.get("/organize/programs/demo/costs").status_code == 404


def test_nobody_signed_in_is_asked_to_sign_in(client: FlaskClient) -> None:
    page = client.get("/organize/programs/demo/costs")
    assert page.status_code == 403
    assert page.headers["Cache-Control"] == "no-store"
