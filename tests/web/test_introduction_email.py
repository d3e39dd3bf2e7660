"""The introduction on a phone: "Open my page" near the top, the agreement a link to its page."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from flask.testing import FlaskClient

from portal.container import Services
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, html, links_in, plain
from tests.factories import ROUND, seed_demo_people
from tests.web.conftest import Site

AGREEMENT_WORDS = "Keep things confidential"  # a line of content/agreements/standard.md


def _introductions(
    services: Services, mailbox: MemorySender, clock: FakeClock, slug: str
) -> list[EmailMessage]:
    program = services.programs.get(slug)
    assert program is not None
    seed_demo_people(services, program, clock(), mentors=2, mentees=2)
    assert services.rounds.run(program, ROUND, trigger="cli").status == "done"
    services.mail.drain(per_second=1000)
    intros = [m for _, m in mailbox.sent if str(m["Subject"]).startswith("Meet ")]
    assert intros, "nobody was introduced"
    return intros


def test_the_introduction_opens_the_page_near_the_top_and_links_to_the_agreement(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    intro = _introductions(services, mailbox, clock, "demo")[0]
    body = html(intro)
    # The button comes before the first heading, not after everything else.
    assert body.index("Open my page") < body.index("<h2")
    text = plain(intro)
    assert text.index("/me/") < text.index("Why we matched you")
    # The agreement is a link, not the agreement itself.
    assert AGREEMENT_WORDS not in body
    assert AGREEMENT_WORDS not in text
    (link,) = {u for u in links_in(intro) if u.endswith("/programs/demo/agreement")}
    page = client.get(link.removeprefix("http://portal.test"))
    assert page.status_code == 200
    assert AGREEMENT_WORDS in page.text
    assert "<h1>Our mentoring agreement</h1>" in page.text


def test_a_program_without_an_agreement_never_mentions_one(
    build_site: Callable[..., Site], content_copy: Path, mailbox: MemorySender, clock: FakeClock
) -> None:
    path = content_copy / "programs" / "demo.md"
    path.write_text(path.read_text().replace("agreement: standard\n", ""))
    site = build_site(content_dir=content_copy)
    intros = _introductions(site.services, mailbox, clock, "demo")
    for intro in intros:
        assert "agreement" not in plain(intro).lower()
        assert "agreement" not in html(intro).lower()
    assert site.client.get("/programs/demo/agreement").status_code == 404
    me = next(u for u in links_in(intros[0]) if "/me/" in u)
    landing = site.client.get(me.removeprefix("http://portal.test"))
    assert landing.status_code == 200
    assert "agreement" not in landing.text.lower()
