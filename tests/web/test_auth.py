"""The sign-in helpers: `participant_required` and `organizer_required` guard every such page."""

from __future__ import annotations

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from portal.container import Services
from portal.domain.checkins import match_ref
from portal.services.rounds import ORGANIZE
from portal.web.auth import organizer_required, participant_required
from tests.conftest import FakeClock, csrf_token, table_snapshot
from tests.factories import ROUND, matched_pair
from tests.web.dom import parse
from tests.web.helpers import sign_in

BASE = "http://portal.test"
ORGANIZER = "organizer@example.org"  # the demo program's organizer
PARTICIPANT_PAGES = "/me/programs/"
ORGANIZER_PAGES = "/organize/programs/"
# Every console page of a program, one per line (each part of the console adds its own).
ORGANIZER_ENDPOINTS = {
    "organize.adjust",
    "organize.apply_roster",
    "organize.approve",
    "organize.audit",
    "organize.choose_import_mapping",
    "organize.confirm_end_match",
    "organize.confirm_move",
    "organize.costs",
    "organize.discard_roster",
    "organize.discard_round",
    "organize.duplicate_program",
    "organize.end_match",
    "organize.export_csv",
    "organize.exports",
    "organize.import_dry_run",
    "organize.matches",
    "organize.move_mentee",
    "organize.network",
    "organize.people",
    "organize.person",
    "organize.person_action",
    "organize.preview_round",
    "organize.program",
    "organize.program_lifecycle",
    "organize.program_status",
    "organize.program_settings",
    "organize.publish_round",
    "organize.refresh_figures",
    "organize.review",
    "organize.roster_import",
    "organize.round_now",
    "organize.summary",
    "organize.upload_roster",
}


def organizer_link(services: Services) -> str:
    return f"{BASE}/organize/{services.links.issue(ORGANIZE, 'demo', ORGANIZER)}"


def guarded_rules(app: Flask, prefix: str) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith(prefix)),
        key=lambda rule: rule.rule,
    )


def address(rule: Rule, **values: str) -> str:
    arguments = {
        "slug": "demo",
        "match_ref": "m",
        "goal_ref": "g",
        "round_id": ROUND,
        "upload_id": "u",
        "ref": "r",
        "participant_id": "p",
        "kind": "participants",
        "action": "pause",
    }
    return rule.rule.replace("<", "{").replace(">", "}").format(**{**arguments, **values})


def sign_out_forms(html: str) -> int:
    return len([f for f in parse(html).find_all("form") if f.get("action") == "/sign-out"])


# Nobody signed in: every guarded page, every method, gets a 403 and changes nothing, with the
# sign-in form that brings them back (a participant's to their page, an organizer's to the
# console)


@pytest.mark.parametrize(
    ("prefix", "endpoints"),
    [
        (
            PARTICIPANT_PAGES,
            {
                "me.page",
                "me.agree",
                "me.add_goal",
                "me.update_goal",
                "me.checkin",
                "me.rematch",
                "me.pause",
                "me.resume",
                "me.leave",
                "me.profile",
                "me.export",
                "me.erase",
                "me.meeting",
                "me.propose_meeting",
                "me.accept_meeting",
                "me.cancel_meeting",
                "group.page",
            },
        ),
        (
            ORGANIZER_PAGES,
            ORGANIZER_ENDPOINTS,
        ),
    ],
)
def test_without_a_session_every_guarded_page_is_refused(
    app: Flask, client: FlaskClient, services: Services, prefix: str, endpoints: set[str]
) -> None:
    rules = guarded_rules(app, prefix)
    assert {rule.endpoint for rule in rules} == endpoints
    token = csrf_token(client.get("/programs/demo/join/mentee").text)
    before = table_snapshot()
    for rule in rules:
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = client.open(address(rule), method=method, data={"csrf_token": token})
            assert response.status_code == 403, (method, rule.rule)
            page = parse(response.text)
            if prefix == PARTICIPANT_PAGES:
                assert page.h1 == "Sign in to your page", (method, rule.rule)
                assert page.one("form", action="/sign-in").find("input", name="email")
            else:
                assert page.h1 == "Sign in to the organizers' console", (method, rule.rule)
                assert page.one("form", action="/sign-in").find("input", name="email")
    assert table_snapshot() == before


def test_without_a_session_creating_a_program_is_refused(
    client: FlaskClient, services: Services
) -> None:
    # /organize/new names no program: it is outside ORGANIZER_PAGES, and checked here.
    token = csrf_token(client.get("/programs/demo/join/mentee").text)
    before = table_snapshot()
    for method in ("GET", "POST"):
        response = client.open("/organize/new", method=method, data={"csrf_token": token})
        assert response.status_code == 403, method
        assert parse(response.text).h1 == "Sign in to the organizers' console"
    assert table_snapshot() == before


def test_a_participants_session_opens_no_organizers_page_and_the_other_way_round(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    me_page = sign_in(client, services.checkins.page_url("demo", match.mentee))
    assert client.get("/organize/programs/demo/review").status_code == 403

    organizer = client.application.test_client()
    review = sign_in(organizer, organizer_link(services))
    assert organizer.get(review).status_code == 200
    assert organizer.get(me_page).status_code == 403


def test_a_participants_session_opens_only_their_own_programs_pages(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    sign_in(client, services.checkins.page_url("demo", match.mentee))
    assert client.get("/me/programs/demo").status_code == 200
    assert client.get("/me/programs/leaders-group").status_code == 403
    assert client.get("/me/programs/no-such-program").status_code == 403


def test_an_organizer_of_another_program_gets_404_as_for_no_program(
    client: FlaskClient, services: Services
) -> None:
    # Signed in as leaders-group's organizer, from one of its links.
    leaders = services.links.issue(ORGANIZE, "leaders-group", "leaders@example.org")
    review = sign_in(client, f"{BASE}/organize/{leaders}")
    assert review == "/organize/programs/leaders-group/review"
    assert client.get(review).status_code == 200
    for path in ("/organize/programs/demo/review", "/organize/programs/no-such-program/review"):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client.get(review).text)
    before = table_snapshot()
    approve = client.post(
        f"/organize/programs/demo/rounds/{ROUND}/approve", data={"csrf_token": token}
    )
    assert approve.status_code == 404
    assert table_snapshot() == before

    # A link of demo made out to someone who organizes nothing opens nothing.
    stranger = services.links.issue(ORGANIZE, "demo", "someone@example.org")
    other = client.application.test_client()
    assert other.get(sign_in(other, f"{BASE}/organize/{stranger}")).status_code == 404


# Who is signed in, for the view


def test_the_guards_put_who_is_signed_in_in_g(
    app: Flask, client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    def whoami(slug: str) -> str:
        person = g.get("participant")
        return f"{g.program.slug} {person.email if person else g.organizer}"

    app.add_url_rule("/test/me/<slug>", "who_me", participant_required(whoami))
    app.add_url_rule("/test/organize/<slug>", "who_organizer", organizer_required(whoami))
    match = matched_pair(services, clock)

    assert client.get("/test/me/demo").status_code == 403
    sign_in(client, services.checkins.page_url("demo", match.mentee))
    assert client.get("/test/me/demo").text == f"demo {match.mentee}"
    assert client.get("/test/organize/demo").status_code == 403
    organizer = app.test_client()
    sign_in(organizer, organizer_link(services))
    assert organizer.get("/test/organize/demo").text == f"demo {ORGANIZER}"


# Signing out, from every page of both kinds


def test_every_page_of_a_signed_in_participant_offers_to_sign_out(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    sign_in(client, services.checkins.page_url("demo", match.mentee))
    ref = match_ref(match.match_id)
    pages = [
        "/me/programs/demo",
        f"/me/programs/demo/matches/{ref}/checkin",
        "/me/programs/demo/leave",
        "/me/programs/demo/profile",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert sign_out_forms(response.text) == 1, path
    # Pages for everyone offer no sign-out: nobody is signed in there as far as they show.
    assert sign_out_forms(client.get("/programs/demo").text) == 0


def test_the_organizers_page_offers_to_sign_out(client: FlaskClient, services: Services) -> None:
    review = sign_in(client, organizer_link(services))
    assert sign_out_forms(client.get(review).text) == 1
