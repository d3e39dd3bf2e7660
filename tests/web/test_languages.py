"""The portal in the reader's language: chosen from the browser, the footer's menu, or the
person's own, and the same catalogue for pages and emails."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask.testing import FlaskClient

from portal import i18n
from portal.mail.render import render
from portal.presenters.words import day


def test_a_browser_asking_for_spanish_gets_spanish(client: FlaskClient) -> None:
    page = client.get("/programs/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Saltar al contenido" in html
    assert "Skip to content" not in html


def test_a_page_in_the_browsers_language_tells_caches_what_it_varies_with(
    client: FlaskClient,
) -> None:
    # The same address is English for one browser and Spanish for another (Accept-Language),
    # or for the one that chose with the footer's menu (the `lang` cookie): a shared cache
    # that ignored them would hand one reader's language to the next.
    for path in ("/programs/", "/", "/programs/demo"):
        page = client.get(path, headers={"Accept-Language": "es"})
        assert page.status_code == 200, path
        varies = {v.strip().lower() for v in page.headers.get("Vary", "").split(",")}
        assert {"accept-language", "cookie"} <= varies, (path, page.headers.get("Vary"))
    # A stylesheet is the same in every language: it stays cacheable as one copy.
    sheet = client.get("/static/portal.css")
    assert "accept-language" not in sheet.headers.get("Vary", "").lower()
    sheet.close()


def test_a_browser_asking_for_a_language_not_offered_gets_english(client: FlaskClient) -> None:
    html = client.get("/programs/", headers={"Accept-Language": "fr-FR,de;q=0.8"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in html
    assert "Skip to content" in html


def test_the_footer_menu_chooses_for_this_browser_and_comes_back(client: FlaskClient) -> None:
    html = client.get("/programs/").get_data(as_text=True)
    assert 'href="/language/es?next=/programs/"' in html
    response = client.get("/language/es?next=/programs/")
    assert response.status_code == 303
    assert response.headers["Location"] == "/programs/"
    assert "lang=es" in response.headers["Set-Cookie"]
    # The choice wins over what the browser asks for.
    html = client.get("/programs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    assert '<span aria-current="true">Español</span>' in html


def test_the_menu_never_sends_anyone_to_another_site(client: FlaskClient) -> None:
    for away in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/language/es", query_string={"next": away})
        assert response.headers["Location"] == "/"


def test_a_control_character_cannot_turn_next_into_another_site(client: FlaskClient) -> None:
    # Browsers drop tabs and newlines from a URL, and werkzeug drops a tab from the Location:
    # "/<tab>/evil.example" would leave as "//evil.example", another site.
    for away in ("/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "/\x00/x"):
        response = client.get("/language/es", query_string={"next": away})
        assert response.status_code == 303
        assert response.headers["Location"] == "/"


def test_a_language_not_offered_is_not_found(client: FlaskClient) -> None:
    assert client.get("/language/fr").status_code == 404
    assert "lang=" not in client.get("/language/fr").headers.get("Set-Cookie", "")


def test_the_menu_does_not_copy_a_magic_link_token(client: FlaskClient) -> None:
    html = client.get("/confirm/abc.def-secret").get_data(as_text=True)
    assert "abc.def-secret" not in html.split("<footer")[-1]


def test_dates_are_written_in_the_readers_language_and_zone() -> None:
    moment = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    with i18n.speaking("es"):
        assert day(moment, "Europe/Madrid", weekday=True) == "martes, 8 de diciembre"
        assert i18n.format_time(moment, "America/New_York") == "18:30"
    assert day(moment, "Europe/Madrid", weekday=True) == "Tuesday 8 December"
    assert day(moment, "America/Los_Angeles", today=date(2025, 1, 1)) == ("7 December 2026")


def test_an_email_is_rendered_in_the_language_asked_for() -> None:
    english = render("confirm_signup", CONFIRM, console_url="https://p.example/organize/")
    spanish = render(
        "confirm_signup", CONFIRM, console_url="https://p.example/organize/", language="es"
    )
    assert english.subject == "Confirm your sign-up for Women in Tech"
    assert spanish.subject == "Confirme su inscripción en Women in Tech"
    assert "como mentor, con el nombre «Ada»" in spanish.text
    assert '<html lang="es">' in spanish.html
    assert "Confirmar mi inscripción" in spanish.html
    # The parts every email shares are in the same language.
    assert "Abra la consola" in spanish.text
    assert "Open the console" not in spanish.text
    # A language not offered falls back to English rather than failing.
    assert (
        render("confirm_signup", CONFIRM, console_url="https://p.example/organize/", language="fr")
        == english
    )


CONFIRM = {
    "name": "Ada",
    "program": {"title": "Women in Tech", "organizers": ["org@example.org"]},
    "confirm_url": "https://portal.example/confirm/t",
    "role": "mentor",
    "expires_hours": 48,
}


def test_a_content_page_is_shown_in_its_spanish_translation(client: FlaskClient) -> None:
    html = client.get("/faq", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<h1>Preguntas frecuentes</h1>" in html
    assert "¿Necesito una contraseña?" in html
    # The navigation names the pages in Spanish too.
    assert ">Preguntas</a>" in html
    assert ">Aviso de privacidad</a>" in html
    english = client.get("/faq").get_data(as_text=True)
    assert "<h1>Frequently asked questions</h1>" in english


def test_the_check_for_english_left_finds_it() -> None:
    # The shared check the Spanish pages' tests use would catch an untranslated sentence.
    from tests.english_left import english_left, visible_text

    english = render("confirm_signup", CONFIRM)
    spanish = render("confirm_signup", CONFIRM, language="es")
    assert "Thank you for signing up for" in english_left(english.text)
    assert english_left(spanish.text) == []
    assert english_left(visible_text(spanish.html)) == []


def test_a_programs_page_is_in_the_readers_language_where_it_is_written(
    client: FlaskClient,
) -> None:
    spanish = {"Accept-Language": "es"}
    demo = client.get("/programs/demo", headers=spanish).get_data(as_text=True)
    assert "Este es el programa de ejemplo" in demo
    assert '<div lang="es">' in demo
    assert "no han escrito la página de este programa" not in demo
    assert '<span lang="en">English</span>, <span lang="es">Español</span>' in demo
    # A program whose page is only in English says so, and shows it marked as English.
    group = client.get("/programs/leaders-group", headers=spanish).get_data(as_text=True)
    assert (
        "Las personas organizadoras no han escrito la página de este programa en su idioma: "
        "se muestra en inglés." in group
    )
    assert '<div lang="en">' in group
    # The list gives each program's summary in the reader's language where there is one.
    listed = client.get("/programs/", headers=spanish).get_data(as_text=True)
    assert "Un programa individual de 12 semanas" in listed


def test_the_agreement_is_in_the_readers_language_where_it_is_translated(
    client: FlaskClient,
) -> None:
    spanish = client.get("/programs/demo/agreement", headers={"Accept-Language": "es"})
    assert "Nuestro acuerdo de mentoría" in spanish.text
    assert "Reunirnos con regularidad." in spanish.text
    english = client.get("/programs/demo/agreement")
    assert "Our mentoring agreement" in english.text
    assert "Meet regularly." in english.text
