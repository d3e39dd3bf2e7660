"""A participant's own pages in the language they chose: the page, the check-in, the
unsubscribe page, and the profile where the language is chosen for all their sign-ups."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

import polib
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import i18n
from portal.container import Services
from portal.domain.checkins import match_ref as ref
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from portal.persistence.matches import StoredMatch
from tests.conftest import FakeClock, csrf_token
from tests.factories import demo_participants, matched_pair
from tests.web.dom import parse
from tests.web.helpers import confirm_path, sign_up

BASE = "http://portal.test"
CATALOGUE = i18n.TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"


@cache
def english_words() -> frozenset[str]:
    """The catalogue's English sentences long enough not to be a Spanish word too, and
    translated into something else: none of them should be left on a Spanish page."""
    return frozenset(
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if len(entry.msgid) >= 12 and entry.msgstr != entry.msgid
    )


def english_left(html: str) -> list[str]:
    """The catalogue's English sentences still in the page's visible text."""
    text = " ".join(parse(html).text.split())
    return sorted(words for words in english_words() if words in text)


def _path(url: str) -> str:
    return url.removeprefix(BASE)


def _sign_in(client: FlaskClient, url: str) -> TestResponse:
    opened = client.get(_path(url))
    assert opened.status_code == 200
    return client.post(_path(url), data={"csrf_token": csrf_token(opened.text)})


@pytest.fixture
def spanish_pair(services: Services, clock: FakeClock) -> StoredMatch:
    """A demo pair whose mentee reads the portal in Spanish."""
    match = matched_pair(services, clock)
    assert services.participation.set_language(match.mentee, "es") == 1
    return match


def test_the_helper_finds_english_on_an_english_page(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    # The check below would pass on any page if it could not see English at all.
    opened = client.get(_path(services.checkins.page_url("demo", spanish_pair.mentor)))
    assert "We ask you to press a button" in opened.text
    assert english_left(opened.text)


def test_the_participants_page_is_in_their_language(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    link = services.checkins.page_url("demo", spanish_pair.mentee)
    opened = client.get(_path(link))
    assert '<html lang="es">' in opened.text
    assert "Abrir mi página" in opened.text
    assert english_left(opened.text) == []
    signed = client.post(_path(link), data={"csrf_token": csrf_token(opened.text)})
    page = client.get(signed.headers["Location"])
    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    text = parse(page.text).text
    for spanish in ("Su pareja", "Objetivos", "Registrar un seguimiento", "Descargar mis datos"):
        assert spanish in text
    assert "participa como mentee" in text
    assert english_left(page.text) == []


def test_the_check_in_pages_are_in_their_language(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    link = services.checkins.checkin_url("demo", spanish_pair.match_id, spanish_pair.mentee)
    opened = client.get(_path(link))
    assert "Abrir el formulario de seguimiento" in opened.text
    assert english_left(opened.text) == []
    signed = client.post(_path(link), data={"csrf_token": csrf_token(opened.text)})
    form = client.get(signed.headers["Location"])
    assert form.status_code == 200
    assert "¿Se reunieron desde su último seguimiento?" in form.text
    assert "Guardar el seguimiento" in form.text
    assert english_left(form.text) == []
    # A refused answer comes back with its message in Spanish too.
    refused = client.post(
        signed.headers["Location"], data={"csrf_token": csrf_token(form.text), "met": "yes"}
    )
    assert refused.status_code == 422
    assert "Indique la fecha en que se reunieron, por favor." in refused.text
    assert "Please give the date you met." not in refused.text


def test_the_unsubscribe_pages_are_in_their_language(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    link = services.unsubscribes.url(spanish_pair.mentee)
    asked = client.get(_path(link))
    assert asked.status_code == 200
    assert "Dejar de recibir estos correos" in asked.text
    assert english_left(asked.text) == []
    done = client.post(_path(link))
    assert "Correos detenidos" in done.text
    assert english_left(done.text) == []


def test_the_unsubscribe_page_of_someone_else_stays_in_english(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    page = client.get(_path(services.unsubscribes.url(spanish_pair.mentor))).text
    assert "Stop these emails" in page
    assert '<html lang="en">' in page


def _profile_answers(client: FlaskClient, services: Services, email: str) -> dict[str, object]:
    """The profile form's answers as they stand, with its token."""
    form = client.get("/me/programs/demo/profile")
    assert form.status_code == 200
    before = services.participants.get("demo", email)
    assert before is not None
    return {
        "name": before.name,
        "languages": list(before.languages),
        "timezone": before.timezone,
        "availability": list(before.availability),
        "goals": list(before.goals),
        "seniority": before.seniority or "early",
        "department": before.department,
        "bio": before.bio,
        **{f"q_{k}": v for k, v in before.answers.items()},
        "csrf_token": csrf_token(form.text),
    }


def test_the_language_chosen_on_the_profile_is_kept_for_all_the_persons_sign_ups(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    # The mentee signed up to a second program too, with the same address.
    other = services.programs.get("peer-circles")
    assert other is not None
    peer = next(p for p in demo_participants(other, clock()) if p.role is Role.PEER)
    services.participants.save(
        replace(peer, email=match.mentee, status=Status.CONFIRMED, active_matches=0)
    )
    signed = _sign_in(client, services.checkins.page_url("demo", match.mentee))
    assert signed.status_code == 302
    profile = client.get("/me/programs/demo/profile").text
    field = parse(profile).find(id="language")
    assert field is not None
    options = {o.get("value"): o.text for o in field.find_all("option")}
    assert options == {"en": "English", "es": "Español"}
    assert "It is yours in every program you signed up to." in profile

    saved = client.post(
        "/me/programs/demo/profile",
        data={**_profile_answers(client, services, match.mentee), "language": "es"},
    )
    assert saved.status_code == 302
    for program in ("demo", "peer-circles"):
        stored = services.participants.get(program, match.mentee)
        assert stored is not None
        assert stored.language == "es"
    page = client.get(saved.headers["Location"]).text
    assert '<html lang="es">' in page
    assert "Su perfil está actualizado." in page
    # The next link from an email opens in Spanish too, in the other program as well.
    opened = client.get(_path(services.checkins.page_url("peer-circles", match.mentee)))
    assert '<html lang="es">' in opened.text
    assert "Abrir mi página" in opened.text


def test_a_language_not_offered_is_refused_and_nothing_is_changed(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    _sign_in(client, services.checkins.page_url("demo", match.mentee))
    answers = _profile_answers(client, services, match.mentee)
    refused = client.post(
        "/me/programs/demo/profile", data={**answers, "bio": "Changed.", "language": "fr"}
    )
    assert refused.status_code == 422
    assert "Choose a language from the list." in parse(refused.text).text
    stored = services.participants.get("demo", match.mentee)
    assert stored is not None
    assert (stored.language, stored.bio) == ("en", answers["bio"])


def test_english_readers_see_the_page_as_before(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    signed = _sign_in(client, services.checkins.page_url("demo", match.mentee))
    page = client.get(signed.headers["Location"]).text
    assert '<html lang="en">' in page
    text = parse(page).text
    assert "you take part as a mentee" in text
    assert "Log a check-in" in text
    assert "Download my data" in text
    checkin = client.get(f"/me/programs/demo/matches/{ref(match.match_id)}/checkin").text
    assert "Did you meet since your last check-in?" in checkin


def test_the_rating_pages_are_in_the_raters_language(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    urls = dict(services.checkins.rating_urls("demo", spanish_pair.match_id, spanish_pair.mentee))
    asked = client.get(_path(urls[4]))
    assert asked.status_code == 200
    assert "Registrar 4 de 5: Bien" in asked.text
    assert english_left(asked.text) == []
    recorded = client.post(_path(urls[4]), data={"csrf_token": csrf_token(asked.text)})
    assert recorded.status_code == 200
    assert "Valoró su mentoría con 4 de 5: Bien." in recorded.text
    assert english_left(recorded.text) == []


def test_a_participants_sign_in_email_is_written_in_their_language(
    client: FlaskClient,
    services: Services,
    spanish_pair: StoredMatch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    composed: list[str | None] = []
    compose = services.mail.compose

    def spy(*args: Any, **kwargs: Any) -> Any:
        composed.append(kwargs.get("language"))
        return compose(*args, **kwargs)

    monkeypatch.setattr(services.mail, "compose", spy)
    form = client.get("/sign-in")
    client.post(
        "/sign-in", data={"email": spanish_pair.mentee, "csrf_token": csrf_token(form.text)}
    )
    client.post(
        "/sign-in", data={"email": spanish_pair.mentor, "csrf_token": csrf_token(form.text)}
    )
    assert composed == ["es", "en"]


def test_a_refusal_on_the_persons_page_is_in_their_language(
    client: FlaskClient, services: Services, spanish_pair: StoredMatch
) -> None:
    signed = _sign_in(client, services.checkins.page_url("demo", spanish_pair.mentee))
    page = client.get(signed.headers["Location"])
    # They left in another tab; this one still offers to pause.
    services.participation.set_status("demo", spanish_pair.mentee, Status.LEFT)
    refused = client.post("/me/programs/demo/pause", data={"csrf_token": csrf_token(page.text)})
    shown = client.get(refused.headers["Location"]).text
    assert "No se pudo cambiar su inscripción: no está confirmada." in shown
    assert "could not be changed" not in shown


def test_a_sign_up_confirmed_in_another_language_changes_it_on_every_sign_up(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    # Ada reads English in the peer programme; she signs up to the demo choosing Spanish.
    other = services.programs.get("peer-circles")
    assert other is not None
    peer = next(p for p in demo_participants(other, clock()) if p.role is Role.PEER)
    services.participants.save(
        replace(peer, email="ada@example.org", status=Status.CONFIRMED, language="en")
    )
    assert sign_up(client, language="es").status_code == 200
    path = confirm_path(mailbox)
    confirmed = client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    assert confirmed.status_code == 200
    # One person reads one language: her latest choice, everywhere.
    for program in ("demo", "peer-circles"):
        stored = services.participants.get(program, "ada@example.org")
        assert stored is not None
        assert stored.status is Status.CONFIRMED
        assert stored.language == "es"
