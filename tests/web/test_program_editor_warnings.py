"""The editor's warnings, for real: removing a question that confirmed people answered is
said first (how many answered, what becomes of their answers) and saved only when confirmed."""

from __future__ import annotations

import dataclasses

import pytest
from flask.testing import FlaskClient

from portal.container import Services, build_services
from portal.domain.participants import Role
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import FakeClock
from tests.factories import stored_person
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_program_editor import form_of, opened, submit

ADMIN = "admin@example.org"
LEAD = "lead@example.org"
SLUG = "spring-circles"
LABEL = "Which office are you in?"


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    created = services.program_admin.create(
        "group", title="Spring circles", slug=SLUG, organizers=(LEAD,), signup_open=True, by=ADMIN
    )
    document = created.model_dump(mode="json")
    office = {"key": "office", "label": LABEL, "type": "choice", "choices": ["Lisbon", "Berlin"]}
    document["questions"] = [*document["questions"], office]
    assert services.program_admin.save(Program.model_validate(document), expected=1, by=LEAD) == 2
    for name, role, answer in (
        ("Ada", Role.MENTOR, "Lisbon"),
        ("Grace", Role.MENTEE, "Berlin"),
        ("Alan", Role.MENTEE, "Lisbon"),
        ("Edsger", Role.MENTEE, ""),  # confirmed, but did not answer it
    ):
        person = stored_person(name, role, clock(), program=SLUG)
        services.participants.save(dataclasses.replace(person, answers={"office": answer}))
    return services


def test_removing_an_answered_question_is_said_first_and_saved_once_confirmed(
    client: FlaskClient, mailbox: MemorySender, services: Services
) -> None:
    sign_in_as_organizer(client, mailbox, LEAD)
    data = opened(client)
    (row,) = [key.removesuffix("-key") for key, value in data.items() if value == ["office"]]
    data[f"{row}-remove"] = "y"

    warned = submit(client, data)

    assert warned.status_code == 200
    said = " ".join(parse(warned.text).one(class_="notice", role="status").text.split())
    assert f"Three people answered “{LABEL}”" in said  # Edsger gave none
    assert "their answers are kept with their profile" in said
    assert "nothing is saved yet" in said
    buttons = [b.text.strip() for b in parse(warned.text).find_all("button", value="save")]
    assert buttons == ["Save with these changes"]
    assert services.program_admin.live_version(SLUG) == 2
    program = services.programs.get(SLUG)
    assert program is not None
    assert "office" in [q.key for q in program.questions]

    saved = submit(client, form_of(warned.text))

    assert saved.status_code == 302
    assert services.program_admin.live_version(SLUG) == 3
    program = services.programs.get(SLUG)
    assert program is not None
    assert "office" not in [q.key for q in program.questions]
