"""Run a round now: the preview foresees, and publishing counts, the rounds people waited."""

from __future__ import annotations

from dataclasses import replace

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, plain
from tests.factories import seed_demo_people
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_console_round import DEMO_PAIRS, _press, _preview

ORGANIZER = "organizer@example.org"


def test_the_preview_says_who_will_have_waited_two_rounds_and_publishing_counts_them(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    people = seed_demo_people(services, "demo", clock())
    # Every mentee waited one round already; the mentors too (they never get priority).
    for person in people:
        services.participants.save(replace(person, rounds_waited=1))
    sign_in_as_organizer(client, mailbox)

    page, round_id = _preview(client)

    assert "no-store" in page.headers["Cache-Control"]
    rows = {
        row.one("th").text.strip(): row.one("td").text.strip()
        for row in parse(page.text).find_all("table", class_="mail-list")[0].find_all("tr")
    }
    left = 24 - DEMO_PAIRS
    assert rows["Mentees who will have waited two or more rounds"] == str(left)
    # A preview counts nobody.
    assert {p.rounds_waited for p in services.participants.for_program("demo")} == {1}

    services.mail.drain(per_second=1000)
    mailbox.sent.clear()
    assert _press(client, "publish", "demo", round_id).status_code == 302

    stored = list(services.participants.for_program("demo"))
    waiting = [p for p in stored if p.role is Role.MENTEE and not p.active_matches]
    assert len(waiting) == left
    assert {p.rounds_waited for p in waiting} == {2}
    assert {p.rounds_waited for p in stored if p.active_matches} == {0}
    services.mail.drain(per_second=1000)
    (summary,) = [m for to, m in mailbox.sent if to == ORGANIZER and "round" in str(m["Subject"])]
    assert f"Mentees who have now waited two or more rounds: {left}" in " ".join(
        plain(summary).split()
    )
