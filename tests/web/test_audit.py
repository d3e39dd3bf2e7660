"""The console's audit log: every recorded action, who and when, newest first, by name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.audit import AuditEntry, UnknownActionError
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock
from tests.factories import matched_pair
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

AUDIT = "/organize/programs/demo/audit"


def rows(client: FlaskClient, path: str = AUDIT) -> list[list[str]]:
    page = client.get(path)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    body = parse(page.text).one("tbody")
    return [[td.text.strip() for td in tr.find_all("td")] for tr in body.find_all("tr")]


def test_the_log_shows_each_action_newest_first_by_name(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    mentor = services.participants.get("demo", match.mentor)
    assert mentor is not None
    services.audit.record(
        "demo", DEMO_ORGANIZER, "pause", subject_kind="participant", subject=mentor.participant_id
    )
    clock.advance(minutes=5)
    services.audit.record(
        "demo",
        DEMO_ORGANIZER,
        "end_match",
        subject_kind="match",
        subject=match.match_id,
        detail="They asked to stop",
    )
    sign_in_as_organizer(client, mailbox)

    (newest, oldest) = rows(client)

    mentee = services.participants.get("demo", match.mentee)
    assert mentee is not None
    assert newest[1:] == [
        DEMO_ORGANIZER,
        "Ended a match",
        f"the match of {mentor.name} and {mentee.name}",
        "They asked to stop",
    ]
    assert oldest[1:] == [DEMO_ORGANIZER, "Paused a person", mentor.name, ""]


def test_an_erased_person_is_not_named(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    mentee = services.participants.get("demo", match.mentee)
    assert mentee is not None
    services.audit.record(
        "demo", DEMO_ORGANIZER, "remove", subject_kind="participant", subject=mentee.participant_id
    )
    services.erasure.erase(match.mentee)
    sign_in_as_organizer(client, mailbox)

    ((_, _, _, about, _),) = rows(client)

    assert about == "someone no longer in the program"
    assert mentee.name not in client.get(AUDIT).text


def test_older_entries_are_a_page_back(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    for n in range(52):
        services.audit.record("demo", DEMO_ORGANIZER, "export", detail=f"export {n}")
        clock.advance(seconds=1)
    sign_in_as_organizer(client, mailbox)

    first = rows(client)
    (older,) = [
        a.get("href")
        for a in parse(client.get(AUDIT).text).find_all("a")
        if a.text == "Older entries"
    ]
    second = rows(client, str(older))

    assert [r[4] for r in first] == [f"export {n}" for n in range(51, 1, -1)]
    assert [r[4] for r in second] == ["export 1", "export 0"]
    assert "Older entries" not in client.get(str(older)).text


def test_one_programs_log_is_not_anothers(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    services.audit.record("leaders-group", "someone@example.org", "export", detail="theirs")
    sign_in_as_organizer(client, mailbox)

    assert client.get("/organize/programs/leaders-group/audit").status_code == 404
    assert "theirs" not in client.get(AUDIT).text
    assert "No organizer has taken an action" in client.get(AUDIT).text


def test_signed_out_the_log_is_refused(client: FlaskClient) -> None:
    assert client.get(AUDIT).status_code == 403


def test_an_action_without_words_is_refused_before_it_is_stored(clock: FakeClock) -> None:
    with pytest.raises(UnknownActionError, match="ended_everything"):
        AuditEntry("demo", clock(), DEMO_ORGANIZER, "ended_everything")


def test_each_entry_is_timed_in_the_programs_zone_named(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # summer time in London
    services.audit.record("demo", DEMO_ORGANIZER, "export", detail="participants")
    sign_in_as_organizer(client, mailbox)
    ((when, *_),) = rows(client)
    assert when == "Wednesday 1 July, 10:30 (British Summer Time)"


# What the console itself records as details (English, counts only), and what a Spanish
# organizer reads: the organizer's own words (a reason) stay as they were written.
DETAILS = [
    ("approve_round", "3 pairs introduced, 1 refused", "parejas presentadas: 3; rechazadas: 1"),
    ("adjust_draft", "moved to another mentor", "pasó a otro mentor"),
    ("adjust_draft", "taken out of the round", "salió de la ronda"),
    ("preview_round", "4 pairs, 2 unmatched", "parejas: 4; sin emparejar: 2"),
    (
        "preview_round",
        "6 suggestions to 2 mentees, 0 unmatched",
        "sugerencias: 6, para 2 mentees; sin emparejar: 0",
    ),
    ("publish_round", "5 made, 0 could not be made", "parejas hechas: 5; no se pudieron hacer: 0"),
    ("discard_round", "2 drafts deleted", "borradores eliminados: 2"),
    ("export", "participants.csv, all columns", "participants.csv, todas las columnas"),
    ("export", "matches.csv, default columns", "matches.csv, las columnas predeterminadas"),
    ("duplicate_program", "as spring-2027", "como spring-2027"),
    ("pause", "1 active match ended", "1 emparejamiento activo terminado"),
    ("remove", "2 active matches ended", "2 emparejamientos activos terminados"),
    (
        "pause",
        "by the roster import: not in this roster; 1 active match ended",
        "por la importación de la lista de personal: no está en esta lista de personal; "
        "1 emparejamiento activo terminado",
    ),
    (
        "import_roster",
        "12 new (invited), 3 changed, 2 gone (paused), 5 unchanged",
        "12 personas nuevas (invitadas), 3 con cambios, 2 se han ido (en pausa), 5 sin cambios",
    ),
    ("end_match", "They asked to stop", "They asked to stop"),
]


def test_the_consoles_own_details_are_said_in_the_readers_language(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    for action, detail, _ in DETAILS:
        services.audit.record("demo", DEMO_ORGANIZER, action, detail=detail)
        clock.advance(minutes=1)
    sign_in_as_organizer(client, mailbox)

    english = [row[-1] for row in rows(client)]
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    spanish = [row[-1] for row in rows(client)]

    # Newest first: the English the log always showed, and the same facts in Spanish.
    assert english == [detail for _, detail, _ in reversed(DETAILS)]
    assert spanish == [words for _, _, words in reversed(DETAILS)]
