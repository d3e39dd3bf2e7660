"""The program editor's first-meeting settings: the video-room link pattern and the length."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from tests.web.test_program_editor import (  # the editor's fixtures and helpers
    EDITOR,
    SLUG,
    error_beside,
    form_of,
    lead,
    opened,
    services,
    submit,
)

__all__ = ["lead", "services"]  # fixtures, used by name


def test_the_meeting_link_and_length_are_saved(lead: FlaskClient, services: Services) -> None:
    data = opened(lead)
    assert data["meetings-link_pattern"] == [""]
    assert data["meetings-length_minutes"] == ["45"]
    data["meetings-link_pattern"] = "https://meet.jit.si/mentor-portal-{room}"
    data["meetings-length_minutes"] = "30"

    assert submit(lead, data).status_code == 302

    program = services.programs.get(SLUG)
    assert program is not None
    assert program.meetings.link_pattern == "https://meet.jit.si/mentor-portal-{room}"
    assert program.meetings.length_minutes == 30
    shown = form_of(lead.get(EDITOR).text)
    assert shown["meetings-link_pattern"] == ["https://meet.jit.si/mentor-portal-{room}"]
    assert shown["meetings-length_minutes"] == ["30"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("meetings-link_pattern", "http://meet.jit.si/room-{room}", "https"),
        ("meetings-link_pattern", "https://meet.jit.si/our-room", "{room}"),
        ("meetings-length_minutes", "10", "from 15 to 180"),
        ("meetings-length_minutes", "", "from 15 to 180"),
        ("meetings-length_minutes", "forty", "from 15 to 180"),
    ],
)
def test_a_bad_meeting_setting_is_named_beside_it_and_nothing_is_saved(
    lead: FlaskClient, services: Services, field: str, value: str, message: str
) -> None:
    refused = submit(lead, {**opened(lead), field: value})

    assert message in error_beside(refused, field)
    assert services.program_admin.live_version(SLUG) == 1
