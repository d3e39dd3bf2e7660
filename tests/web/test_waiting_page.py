"""The page of someone without a match: since when they wait, and when the next round is."""

from __future__ import annotations

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, links_in
from tests.factories import ROUND, seed_demo_people
from tests.web.dom import parse

BASE = "http://portal.test"
ROSA = "rosa.delgado@demo.example.org"  # of the first four demo mentees, the one left waiting


def _sign_in(client: FlaskClient, link: str) -> str:
    path = link.removeprefix(BASE)
    opened = client.get(path)
    assert opened.status_code == 200
    signed = client.post(path, data={"csrf_token": csrf_token(opened.text)})
    assert signed.status_code == 302
    page = client.get(signed.headers["Location"])
    assert page.status_code == 200
    return parse(page.text).one("main").text


def test_the_waiting_email_opens_a_page_that_says_since_when_and_the_next_round(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    seed_demo_people(services, demo, clock(), mentors=4, mentees=4)
    services.rounds.run(demo, ROUND, trigger="cli")
    clock.advance(days=1)
    services.mail.drain(per_second=0)
    [waiting] = [
        m for to, m in mailbox.sent if to == ROSA and m["Subject"].startswith("No match for you")
    ]
    link = next(u for u in links_in(waiting) if "/me/" in u)

    text = _sign_in(client, link)

    assert "You have been waiting since 2 March, next round Monday 9 March." in text
    assert "You are not matched yet" not in text
    assert "update your profile" in text


def test_before_any_round_the_page_says_when_the_first_is(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    [mentee] = seed_demo_people(services, demo, clock(), mentors=0, mentees=1)
    clock.advance(days=2)  # Wednesday 4 March: the demo's rounds are on Mondays at nine

    text = _sign_in(client, services.checkins.page_url("demo", mentee.email))

    assert "You are not matched yet. The next round is Monday 9 March." in text
    assert "waiting since" not in text


def test_a_paused_person_is_not_told_they_wait(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    [mentee] = seed_demo_people(services, demo, clock(), mentors=0, mentees=1)
    services.participation.set_status("demo", mentee.email, Status.PAUSED)

    text = _sign_in(client, services.checkins.page_url("demo", mentee.email))

    assert "Waiting for a match" not in text
    assert "next round" not in text
