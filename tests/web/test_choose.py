"""Mentee choice: three suggestions by email, one click chooses, capacity holds."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient

from portal.container import Services
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.factories import seed_demo_people

ROUND = "2026-03-02T0900Z"


def _suggestion_links(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> dict[str, list[str]]:
    program = services.programs.get("leaders-group")
    assert program is not None
    seed_demo_people(services, program, clock())
    services.rounds.run(program, ROUND, trigger="cli")
    services.mail.drain(per_second=1000)
    links: dict[str, list[str]] = {}
    for to, message in mailbox.sent:
        if message["Subject"].startswith("Choose your mentor"):
            links[to] = [
                u.removeprefix("http://portal.test") for u in links_in(message) if "/choose/" in u
            ]
    return links


def _choose(client: FlaskClient, path: str):  # type: ignore[no-untyped-def]
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf_token": csrf_token(page.text)})


def test_each_waiting_mentee_gets_up_to_three_choices_and_nobody_is_matched_yet(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    links = _suggestion_links(services, mailbox, clock)
    # All 24 demo mentees of leaders-group: 21 with three mentors or more who pass the rules,
    # three with only one.
    assert len(links) == 24
    assert Counter(len(paths) for paths in links.values()) == {3: 21, 1: 3}
    assert not [m for _, m in mailbox.sent if m["Subject"].startswith("Meet")]
    assert all(p.active_matches == 0 for p in services.participants.for_program("leaders-group"))


def test_a_choice_is_exclusive_and_introduces_the_pair(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    links = _suggestion_links(services, mailbox, clock)
    mentee, paths = next((m, p) for m, p in sorted(links.items()) if len(p) >= 2)
    # Both choices open in two tabs, then pressed one after the other.
    pages = [client.get(path) for path in paths[:2]]
    chosen = client.post(paths[0], data={"csrf_token": csrf_token(pages[0].text)})
    assert chosen.status_code == 200
    assert "is your mentor" in chosen.text
    before = table_snapshot()
    second = client.post(paths[1], data={"csrf_token": csrf_token(pages[1].text)})
    assert second.status_code == 410  # the mentee's one link, used up by the first choice
    assert table_snapshot() == before
    services.mail.drain(per_second=1000)
    # leaders-group is a group program: the mentee and the mentor each get the group's email.
    intros = [to for to, m in mailbox.sent if " group in " in m["Subject"]]
    assert mentee in intros
    assert len(intros) == 2
    assert services.participants.get("leaders-group", mentee).active_matches == 1


def test_a_mentor_with_no_place_left_is_refused_and_the_link_still_works(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    links = _suggestion_links(services, mailbox, clock)
    first_choice: dict[str, list[str]] = defaultdict(list)
    for mentee in links:
        mentor = services.rounds.suggestions_for(
            services.programs.get("leaders-group"), ROUND, mentee
        )[0].mentor
        first_choice[mentor].append(mentee)
    mentor, rivals = next((m, r) for m, r in sorted(first_choice.items()) if len(r) >= 2)
    services.participants.save(
        replace(services.participants.get("leaders-group", mentor), capacity=1)
    )

    assert _choose(client, links[rivals[0]][0]).status_code == 200
    before = table_snapshot()
    refused = _choose(client, links[rivals[1]][0])
    assert refused.status_code == 409
    assert "no place left" in refused.text
    assert table_snapshot() == before
    assert services.participants.get("leaders-group", mentor).active_matches == 1
    # The same link, another of the three suggestions: still usable.
    assert len(links[rivals[1]]) == 3
    assert _choose(client, links[rivals[1]][1]).status_code == 200


def test_the_introduction_links_to_the_persons_own_page(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    links = _suggestion_links(services, mailbox, clock)
    mentee, paths = next(iter(sorted(links.items())))
    assert _choose(client, paths[0]).status_code == 200
    services.mail.drain(per_second=1000)
    intro = next(m for to, m in mailbox.sent if to == mentee and " group in " in m["Subject"])
    # A group's email: its first link opens the group's page, its last the person's own page.
    *_, page_link = (u for u in links_in(intro) if "/me/" in u)
    page_link = page_link.removeprefix("http://portal.test")
    other = intro["Subject"].rsplit(": ", 1)[1]  # "Meet your group in <program>: <mentor>"

    page = client.get(page_link)
    assert page.status_code == 200  # looking does not use the link
    mine = client.post(page_link, data={"csrf_token": csrf_token(page.text)}, follow_redirects=True)
    assert mine.status_code == 200
    assert other in mine.text
    assert "Why you were matched" in mine.text
    assert "Our mentoring agreement" in mine.text
    # Used: anyone else gets no further; this browser, still signed in, goes straight on.
    stranger = app.test_client()
    assert stranger.get(page_link).status_code == 410
    assert client.post(page_link, data={"csrf_token": csrf_token(page.text)}).status_code == 302


def test_someone_elses_page_is_not_shown_without_their_link(client: FlaskClient) -> None:
    assert client.get("/me/programs/leaders-group").status_code == 403
