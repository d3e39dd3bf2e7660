"""The printable weekly summary for an organizer who reads Spanish: no English left."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock
from tests.english_left import english_left, visible_text
from tests.unit.services.test_summaries import FRIDAY, populate
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

SUMMARY = "/organize/programs/demo/summary"


def test_the_printable_summary_speaks_the_organizers_spanish(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    populate(services, clock)
    # Mentor3 pauses: the match ends early, and the page says who ended it and why.
    clock.now = FRIDAY - timedelta(days=2)
    services.participation.set_status("demo", "mentor3@example.org", Status.PAUSED)
    clock.now = FRIDAY
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    sign_in_as_organizer(client, mailbox)

    page = client.get(f"{SUMMARY}?week=2026-04-10")

    assert page.status_code == 200
    text = visible_text(page.text)
    assert english_left(text) == []
    assert "del vie 3 abr al vie 10 abr 2026" in text
    assert "mié 8 abr" in text
    assert "bajó 1,1" in text
    assert "“Mentor3 Example” pausó su participación." in text
    assert "Inscripción" in text
    assert "mar 7 abr: “Mentor0 Example” (mentor) registró un seguimiento" in text
