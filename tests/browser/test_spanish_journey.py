"""The issue's check, in a browser asking for Spanish: a person signs up, confirms, is matched
and books a first meeting with an English-speaking mentor in another time zone; every page
they see and every email they get is in Spanish, and both calendar invites start at the time
each email shows on its reader's clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

import icalendar
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from portal import i18n
from portal.container import Services
from portal.domain.participants import Participant, Role, Status
from portal.mail.senders import MemorySender
from tests.browser.conftest import assert_fits_width, emailed_confirm_link
from tests.conftest import FakeClock, links, plain
from tests.english_left import english_left, visible_text
from tests.factories import ROUND, stored_person

pytestmark = pytest.mark.browser

ADA = "ada@example.org"
SAM = "sam@example.org"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
DAYS_AFTER = 16  # past the meeting's day-after follow-up and the 14-day check-in reminder


class Journey:
    """What the Spanish reader saw: the pages checked and the emails checked, by name."""

    def __init__(self, mailbox: MemorySender) -> None:
        self.mailbox = mailbox
        self.pages: list[str] = []
        self.emails: list[str] = []
        self.read = 0  # how many of mailbox.sent were looked at

    def page(self, page: Page) -> None:
        """No sentence of the English catalogue is left in what the page shows."""
        page.wait_for_load_state("load")
        shown = visible_text(page.content())
        left = english_left(shown)
        assert left == [], f"English left on {page.url}: {left}"
        assert page.locator("html").get_attribute("lang") == "es", page.url
        self.pages.append(page.url)

    def new_emails(self, to: str) -> list[EmailMessage]:
        """The emails sent to `to` since the last look, each checked to be all Spanish."""
        fresh = self.mailbox.sent[self.read :]
        self.read = len(self.mailbox.sent)
        mine = [message for recipient, message in fresh if recipient == to]
        for message in mine:
            subject = str(message["Subject"])
            assert english_left(subject) == [], subject
            assert english_left(plain(message)) == [], f"English left in {subject!r}"
            self.emails.append(subject)
        return mine


def _with_subject(messages: list[EmailMessage], start: str) -> EmailMessage:
    found = [m for m in messages if str(m["Subject"]).startswith(start)]
    assert len(found) == 1, [str(m["Subject"]) for m in messages]
    return found[0]


def _invite(message: EmailMessage) -> icalendar.Calendar:
    """The calendar of an invite email: its text/calendar part or its .ics attachment."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar" or (part.get_filename() or "").endswith(
            ".ics"
        ):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return icalendar.Calendar.from_ical(payload)
    raise AssertionError(f"no calendar in {message['Subject']!r}")


def _start(calendar: icalendar.Calendar) -> datetime:
    (event,) = [c for c in calendar.walk() if c.name == "VEVENT"]
    start = event.decoded("DTSTART")
    assert isinstance(start, datetime), start
    assert start.tzinfo is not None, start
    return start.astimezone(UTC)


def _sam(now: datetime) -> Participant:
    """An English-speaking mentor in New York, free weekday mornings and afternoons there."""
    return replace(
        stored_person("Sam", Role.MENTOR, now),
        timezone="America/New_York",
        languages=("English", "French"),
        skills=("python", "leadership"),
        availability=tuple(f"{d}-{b}" for d in WEEKDAYS for b in ("morning", "afternoon")),
        answers={"industry": "Tech"},
    )


def _sign_up(page: Page, journey: Journey) -> None:
    """From the home page to the sent form, finding everything by its Spanish words."""
    page.goto("/")
    journey.page(page)
    assert_fits_width(page)
    page.get_by_role("link", name="Demo: Tech Careers mentoring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo: Tech Careers mentoring")
    journey.page(page)
    page.get_by_role("link", name="Participar como mentee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participar como mentee")
    journey.page(page)
    assert_fits_width(page)

    page.get_by_label("Su nombre", exact=True).fill("Ada Lovelace")
    page.get_by_label("Dirección de correo electrónico", exact=True).fill(ADA)
    page.get_by_label("Etapa profesional").select_option(label="Inicio de carrera (0-2 años)")
    page.get_by_label("Departamento o equipo").fill("Analítica")
    page.get_by_label("Su zona horaria").select_option("Europe/Madrid")
    languages = page.get_by_role("group", name="Idiomas en los que puede reunirse")
    languages.get_by_label("English", exact=True).check()
    languages.get_by_label("Spanish", exact=True).check()
    availability = page.get_by_role("group", name="¿Cuándo suele poder reunirse?")
    for day in ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes"):
        availability.get_by_role("checkbox", name=f"{day} por la tarde").check()
    goals = page.get_by_role("group", name="En qué le gustaría trabajar")
    goals.get_by_label("python", exact=True).check()
    goals.get_by_label("leadership", exact=True).check()
    # The program's own question is the organizers' words (data, not translated).
    page.get_by_role("group", name="Which industry do you work in").get_by_label(
        "Tech", exact=True
    ).check()
    page.get_by_role("checkbox", name="He leído el aviso de privacidad", exact=False).check()
    page.get_by_role("button", name="Inscribirse").click()


def test_a_spanish_reader_signs_up_is_matched_and_books_a_meeting(
    new_context: Callable[..., BrowserContext],
    services: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    server_url: str,
) -> None:
    journey = Journey(mailbox)
    ada_page = new_context(
        locale="es-ES", timezone_id="Europe/Madrid", reduced_motion="reduce"
    ).new_page()

    _sign_up(ada_page, journey)
    expect(ada_page.get_by_role("heading", level=1)).to_have_text("Revise su correo electrónico")
    journey.page(ada_page)
    stored = services.participants.get("demo", ADA)
    assert stored is not None
    assert (stored.language, stored.timezone) == ("es", "Europe/Madrid")

    confirm_link = emailed_confirm_link(mailbox, server_url)
    (confirmation,) = journey.new_emails(ADA)
    assert str(confirmation["Subject"]).startswith("Confirme su inscripción")
    ada_page.goto(confirm_link)
    journey.page(ada_page)
    ada_page.get_by_role("button", name="Confirmar mi inscripción").click()
    expect(ada_page.get_by_role("heading", level=1)).to_have_text("Ya está inscrito")
    journey.page(ada_page)
    confirmed = services.participants.get("demo", ADA)
    assert confirmed is not None
    assert confirmed.status is Status.CONFIRMED

    # A round, run as the schedule would, pairs Ada with Sam.
    services.participants.save(_sam(clock()))
    program = services.programs.get("demo")
    assert program is not None
    assert services.rounds.run(program, ROUND, trigger="cli").status == "done"
    services.mail.drain(per_second=1000)
    introduction = _with_subject(journey.new_emails(ADA), "Le presentamos a Sam")

    # Her page, from the introduction's link (no password: a button signs her in).
    page_link = links(introduction, "/me/")[0]
    ada_page.goto(page_link)
    journey.page(ada_page)
    ada_page.get_by_role("button", name="Abrir mi página").click()
    journey.page(ada_page)
    ada_page.get_by_role("link", name="Buscar una hora y reservarla").click()
    expect(ada_page.get_by_role("heading", level=1)).to_have_text("Su primera reunión con Sam")
    journey.page(ada_page)
    assert_fits_width(ada_page)
    proposed = ada_page.locator("input[name=start]").first.get_attribute("value")
    assert proposed is not None
    start = datetime.fromisoformat(proposed).astimezone(UTC)
    ada_page.get_by_role("button", name="Proponer esta hora a Sam").first.click()
    expect(ada_page.get_by_role("status")).to_contain_text("Su propuesta se ha enviado")
    journey.page(ada_page)

    services.mail.drain(per_second=1000)
    assert journey.new_emails(ADA) == []  # she proposed: the email is her partner's
    _with_subject([m for to, m in mailbox.sent if to == SAM], "Ada proposes a time")

    # Sam reads English on his own clock in New York, and accepts with one button.
    sam_page = new_context(locale="en-US", timezone_id="America/New_York").new_page()
    sam_page.goto(services.checkins.page_url("demo", SAM))
    sam_page.get_by_role("button", name="Open my page").click()
    sam_page.get_by_role("link", name="Find a time and book it").click()
    expect(sam_page.get_by_role("heading", level=1)).to_have_text("Your first meeting with Ada")
    sam_page.get_by_role("button", name="Accept this time").click()
    expect(sam_page.get_by_role("heading", name="Your meeting is booked")).to_be_visible()

    ada_page.reload()
    expect(ada_page.get_by_role("heading", name="Su reunión está reservada")).to_be_visible()
    [booked] = services.rounds.matches.active("demo")
    assert services.meetings.view("demo", booked.match_id, booked.mentee_id).start == start
    journey.page(ada_page)
    assert_fits_width(ada_page)

    # Both get an invite that starts at the booked instant, the very time their email shows
    # on their own clock and in their own words.
    services.mail.drain(per_second=1000)
    sam_invite = _with_subject([m for to, m in mailbox.sent if to == SAM], "Booked:")
    ada_invite = _with_subject(journey.new_emails(ADA), "Reservada: su primera reunión con Sam")
    for message, zone, language in (
        (ada_invite, "Europe/Madrid", "es"),
        (sam_invite, "America/New_York", "en"),
    ):
        calendar = _invite(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert _start(calendar) == start
        with i18n.speaking(language):
            shown = i18n.format_moment(
                start, zone, today=clock().astimezone(i18n.zone(zone)).date()
            )
        assert shown in " ".join(plain(message).split()), (zone, shown)

    # The check itself finds English: Sam's email is English, and it is caught.
    assert english_left(plain(sam_invite))

    # What follows the booking reaches her in Spanish too: the day-after follow-up and the
    # check-in reminder, as the daily reminder run sends them.
    later: list[EmailMessage] = []
    for _ in range(DAYS_AFTER):
        clock.advance(days=1)
        services.reminders.remind(clock())
        services.mail.drain(per_second=1000)
        later += journey.new_emails(ADA)
    follow_up = _with_subject(later, "¿Qué tal fue su reunión con Sam?")
    _with_subject(later, "¿Qué tal va con Sam?")

    # The follow-up's link opens the check-in form: its error and its thanks are Spanish.
    (checkin_link,) = [url for url in links(follow_up, "/") if url.startswith(server_url)][:1]
    ada_page.goto(checkin_link)
    journey.page(ada_page)
    ada_page.get_by_role("button", name="Abrir el formulario de seguimiento").click()
    expect(ada_page.get_by_role("heading", level=1)).to_have_text("Registrar un seguimiento")
    journey.page(ada_page)
    ada_page.get_by_role("button", name="Guardar el seguimiento").click()
    expect(ada_page.get_by_role("alert")).to_contain_text("Indique si se reunieron")
    journey.page(ada_page)
    ada_page.get_by_label("Sí, nos reunimos").check()
    ada_page.get_by_label("¿Durante cuántos minutos?").fill("50")
    ada_page.get_by_label("4: Bien").check()
    ada_page.get_by_label("Sí, trabajamos bien en equipo").check()
    ada_page.get_by_role("button", name="Guardar el seguimiento").click()
    expect(ada_page.get_by_role("status")).to_have_text("Gracias: su seguimiento está guardado.")
    journey.page(ada_page)

    # Every page the header and footer lead to (the content pages have Spanish versions),
    # but not the other languages' links, which would switch her to English.
    site = ada_page.locator("header a[href^='/'], footer a[href^='/']:not([hreflang])")
    paths = list(dict.fromkeys(a.get_attribute("href") or "" for a in site.all()))
    assert len(paths) >= 4, paths
    for path in paths:
        ada_page.goto(path)
        journey.page(ada_page)

    # Five emails (confirmation, introduction, invite, follow-up, reminder) and every page.
    assert len(journey.emails) == 5, journey.emails
    assert len(journey.pages) >= 12 + len(paths), journey.pages
