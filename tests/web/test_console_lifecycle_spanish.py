"""The rest of the console in Spanish: a program's Status and lifecycle pages, creating and
duplicating a program, the draft pairs, the printable weekly summary; and the settings
editor's language and page translations, saved, shown on the public page, refused beside
their fields."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask.testing import FlaskClient

from portal.container import Services, build_services
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import FakeClock, csrf_token
from tests.english_left import english_left, visible_text
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_program_editor import form_of

ADMIN = "admin@example.org"
SLUG = "spring-circles"
EDITOR = f"/organize/programs/{SLUG}/settings"


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    services.program_admin.create(
        "group",
        title="Spring circles",
        slug=SLUG,
        organizers=(ADMIN,),
        signup_open=True,
        by=ADMIN,
    )
    return services


@pytest.fixture
def spanish_admin(client: FlaskClient, services: Services, mailbox: MemorySender) -> FlaskClient:
    """A site admin who chose Spanish for the console, signed in."""
    services.organizers.set_language(ADMIN, "es")
    sign_in_as_organizer(client, mailbox, ADMIN)
    return client


def main_text(html: str) -> str:
    """What the reader sees in the page's title and main part (but the program's own words
    in the editor's text boxes: data, written in the program's language)."""
    html = re.sub(r"<textarea.*?</textarea>", "", html, flags=re.DOTALL)
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    main = re.search(r"<main\b.*?</main>", html, re.DOTALL)
    assert main is not None
    return f"{title.group(1) if title else ''} {visible_text(main.group(0))}"


@pytest.mark.parametrize(
    "path",
    [
        f"/organize/programs/{SLUG}/status",
        *(
            f"/organize/programs/{SLUG}/status/{action}"
            for action in ("open", "close", "pause", "resume", "archive", "unarchive")
        ),
        f"/organize/programs/{SLUG}/duplicate",
        "/organize/new",
        f"/organize/programs/{SLUG}/review",
        f"/organize/programs/{SLUG}/summary",
        f"/organize/programs/{SLUG}/summary?week=2026-02-30",
        f"/organize/programs/{SLUG}/summary?week=yesterday",
        EDITOR,
    ],
)
def test_a_spanish_organizer_sees_no_english(spanish_admin: FlaskClient, path: str) -> None:
    page = spanish_admin.get(path)

    assert page.status_code in (200, 400)
    assert "no-store" in page.headers["Cache-Control"]
    assert '<html lang="es"' in page.text
    assert english_left(main_text(page.text)) == []


def test_the_templates_are_named_and_described_in_spanish(spanish_admin: FlaskClient) -> None:
    text = main_text(spanish_admin.get("/organize/new").text)

    for english in ("One-on-one mentoring", "Group mentoring", "Informational conversations"):
        assert english not in text
    assert "Mentoría individual" in text
    assert "Mentoría en grupo" in text
    # The draft page is the organizer's to rewrite, and the page says it is in English.
    assert "están escritos en inglés" in text


def test_the_status_page_dates_versions_in_the_programs_zone_in_spanish(
    spanish_admin: FlaskClient, services: Services
) -> None:
    page = spanish_admin.get(f"/organize/programs/{SLUG}/status")

    text = main_text(page.text)
    assert "UTC" not in text.replace("(UTC)", "")  # no bare strftime UTC time
    assert "Guardado en la base de datos del portal: la versión 1 está en uso" in text
    assert "creado a partir de la plantilla" in text.lower()
    assert "(en uso)" in text


def test_a_refused_new_program_is_said_in_spanish_beside_its_field(
    spanish_admin: FlaskClient, services: Services
) -> None:
    form = spanish_admin.get("/organize/new")
    token = csrf_token(form.text)

    refused = spanish_admin.post(
        "/organize/new",
        data={
            "csrf_token": token,
            "template": "group",
            "title": "Another",
            "slug": SLUG,  # taken
            "organizers": "not an address",
        },
    )

    assert refused.status_code == 422
    page = parse(refused.text)
    organizers = page.by_id("organizers-error")
    assert organizers is not None
    assert "no es una dirección de correo" in organizers.text
    assert english_left(main_text(refused.text)) == []


def test_the_language_and_the_translation_are_saved_and_shown_on_the_public_page(
    spanish_admin: FlaskClient, services: Services
) -> None:
    data = {
        **form_of(spanish_admin.get(EDITOR).text),
        "basics-language": "en",
        "translations-es-summary": "Círculos de mentoría en primavera.",
        "translations-es-body": "## Bienvenida\n\nCírculos de seis personas.",
    }

    saved = spanish_admin.post(EDITOR, data={**data, "action": "save"})

    assert saved.status_code == 302
    program = services.programs.get(SLUG)
    assert program is not None
    assert program.translations["es"].body.startswith("## Bienvenida")
    public = spanish_admin.get(f"/programs/{SLUG}", headers={"Accept-Language": "es"})
    assert "Círculos de seis personas." in public.text
    english = spanish_admin.get(f"/programs/{SLUG}", headers={"Accept-Language": "en"})
    assert "Círculos de seis personas." not in english.text
    shown = spanish_admin.get(EDITOR).text
    assert "Círculos de mentoría en primavera." in shown


def test_the_program_in_spanish_is_kept_and_shown_read_only(
    spanish_admin: FlaskClient, services: Services
) -> None:
    data = {**form_of(spanish_admin.get(EDITOR).text), "basics-language": "es"}

    saved = spanish_admin.post(EDITOR, data={**data, "action": "save"})

    assert saved.status_code == 302
    program = services.programs.get(SLUG)
    assert program is not None
    assert program.language == "es"
    page = spanish_admin.get(EDITOR).text
    # Its own language has no translation section; English has.
    assert 'id="translation-es"' not in page
    assert 'id="translation-en"' in page


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"basics-language": "fr"}, "basics-language-error", "no es un idioma del portal"),
        (
            {"translations-es-body": "x" * 20_001},
            "translations-es-body-error",
            "",
        ),
        (
            {"translations-es-summary": "y" * 301},
            "translations-es-summary-error",
            "",
        ),
    ],
)
def test_a_bad_language_or_translation_is_refused_beside_its_field(
    spanish_admin: FlaskClient,
    services: Services,
    changes: dict[str, str],
    field: str,
    words: str,
) -> None:
    data = {**form_of(spanish_admin.get(EDITOR).text), **changes}

    refused = spanish_admin.post(EDITOR, data={**data, "action": "save"})

    assert refused.status_code == 422
    beside = parse(refused.text).by_id(field)
    assert beside is not None
    assert words in beside.text
    assert english_left(visible_text(beside.text)) == []
    assert services.program_admin.live_version(SLUG) == 1


def test_choosing_the_language_a_translation_is_in_is_refused_beside_the_language(
    spanish_admin: FlaskClient, services: Services
) -> None:
    first = {
        **form_of(spanish_admin.get(EDITOR).text),
        "translations-es-body": "Texto en español.",
    }
    assert spanish_admin.post(EDITOR, data={**first, "action": "save"}).status_code == 302
    data = {**form_of(spanish_admin.get(EDITOR).text), "basics-language": "es"}

    refused = spanish_admin.post(EDITOR, data={**data, "action": "save"})

    assert refused.status_code == 422
    beside = parse(refused.text).by_id("basics-language-error")
    assert beside is not None
    assert "la página ya está en español" in beside.text
    assert services.program_admin.live_version(SLUG) == 2


def test_the_language_field_says_only_what_the_program_language_is_used_for(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox, ADMIN)
    help_text = parse(client.get(EDITOR).text).by_id("basics-language-help")
    assert help_text is not None
    # The weekly summary goes to each organizer in the language they chose for the console
    # (portal.services.summaries), not in the program's.
    assert "weekly summary" not in help_text.text
    assert "invitations" in help_text.text
