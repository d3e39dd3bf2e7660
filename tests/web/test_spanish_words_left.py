"""Words built by services and the domain, and dates, reach a Spanish reader in Spanish:
WTForms' own messages, the costs page, the console's dates and the settings preview's
warnings; an English reader reads them as before."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Email

from portal import i18n
from portal.container import Services
from portal.domain.costs import Usage
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence.usage import UsageStore
from portal.presenters.words import day
from portal.services.participation import ParticipationError
from portal.web.forms import PortalForm
from tests.conftest import FakeClock
from tests.english_left import english_left, visible_text
from tests.factories import person_with_history, seed_demo_people
from tests.web.helpers import sign_in_as_organizer

SPANISH = {"Accept-Language": "es-ES,es;q=0.9"}


class Sample(PortalForm):
    """A form with WTForms' built-in messages only."""

    name = StringField("Name", validators=[DataRequired()])
    age = IntegerField("Age")
    address = StringField("Address", validators=[Email()])


def errors_of(app: Flask, headers: dict[str, str]) -> list[str]:
    data = MultiDict({"name": "", "age": "many", "address": "not an address"})
    with app.test_request_context("/", method="POST", data=data, headers=headers):
        form = Sample(meta={"csrf": False})
        assert not form.validate()
        return [message for field in form for message in field.errors]


def test_wtforms_own_messages_are_in_the_readers_language(app: Flask) -> None:
    assert errors_of(app, {}) == [
        "This field is required.",
        "Not a valid integer value.",
        "Invalid email address.",
    ]
    assert errors_of(app, SPANISH) == [
        "Este campo es obligatorio.",
        "No es un valor entero válido.",
        "Email inválido.",
    ]


def test_a_calendar_date_is_said_in_the_readers_words() -> None:
    with i18n.speaking("es"):
        assert day(date(2026, 3, 4), "Europe/Madrid", today=date(2026, 1, 1)) == "4 de marzo"
        assert day(date(2025, 3, 4), None, today=date(2026, 1, 1)) == "4 de marzo de 2025"
    assert english_left("4 de marzo") == []


# -- the console's pages -----------------------------------------------------------------

PERSON = "/organize/programs/demo/people"


def spanish(client: FlaskClient) -> None:
    """This browser chose Spanish with the footer's menu."""
    client.set_cookie(i18n.LANGUAGE_COOKIE, "es")


def test_the_person_page_says_its_dates_in_the_programs_zone_and_the_readers_words(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> None:
    history = person_with_history(services, clock)
    services.unsubscribes.suppressions.add(history.ada.email, "unsubscribe", clock())
    sign_in_as_organizer(client, mailbox)
    url = f"{PERSON}/{history.ada.participant_id}"
    matched = format_day_in("en", history.match.created_at)

    english = visible_text(client.get(url).text)
    assert f"Signed up {format_day_in('en', history.ada.created_at)}" in english
    assert matched in english
    assert "March" in matched
    assert not re.search(r"\d{4}-\d\d-\d\d(?!T)", english)

    spanish(client)
    page = client.get(url)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert format_day_in("es", history.match.created_at) in text
    assert "de marzo" in text
    assert not re.search(r"\d{4}-\d\d-\d\d(?!T)", text)
    assert "Off since" not in text

    action = visible_text(client.get(f"{url}/email-on").text)
    assert "de marzo" in action
    assert not re.search(r"\d{4}-\d\d-\d\d(?!T)", action)


def test_the_matches_page_says_its_dates_in_the_readers_words(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> None:
    history = person_with_history(services, clock)
    sign_in_as_organizer(client, mailbox)
    spanish(client)
    text = visible_text(client.get("/organize/programs/demo/matches").text)
    assert format_day_in("es", history.match.created_at) in text
    assert not re.search(r"\d{4}-\d\d-\d\d(?!T)", text)


def format_day_in(language: str, moment: datetime) -> str:
    """A day as the demo program's console says it (Europe/London), in `language`."""
    with i18n.speaking(language):
        return day(moment, "Europe/London")


def test_the_costs_page_is_in_spanish_for_a_spanish_reader(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> None:
    UsageStore().add("2026-03", "2026-03-01T10", Usage(requests=200_000, emails=30_000))
    sign_in_as_organizer(client, mailbox)
    spanish(client)
    page = client.get("/organize/programs/demo/costs")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert (
        "200.000 solicitudes \N{MULTIPLICATION SIGN} 0,0000035 US$ por solicitud = 0,7000 US$"
        in text
    )
    assert "30.000 correos \N{MULTIPLICATION SIGN} 0,0001 US$ por correo = 3,0000 US$" in text
    assert "Solicitudes a API Gateway" in text
    assert "los registros y las alarmas de CloudWatch" in text
    assert "UTC" not in text.replace("(UTC)", "")
    assert "hora" in text  # the time counted until, its zone named
    assert english_left(text) == []


def test_the_settings_preview_warns_and_refuses_in_spanish(
    services: Services, clock: FakeClock
) -> None:
    current = services.programs.get("demo")
    seed_demo_people(services, current, clock())
    to_peers = Program.model_validate(
        {**current.model_dump(), "format": "peer", "approval": "auto"}
    )
    fewer = Program.model_validate({**current.model_dump(), "questions": []})
    with i18n.speaking("es"):
        (refusal,) = services.program_changes.refusals(current, to_peers)
        preview = services.program_changes.preview(current, fewer)
    assert refusal.startswith("40 personas se inscribieron como mentee o mentor")
    assert preview.warnings
    for said in (refusal, *preview.warnings):
        assert english_left(said) == [], said
        assert "personas" in said or "persona" in said
    (english,) = services.program_changes.refusals(current, to_peers)
    assert english.startswith("40 people signed up as mentee or mentor, which a peer program")


def test_a_refused_check_in_or_change_is_said_in_the_readers_language(
    services: Services, clock: FakeClock
) -> None:
    history = person_with_history(services, clock)
    stranger = "stranger@example.org"
    with i18n.speaking("es"), pytest.raises(ParticipationError) as refused:
        services.participation.agree("demo", history.match.match_id, stranger)
    assert str(refused.value) == "Este emparejamiento no es suyo."
    with pytest.raises(ParticipationError, match="This match is not one of yours"):
        services.participation.agree("demo", history.match.match_id, stranger)


def test_the_people_list_says_why_email_is_off_in_the_readers_words(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> None:
    history = person_with_history(services, clock)
    services.unsubscribes.suppressions.add(history.ada.email, "unsubscribe", clock())
    sign_in_as_organizer(client, mailbox)
    english = visible_text(client.get(PERSON).text)
    assert "Off: They unsubscribed from program email" in english
    spanish(client)
    text = visible_text(client.get(PERSON).text)
    assert "unsubscribe" not in text
    assert english_left(text) == []
