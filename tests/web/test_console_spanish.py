"""The organizers' console in Spanish: the settings editor, Run a round, exports and Import
people (with a dry run) leave no English sentence of the catalogue on the page, say a
validation error in Spanish, and stay in English for an English browser."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import cache

import polib
import pytest
from flask.testing import FlaskClient

from portal import i18n
from portal.container import Services, build_services
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import FakeClock, csrf_token
from tests.factories import seed_demo_people
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_program_editor import form_of
from tests.web.test_roster_import_pages import IMPORT, ROSTERS, dry_run, upload

ADMIN = "admin@example.org"
LEAD = "lead@example.org"
SLUG = "spring-circles"
EDITOR = f"/organize/programs/{SLUG}/settings"
SPANISH = "es-ES,es;q=0.9"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


@cache
def english_sentences() -> frozenset[str]:
    """The English of the Spanish catalogue a page might show untranslated: each msgid of 12
    characters or more (the literal stretches of those with placeholders or markup), leaving
    out those Spanish writes the same ("Mentor Portal", a command)."""
    po = polib.pofile(str(i18n.TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"))
    found: set[str] = set()
    for entry in po:
        spanish = entry.msgstr or entry.msgstr_plural.get(0, "")
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            if english == spanish:
                continue
            found.update(
                part.strip()
                for part in PLACEHOLDER.split(english.replace("%%", "%"))
                if len(part.strip()) >= 12 and part.strip() not in spanish
            )
    return frozenset(found)


def english_left(html: str, data: Iterable[str] = ()) -> list[str]:
    """The catalogue's English sentences the page shows (its title and its main part's text,
    but the console's own navigation and the program's words being edited)."""
    # A textarea holds the program's own words (its page text), data to leave as written.
    page = parse(re.sub(r"<textarea.*?</textarea>", "", html, flags=re.DOTALL))
    main = page.one("main")
    # The console's list of its parts (organize/_nav.html) is the other half's to translate.
    main.children = [
        child
        for child in main.children
        if isinstance(child, str) or "console-nav" not in (child.get("class") or "")
    ]
    shown = f"{page.title} {main.text}"
    for words in data:  # words the page shows as the data they are (a file's column names)
        shown = shown.replace(words, "")
    return sorted(sentence for sentence in english_sentences() if sentence in shown)


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    services.program_admin.create(
        "group", title="Spring circles", slug=SLUG, organizers=(LEAD,), signup_open=True, by=ADMIN
    )
    return services


@pytest.fixture
def spanish(client: FlaskClient) -> FlaskClient:
    """A browser that asks for Spanish."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = SPANISH
    return client


def test_the_settings_editor_is_in_spanish(
    spanish: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(spanish, mailbox, LEAD)

    page = spanish.get(EDITOR)

    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert english_left(page.text) == []
    text = parse(page.text).one("main").text
    assert "Preguntas del formulario de inscripción" in text
    assert "Guardar: convertir esta en la versión activa" in text
    assert "Lunes" in text  # the schedule picker's days


def test_a_validation_error_is_in_spanish_and_nothing_is_saved(
    spanish: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(spanish, mailbox, LEAD)
    data = {**form_of(spanish.get(EDITOR).text), "people-capacity": "0"}
    data["ladder-second_nudge_days"] = "1"

    refused = spanish.post(EDITOR, data={**data, "action": "save"})

    assert refused.status_code == 422
    page = parse(refused.text)
    assert page.title.startswith("Error:")
    capacity = page.by_id("people-capacity-error")
    assert capacity is not None
    assert "Indique un número entero de personas entre 1 y 20." in capacity.text
    nudge = page.by_id("ladder-second_nudge_days-error")
    assert nudge is not None
    assert "debe ser mayor que el recordatorio" in nudge.text
    summary = page.one(class_="error-summary").text
    assert "No se guardó nada: hay que cambiar algunos ajustes" in summary
    assert english_left(refused.text) == []
    assert services.program_admin.live_version(SLUG) == 1


def test_a_round_preview_is_in_spanish(
    spanish: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(spanish, mailbox)
    round_page = "/organize/programs/demo/round"
    before = spanish.get(round_page)
    assert english_left(before.text) == []

    made = spanish.post(round_page, data={"csrf_token": csrf_token(before.text)})
    shown = spanish.get(made.headers["Location"])

    text = parse(shown.text).one("main").text
    assert "Publicar: enviar ahora 16 presentaciones" in text
    assert "Vista previa de la ronda" in text
    assert english_left(shown.text) == []


def test_the_exports_page_is_in_spanish(
    spanish: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(spanish, mailbox)

    page = spanish.get("/organize/programs/demo/exports")

    assert page.status_code == 200
    assert "Descargar participants.csv con todas las columnas" in page.text
    program = services.programs.get("demo")
    assert program is not None
    # The files' columns are named on the page as the files name them (in English).
    columns = {c for kind in services.csv_exports.kinds(program) for c in kind.every}
    assert english_left(page.text, sorted(columns, key=len, reverse=True)) == []


def test_import_people_and_a_dry_run_are_in_spanish(
    spanish: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(spanish, mailbox)
    upload_page = spanish.get(IMPORT)
    assert "Subir y comprobar (aún no se guarda nada)" in upload_page.text
    assert english_left(upload_page.text) == []

    sent = upload(spanish, (ROSTERS / "workday.csv").read_bytes())
    page = spanish.get(sent.headers["Location"])

    assert page.status_code == 200
    assert "Se invitará (4)" in page.text
    assert english_left(page.text) == []


def test_a_bad_row_is_named_in_spanish(
    spanish: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(spanish, mailbox)

    page = dry_run(spanish, (ROSTERS / "bad.csv").read_bytes(), "bad.csv")

    problems = [li.text for li in page.one("ul", class_="import-problems").find_all("li")]
    assert any(
        p.startswith("fila 5, columna “workEmail”: ") and "ya está en la fila 2" in p
        for p in problems
    ), problems
    assert "no se puede aplicar hasta que se corrijan" in page.text


def test_an_english_browser_sees_the_console_in_english(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in_as_organizer(client, mailbox, LEAD)

    page = client.get(EDITOR)

    text = parse(page.text).one("main").text
    assert "Questions on the sign-up form" in text
    assert "Save: make this the live version" in text
    assert "Monday" in text


def test_the_catalogue_helper_finds_english_left_on_a_page() -> None:
    # The check above could pass by finding nothing: it does find a sentence left.
    html = (
        "<html><head><title>x</title></head><body><main>"
        "<p>Nothing was saved: some settings need a change</p></main></body></html>"
    )
    assert english_left(html) == ["Nothing was saved: some settings need a change"]
