"""The editor's preview on a program with people in it: what a weight change would move."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from portal.container import Services, build_services
from portal.mail.senders import MemorySender
from portal.services.programs import document_of
from portal.settings import Settings
from tests.conftest import FakeClock, table_snapshot
from tests.factories import seed_demo_people
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_program_editor import form_of

ADMIN = "admin@example.org"
LEAD = "organizer@example.org"
SLUG = "tech-2027"
EDITOR = f"/organize/programs/{SLUG}/settings"


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    services.program_admin.duplicate(
        "demo", new_slug=SLUG, new_title="Tech careers 2027", signup_open=True, by=ADMIN
    )
    seed_demo_people(services, SLUG, clock())
    return services


def test_the_preview_lists_the_pairs_a_weight_change_would_move(
    client: FlaskClient, mailbox: MemorySender, services: Services
) -> None:
    sign_in_as_organizer(client, mailbox, LEAD)
    data = form_of(client.get(EDITOR).text)
    assert data["weights-skills"] == ["high"]
    changed = {**data, "weights-skills": "off", "weights-availability": "high"}
    before = table_snapshot()

    shown = client.post(EDITOR, data={**changed, "action": "preview_effect"})

    assert shown.status_code == 200
    current = services.programs.get(SLUG)
    assert current is not None
    weights = {
        **document_of(current)["matching"]["weights"],
        "skills": "off",
        "availability": "high",
    }
    candidate = services.program_admin.validate(
        {
            **document_of(current),
            "matching": {**document_of(current)["matching"], "weights": weights},
        }
    )
    expected = services.program_changes.preview(current, candidate)
    assert expected.gained
    assert expected.lost
    page = parse(shown.text)
    gained = page.one("table", id="gained-pairs")
    lost = page.one("table", id="lost-pairs")
    for pair in expected.gained:
        assert pair.left in gained.text
        assert pair.right in gained.text
    for pair in expected.lost:
        assert pair.left in lost.text
        assert pair.right in lost.text
    # A preview: nothing saved, no round stored, nobody emailed.
    assert table_snapshot() == before
    assert services.program_admin.live_version(SLUG) == 1
