"""The program editor's seniority band and priority for people who waited: set, shown,
kept by other saves, cleared, and refused beside their fields."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from portal.container import Services, build_services
from portal.domain.program import SeniorityGap, WaitingBonus
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import FakeClock
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_program_editor import (
    ADMIN,
    EDITOR,
    LEAD,
    SLUG,
    error_beside,
    form_of,
    opened,
    submit,
)


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    # A stored group program, as the editor's own tests have it.
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    services.program_admin.create(
        "group", title="Spring circles", slug=SLUG, organizers=(LEAD,), signup_open=True, by=ADMIN
    )
    return services


@pytest.fixture
def lead(client: FlaskClient, mailbox: MemorySender) -> FlaskClient:
    sign_in_as_organizer(client, mailbox, LEAD)
    return client


RULES = {
    "rules-seniority_gap_min": "1",
    "rules-seniority_gap_max": "2",
    "rules-waiting_bonus_points": "5",
    "rules-waiting_bonus_cap": "12.5",
}


def live(services: Services) -> tuple[SeniorityGap | None, WaitingBonus | None]:
    program = services.programs.get(SLUG)
    assert program is not None
    return program.matching.seniority_gap, program.matching.waiting_bonus


def test_both_rules_are_empty_and_off_at_first(lead: FlaskClient, services: Services) -> None:
    data = opened(lead)
    assert [data[name] for name in RULES] == [[""]] * 4
    assert live(services) == (None, None)


def test_the_band_and_the_bonus_are_saved_shown_and_kept(
    lead: FlaskClient, services: Services
) -> None:
    assert submit(lead, {**opened(lead), **RULES}).status_code == 302
    assert live(services) == (
        SeniorityGap(min=1, max=2),
        WaitingBonus(points=5, cap=12.5),
    )
    shown = opened(lead)
    assert {name: shown[name] for name in RULES} == {name: [value] for name, value in RULES.items()}
    page = parse(lead.get(EDITOR).text)
    labels = [label.text for label in page.find_all("label")]
    assert any("Seniority band: the fewest career levels" in text for text in labels)
    assert any("Priority for people who waited: points per round waited" in text for text in labels)

    # Another change keeps both.
    assert submit(lead, {**shown, "basics-summary": "Changed"}).status_code == 302
    assert services.program_admin.live_version(SLUG) == 3
    assert live(services) == (SeniorityGap(min=1, max=2), WaitingBonus(points=5, cap=12.5))

    # Emptying both numbers turns each off.
    cleared = {**opened(lead), **dict.fromkeys(RULES, "")}
    assert submit(lead, cleared).status_code == 302
    assert live(services) == (None, None)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"rules-seniority_gap_min": "1"}, "rules-seniority_gap_max", "give both the fewest"),
        ({"rules-seniority_gap_max": "2"}, "rules-seniority_gap_min", "give both the fewest"),
        (
            {"rules-seniority_gap_min": "3", "rules-seniority_gap_max": "1"},
            "rules-seniority_gap_max",
            "The most levels (1) must not be fewer than the fewest (3).",
        ),
        (
            {"rules-seniority_gap_min": "1", "rules-seniority_gap_max": "9"},
            "rules-seniority_gap_max",
            "whole number of career levels from 0 to 5",
        ),
        (
            {"rules-seniority_gap_min": "one", "rules-seniority_gap_max": "2"},
            "rules-seniority_gap_min",
            "whole number of career levels from 0 to 5",
        ),
        ({"rules-waiting_bonus_cap": "10"}, "rules-waiting_bonus_points", "give both the points"),
        (
            {"rules-waiting_bonus_points": "-5", "rules-waiting_bonus_cap": "10"},
            "rules-waiting_bonus_points",
            "more than 0 and at most 100",
        ),
        (
            {"rules-waiting_bonus_points": "5", "rules-waiting_bonus_cap": "1000"},
            "rules-waiting_bonus_cap",
            "more than 0 and at most 100",
        ),
        (
            {"rules-waiting_bonus_points": "10", "rules-waiting_bonus_cap": "5"},
            "rules-waiting_bonus_cap",
            "The most in all (5) must not be less than the points per round (10).",
        ),
    ],
)
def test_a_wrong_value_is_named_beside_its_field_and_nothing_is_saved(
    lead: FlaskClient, services: Services, values: dict[str, str], field: str, message: str
) -> None:
    refused = submit(lead, {**opened(lead), **values})

    assert message in error_beside(refused, field)
    assert services.program_admin.live_version(SLUG) == 1
    assert live(services) == (None, None)
    assert form_of(refused.text)[field] == [values.get(field, "")]


def test_a_band_is_refused_when_the_program_becomes_peers(
    lead: FlaskClient, services: Services
) -> None:
    data = {**opened(lead), **RULES, "people-format": "peer"}

    refused = submit(lead, data)

    assert "a peer program cannot have a seniority band" in error_beside(
        refused, "rules-seniority_gap_min"
    )
    assert services.program_admin.live_version(SLUG) == 1


def test_a_file_programs_rules_are_said_in_words(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox)
    page = client.get("/organize/programs/demo/settings")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    words = " ".join(page.text.split())
    assert "Seniority band</dt><dd>None" in words
    assert "Priority for people who waited</dt><dd>None" in words
