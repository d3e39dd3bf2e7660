"""Programs, sign-up and error pages in Spanish, and a person's language chosen on the sign-up
form: stored, used for the confirmation email and for the confirmation page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.container import Services
from portal.mail.senders import MemorySender
from tests.conftest import csrf_token, html, plain
from tests.english_left import english_left as english_in
from tests.web.dom import Document, parse
from tests.web.helpers import PROGRAMS, assert_error_beside, confirm_path, sign_up

SPANISH = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}


def english_left(page: Document) -> list[str]:
    """The catalogue's English words still in a Spanish page's title and main part.

    The header and footer (base.html) are checked by tests/web/test_languages.py.
    """
    main = page.by_id("main")
    assert main is not None
    text = f"{page.title} {main.text}"
    # The programs' titles are their organizers' words, shown as written ("Group mentoring:
    # New managers" is not the template name the catalogue translates).
    for title in PROGRAMS.values():
        text = text.replace(title, " ")
    return english_in(text)


def spanish_page(client: FlaskClient, path: str, status: int = 200) -> Document:
    response = client.get(path, headers=SPANISH)
    assert response.status_code == status
    assert '<html lang="es">' in response.text
    return parse(response.text)


def test_the_english_words_looked_for_are_there() -> None:
    # The check below must be able to fail: it knows the English of these pages.
    assert english_in(
        "Choose a program to read about it and sign up as a mentor, a mentee or a peer."
    )
    assert english_in("We could not find that page.")


def test_the_programs_pages_are_in_spanish(client: FlaskClient) -> None:
    index = spanish_page(client, "/programs/")
    assert index.h1 == "Programas"
    assert "Participar como mentee" in index.text
    assert "semanas" in index.text
    assert english_left(index) == []
    detail = spanish_page(client, "/programs/demo")
    assert "Rondas de emparejamiento" in detail.text
    assert "Zona horaria" in detail.text
    assert "Personas organizadoras" in detail.text
    assert english_left(detail) == []


@pytest.mark.parametrize("role", ["mentee", "mentor"])
def test_the_sign_up_form_is_in_spanish(client: FlaskClient, role: str) -> None:
    form = spanish_page(client, f"/programs/demo/join/{role}")
    assert form.h1 == f"Participar como {role}"
    assert "Sobre usted" in form.text
    assert "Idioma del portal y de sus correos" in form.text
    assert "Lunes" in form.text
    assert "Mañana" in form.text
    assert "He leído el aviso de privacidad" in form.text
    assert english_left(form) == []
    # The language the page is in is chosen to start with; each is named in itself.
    assert form.selected("language") == ["es"]
    assert form.options("language") == ["en", "es"]
    assert "Español" in form.one("select", name="language").text


def test_a_spanish_form_sent_with_mistakes_answers_in_spanish(client: FlaskClient) -> None:
    form = client.get("/programs/demo/join/mentee", headers=SPANISH).text
    response = client.post(
        "/programs/demo/join/mentee", data={"csrf_token": csrf_token(form)}, headers=SPANISH
    )
    assert response.status_code == 422
    shown = parse(response.text)
    assert shown.title.startswith("Error: ")
    assert "Díganos su nombre." in shown.text
    assert "Elija al menos un idioma." in shown.text
    assert english_left(shown) == []


def test_an_english_browser_gets_the_english_form_with_english_chosen(
    client: FlaskClient,
) -> None:
    form = parse(client.get("/programs/demo/join/mentee").text)
    assert form.h1 == "Join as a mentee"
    assert "Language for the portal and its emails" in form.text
    assert form.selected("language") == ["en"]


def test_signing_up_in_spanish_stores_it_and_the_email_and_confirm_page_are_spanish(
    client: FlaskClient, app: Flask, services: Services, mailbox: MemorySender
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = SPANISH["Accept-Language"]
    response = sign_up(client)  # the form's language: the one it started on, Spanish
    assert response.status_code == 200
    done = parse(response.text)
    assert done.h1 == "Revise su correo electrónico"
    assert english_left(done) == []
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.language == "es"
    ((_, message),) = mailbox.sent
    assert message["Subject"].startswith("Confirme su inscripción")
    assert "Confirmar mi inscripción" in html(message)
    assert "Confirm my sign-up" not in plain(message)
    # Opened elsewhere (another browser, English), the link's page is in their language.
    elsewhere = app.test_client()
    confirm = elsewhere.get(confirm_path(mailbox))
    assert '<html lang="es">' in confirm.text
    page = parse(confirm.text)
    assert page.h1 == "Confirme su inscripción"
    assert english_left(page) == []
    answers = {
        item.one("dt").text.strip(): item.one("dd").text.strip()
        for item in page.one("dl", class_="facts").find_all("div")
    }
    assert answers["Idioma del portal y de sus correos"] == "Español"
    assert answers["Cuándo suele poder reunirse"] == "Lunes por la noche, Jueves por la mañana"
    confirmed = elsewhere.post(confirm_path(mailbox), data={"csrf_token": csrf_token(confirm.text)})
    assert confirmed.status_code == 200
    assert parse(confirmed.text).h1 == "Ya está inscrito"
    assert english_left(parse(confirmed.text)) == []


def test_the_language_chosen_on_the_form_wins_over_the_browsers(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    assert sign_up(client, language="es").status_code == 200
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.language == "es"
    ((_, message),) = mailbox.sent
    assert message["Subject"].startswith("Confirme su inscripción")


def test_an_english_sign_up_stays_english(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    assert sign_up(client).status_code == 200
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert stored.language == "en"
    ((_, message),) = mailbox.sent
    assert message["Subject"].startswith("Confirm your sign-up")


@pytest.mark.parametrize("value", ["fr", "es-MX", "<b>"])
def test_a_language_the_portal_does_not_speak_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender, value: str
) -> None:
    response = sign_up(client, language=value)
    assert_error_beside(
        response, "language", "Please choose one of the languages listed: English, Español."
    )
    assert services.participants.get("demo", "ada@example.org") is None
    assert mailbox.sent == []


def test_an_empty_language_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = sign_up(client, language="")
    assert_error_beside(response, "language", "Please choose a language for the portal")
    assert services.participants.get("demo", "ada@example.org") is None


def test_the_not_found_page_is_in_spanish(client: FlaskClient) -> None:
    page = spanish_page(client, "/no-such-page-here", status=404)
    assert page.h1 == "No hemos encontrado esa página"
    assert "Ir a la página de inicio" in page.text
    assert english_left(page) == []


@pytest.mark.parametrize("slug", ["about-mentoring", "formats", "roles", "faq", "privacy"])
def test_the_content_pages_are_in_spanish(client: FlaskClient, slug: str) -> None:
    # The privacy notice includes the list of what is stored (portal.domain.personal_data),
    # which is the portal's words, not the page's.
    page = spanish_page(client, f"/{slug}")
    assert english_left(page) == []
