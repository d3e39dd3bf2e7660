"""The Import people pages for an organizer who reads Spanish: the dry run's figures, reasons,
fields and notes, the applied import and its audit entry, in Spanish."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from portal import i18n
from portal.container import Services
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.presenters.roster import stored_numbers, summary_words
from tests.conftest import FakeClock
from tests.english_left import english_left, visible_text
from tests.factories import stored_person
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer
from tests.web.test_roster_import_pages import IMPORT, WORKDAY, apply, dry_run

NONE = dict.fromkeys(("new", "known", "changed", "gone", "paused", "unchanged", "inactive"), 0)


@pytest.fixture
def spanish(client: FlaskClient, services: Services, mailbox: MemorySender) -> FlaskClient:
    """The demo's organizer, who chose Spanish for the console, signed in."""
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    sign_in_as_organizer(client, mailbox)
    return client


def test_a_dry_run_and_its_import_are_said_in_spanish(
    spanish: FlaskClient, services: Services, clock: FakeClock
) -> None:
    services.participants.save(
        replace(
            stored_person("Grace", Role.MENTOR, clock()),
            email="grace.hopper@example.org",
            department="Navy",
        )
    )
    page = dry_run(spanish, WORKDAY)
    text = " ".join(page.text.split())
    assert english_left(text) == []
    assert "3 personas nuevas (invitadas), 1 ya inscrita" in text
    assert "nueva en la plantilla" in text  # why each is invited
    assert "Fila 2: el id de superior 20001 no está en esta plantilla" in text

    applied = apply(spanish, page)
    assert applied.status_code == 302
    after = spanish.get(applied.headers["Location"])
    shown = visible_text(after.text)
    assert english_left(shown) == []
    assert "Aplicado: 3 personas nuevas (invitadas)" in shown
    # The import page says the last import's figures, stored as numbers, in Spanish.
    again = visible_text(spanish.get(IMPORT).text)
    assert english_left(again) == []
    assert "3 personas nuevas (invitadas)" in again
    # So does the audit log, from the same numbers.
    log = visible_text(spanish.get("/organize/programs/demo/audit").text)
    assert english_left(log) == []
    assert "3 personas nuevas (invitadas)" in log
    head = services.roster_imports.store.head("demo")
    assert head is not None
    assert "invited" not in head.summary  # numbers, not words


def test_a_summary_stored_in_words_before_is_shown_as_it_was() -> None:
    old = "2 new (invited), 0 changed, 0 gone (paused), 1 unchanged"
    assert summary_words(old) == old
    with i18n.speaking("es"):
        assert summary_words(stored_numbers({**NONE, "new": 2})).startswith(
            "2 personas nuevas (invitadas)"
        )
