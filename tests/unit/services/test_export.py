"""The export of everything held about one person, across programs: the service and the CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.checkins import match_ref
from portal.domain.personal_data import CATEGORY_NAMES
from portal.persistence.tables import ExportRecord, OutboxRecord
from portal.services.export import BY_AN_ORGANIZER, BY_THE_PERSON, CLI, WEB, UnknownPerson
from tests.conftest import FakeClock
from tests.factories import (
    ADA_GOAL,
    ADA_NOTE,
    PARTNER_BIO,
    PARTNER_DEPARTMENT,
    PARTNER_NOTE,
    History,
    person_with_history,
)


@pytest.fixture
def history(services: Services, clock: FakeClock) -> History:
    return person_with_history(services, clock)


def _export(services: Services, email: str, route: str = WEB) -> dict[str, Any]:
    by = BY_THE_PERSON if route == WEB else BY_AN_ORGANIZER
    done = services.exports.export(email, route=route, requested_by=by)
    document: dict[str, Any] = json.loads(done.text)
    return document


def test_the_export_holds_every_category_of_the_persons_data(
    services: Services, history: History
) -> None:
    document = _export(services, history.ada.email)

    assert (document["format"], document["version"]) == ("mentor-portal-export", 5)
    assert list(document)[5:] == list(CATEGORY_NAMES)  # the one list the notice shows too
    assert [c["name"] for c in document["categories"]] == list(CATEGORY_NAMES)
    sign_ups = {s["program"]: s for s in document["sign_ups"]}
    assert set(sign_ups) == {"demo", "peer-circles"}
    demo = sign_ups["demo"]
    assert (demo["role"], demo["status"], demo["name"]) == ("mentee", "confirmed", "Ada Example")
    assert demo["bio"] == "Ada's own bio."
    assert demo["language"] == "en"  # chosen on the form (the notice lists it)
    assert demo["consent_version"] == "notice-v1"
    assert demo["consented_at"] == demo["signed_up_at"] == "2026-03-02T09:00:00+00:00"
    assert demo["confirmed_at"] == "2026-03-02T09:00:00+00:00"
    assert sign_ups["peer-circles"]["participant_id"] == "ada-peer-id"
    assert demo["rounds_waited"] == 0  # matched: no rounds waited (version 5 has the count)

    (match,) = document["matches"]
    assert match["partner_name"] == "Max Example"
    assert (match["your_role"], match["status"]) == ("mentee", "active")
    assert match["match"] == match_ref(history.match.match_id)
    (goal,) = document["goals"]
    assert (goal["text"], goal["added_by"], goal["state"]) == (ADA_GOAL, "you", "not-started")
    (checkin,) = document["checkins"]
    assert (checkin["met"], checkin["minutes"], checkin["topics"]) == (True, 45, ["python"])
    assert checkin["has_private_note"] is True
    assert [n["note"] for n in document["private_notes"]] == [ADA_NOTE]
    assert [r["rating"] for r in document["ratings"]] == [4]
    (mail,) = document["emails"]
    assert mail["subject"] == "Your match with Max has ended"
    assert (mail["status"], mail["template"]) == ("sent", "match_ended")
    assert mail["sent_at"] is not None
    assert document["suppression"]["suppressed"] is True
    assert document["suppression"]["reason"] == "unsubscribe"
    assert [e["route"] for e in document["exports"]] == [WEB]


def test_the_export_holds_the_language_the_person_chose(
    services: Services, history: History
) -> None:
    assert services.participation.set_language(history.ada.email, "es") == 2
    document = _export(services, history.ada.email)
    assert [s["language"] for s in document["sign_ups"]] == ["es", "es"]


def test_the_export_holds_what_a_roster_import_says_of_the_person(
    services: Services, history: History
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    roster = b"workEmail,preferredName,jobTitle,department\n" + (
        f"{history.ada.email},Ada L.,Analyst,Research\n".encode()
    )
    table = services.roster_imports.read(roster, "hr.csv")
    checked = services.roster_imports.check(demo, table, filename="hr.csv")
    services.roster_imports.apply(demo, checked, by="organizer@example.org")

    (entry,) = _export(services, history.ada.email)["roster"]
    assert (entry["program"], entry["name"], entry["title"]) == ("demo", "Ada L.", "Analyst")
    assert (entry["department"], entry["active"]) == ("Research", True)


def test_of_the_other_person_the_export_holds_only_their_name(
    services: Services, history: History
) -> None:
    text = services.exports.export(
        history.ada.email, route=WEB, requested_by=BY_THE_PERSON
    ).text.lower()

    assert "max example" in text
    for private in (
        history.partner.email,
        history.partner.participant_id,
        PARTNER_BIO,
        PARTNER_DEPARTMENT,
        PARTNER_NOTE,
        "your match with ada",  # the email sent to them
    ):
        assert private.lower() not in text


def test_an_emails_subject_is_kept_after_it_is_sent_and_its_body_is_not(
    services: Services, history: History
) -> None:
    sent = [r for r in OutboxRecord.scan() if r.recipient == history.ada.email]
    assert [(r.status, r.raw, r.subject) for r in sent] == [
        ("sent", "", "Your match with Max has ended")
    ]


def test_each_export_is_recorded_and_listed_in_the_next(
    services: Services, history: History, clock: FakeClock
) -> None:
    _export(services, history.ada.email, WEB)
    clock.advance(hours=1)

    document = _export(services, history.ada.email, CLI)

    assert [(e["route"], e["requested_by"]) for e in document["exports"]] == [
        (WEB, "the person"),
        (CLI, "organizer via CLI"),
    ]
    assert document["exports"][1]["programs"] == ["demo", "peer-circles"]
    assert document["exports"][1]["exported_at"] == document["exported_at"]


def test_an_unknown_address_exports_and_records_nothing(
    services: Services, history: History
) -> None:
    with pytest.raises(UnknownPerson):
        services.exports.export("nobody@example.org", route=CLI, requested_by=BY_AN_ORGANIZER)
    assert list(ExportRecord.scan()) == []


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what differs between two exports: when, and the log of exports."""
    return {k: v for k, v in document.items() if k not in ("exported_at", "exports")}


def test_portal_export_writes_the_same_json_to_a_private_file_and_records_it(
    services: Services, history: History, cli_env: None, tmp_path: Path
) -> None:
    output = tmp_path / "ada.json"

    result = CliRunner().invoke(
        main, ["export", "--email", history.ada.email.upper(), "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    written = json.loads(output.read_text(encoding="utf-8"))
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    assert _comparable(written) == _comparable(_export(services, history.ada.email))
    (logged,) = written["exports"]
    assert (logged["route"], logged["requested_by"]) == (CLI, BY_AN_ORGANIZER)
    assert sorted((r.route, r.requested_by) for r in ExportRecord.scan()) == [
        (CLI, BY_AN_ORGANIZER),
        (WEB, BY_THE_PERSON),  # the export this test made to compare with
    ]


def test_portal_export_prints_the_json_without_an_output_file(
    services: Services, history: History, cli_env: None
) -> None:
    result = CliRunner().invoke(main, ["export", "--email", history.ada.email])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sign_ups"][0]["name"] == "Ada Example"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not-an-address", "'not-an-address' is not an email address"),
        ("nobody@example.org", "no program holds a sign-up for nobody@example.org"),
    ],
)
def test_portal_export_refuses_a_bad_or_unknown_address_and_writes_nothing(
    services: Services,
    history: History,
    cli_env: None,
    tmp_path: Path,
    address: str,
    message: str,
) -> None:
    output = tmp_path / "out.json"

    result = CliRunner().invoke(main, ["export", "--email", address, "--output", str(output)])

    assert result.exit_code != 0
    assert message in result.output
    assert not output.exists()
    assert list(ExportRecord.scan()) == []


def test_portal_export_refuses_an_output_folder_that_does_not_exist(
    services: Services, history: History, cli_env: None, tmp_path: Path
) -> None:
    output = tmp_path / "missing" / "out.json"

    result = CliRunner().invoke(
        main, ["export", "--email", history.ada.email, "--output", str(output)]
    )

    assert result.exit_code != 0
    assert "no folder" in result.output
    assert list(ExportRecord.scan()) == []
