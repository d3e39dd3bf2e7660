"""The group page of a group program: its members see the group and its check-ins."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Participant, Role
from portal.persistence.matches import ACTIVATED
from tests.conftest import FakeClock, csrf_token
from tests.factories import ROUND, stored_person
from tests.web.helpers import sign_in

GROUP = "leaders-group"
PAGE = f"/me/programs/{GROUP}/group"


def make_group(services: Services, clock: FakeClock) -> tuple[Participant, list[Participant]]:
    """A mentor of the group program with three mentees, in active matches."""
    mentor = stored_person("Mira", Role.MENTOR, clock(), GROUP)
    mentees = [stored_person(name, Role.MENTEE, clock(), GROUP) for name in ("Ada", "Ben", "Cleo")]
    for person in (mentor, *mentees):
        services.participants.save(person)
    for mentee in mentees:
        outcome = services.rounds.matches.activate(
            GROUP,
            ROUND,
            mentor=mentor.email,
            mentee=mentee.email,
            mentor_capacity=4,
            mentee_capacity=1,
            score=70,
            reasons=({"code": "shared_language", "languages": ["English"]},),
            now=clock(),
        )
        assert outcome == ACTIVATED
    return mentor, mentees


def signed_in(app: Flask, services: Services, person: Participant) -> FlaskClient:
    """A browser signed in as `person` by the link of a group email, on the group's page."""
    client = app.test_client()
    assert sign_in(client, services.links.group_url(GROUP, person.email)) == PAGE
    return client


def test_a_member_sees_every_member_of_the_group(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    mentor, mentees = make_group(services, clock)
    page = signed_in(app, services, mentees[1]).get(PAGE)
    assert page.status_code == 200
    for member in (mentor, *mentees):
        assert member.name in page.text
        assert member.mailbox in page.text
    assert "Ben Example (you)" in page.text


def test_someone_in_no_group_is_refused_with_a_page_that_says_so(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    mentor, _ = make_group(services, clock)
    outsider = stored_person("Olga", Role.MENTEE, clock(), GROUP)
    services.participants.save(outsider)
    client = app.test_client()
    sign_in(client, services.links.me_url(GROUP, outsider.email))
    page = client.get(PAGE)
    assert page.status_code == 403
    assert "You are not in a group" in page.text
    assert mentor.name not in page.text
    own_page = client.get(f"/me/programs/{GROUP}")
    posted = client.post(PAGE, data={"csrf_token": csrf_token(own_page.text), "met": "no"})
    assert posted.status_code == 403
    assert services.groups.group_of(services.programs.get(GROUP), outsider.email) is None  # type: ignore[arg-type]


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_signed_out_visitor_is_refused_as_on_every_participant_page(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    mentor, mentees = make_group(services, clock)
    visitor = app.test_client()
    page = visitor.get(PAGE)
    assert page.status_code == 403
    # The participants' 403 page (only the language menu's way back differs).
    assert main_of(page.text) == main_of(visitor.get(f"/me/programs/{GROUP}").text)
    assert mentor.name not in page.text
    token = csrf_token(visitor.get(f"/programs/{GROUP}/join/mentee").text)
    posted = visitor.post(PAGE, data={"csrf_token": token, "met": "no"})
    assert posted.status_code == 403
    group = services.groups.group_of(services.programs.get(GROUP), mentees[0].email)  # type: ignore[arg-type]
    assert group is not None
    assert services.groups.checkins_of(group) == []


def test_a_group_check_in_by_one_member_is_seen_by_the_others(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    mentor, mentees = make_group(services, clock)
    writer = signed_in(app, services, mentees[0])
    form = writer.get(PAGE)
    saved = writer.post(
        PAGE,
        data={
            "csrf_token": csrf_token(form.text),
            "met": "yes",
            "day": clock().date().isoformat(),
            "minutes": "90",
            "topics": ["giving feedback", "delegation"],
        },
    )
    assert saved.status_code == 302
    for reader in (mentor, mentees[2]):
        page = signed_in(app, services, reader).get(PAGE)
        assert "by Ada Example" in page.text
        assert "for 90 minutes" in page.text
        assert "giving feedback, delegation" in page.text


def test_a_group_check_in_with_a_missing_date_comes_back_with_a_message(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    _, mentees = make_group(services, clock)
    writer = signed_in(app, services, mentees[0])
    form = writer.get(PAGE)
    refused = writer.post(
        PAGE, data={"csrf_token": csrf_token(form.text), "met": "yes", "day": "", "minutes": "60"}
    )
    assert refused.status_code == 422
    assert "Please give the date you met." in refused.text
    group = services.groups.group_of(services.programs.get(GROUP), mentees[0].email)  # type: ignore[arg-type]
    assert group is not None
    assert services.groups.checkins_of(group) == []
