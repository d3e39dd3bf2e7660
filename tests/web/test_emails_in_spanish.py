"""Every email to a participant or an invitee is in their language: Spanish, through the
services that send it, with no English sentence of the catalogue left and their dates in
Spanish."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from functools import cache
from pathlib import Path

import polib

from portal import i18n
from portal.catalog.programs import ProgramCatalog
from portal.container import Services
from portal.domain.participants import Role, Status
from portal.domain.roster_plan import RosterEntry
from portal.i18n import TRANSLATIONS
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers
from portal.services.digests import Alert
from tests.conftest import CONTENT, FakeClock, html, plain
from tests.factories import ROUND, seed_demo_people, store_pair, stored_person
from tests.unit.services.test_groups import group_program, run_round, seed
from tests.web.conftest import Site

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; the match starts here
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|<[^>]+>|&[a-z]+;")


@cache
def english_sentences() -> frozenset[str]:
    """The English words of every translated entry, each run between placeholders and
    markup of 12 characters or more (shorter ones could be Spanish words too)."""
    catalogue = polib.pofile(str(TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"))
    found = set()
    for entry in catalogue:
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        for msgid in (entry.msgid, entry.msgid_plural):
            if not msgid or translated == msgid:
                continue
            for run in PLACEHOLDER.split(msgid):
                run = " ".join(run.split())
                if len(run) >= 12 and run not in translated:
                    found.add(run)
    return frozenset(found)


@cache
def program_titles() -> tuple[str, ...]:
    """The shipped programs' titles: the organizers' own words ("Group mentoring: New
    managers"), which may hold a catalogue phrase without being the portal's English."""
    return tuple(p.title for p in ProgramCatalog.read_folder(CONTENT / "programs"))


def english_left(message: EmailMessage) -> list[str]:
    """The catalogue's English sentences still in the email's text part (unwrapped)."""
    text = " ".join(plain(message).split()) + " " + str(message["Subject"])
    for title in program_titles():
        text = text.replace(title, " ")
    return sorted(run for run in english_sentences() if run in text)


def assert_spanish(message: EmailMessage, subject_start: str, *phrases: str) -> None:
    assert str(message["Subject"]).startswith(subject_start), message["Subject"]
    assert english_left(message) == []
    text = " ".join(plain(message).split())
    for phrase in phrases:
        assert phrase in text, phrase
    assert '<html lang="es">' in html(message)


def send(services: Services) -> None:
    services.mail.drain(per_second=1000)


def test_the_check_catches_an_english_email() -> None:
    # The detector itself: an English sentence of the catalogue is found.
    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content(
        "Hello,\n\nThe organizers start each round themselves, so the next one\nhas no date yet."
    )
    assert english_left(message) == [
        "The organizers start each round themselves, so the next one has no date yet."
    ]


def test_a_round_introduces_and_tells_the_waiting_in_their_language(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    people = seed_demo_people(services, program, clock(), mentors=2, mentees=4)
    spanish = {p.email for p in people[:-1]}  # the last mentee stays English
    for p in people:
        if p.email in spanish:
            services.participants.save(replace(p, language="es"))
    assert services.rounds.run(program, ROUND, trigger="cli").status == "done"
    send(services)

    to_people = [(to, m) for to, m in mailbox.sent if to != "organizer@example.org"]
    intros = [(to, m) for to, m in to_people if "presentamos" in str(m["Subject"])]
    waiting = [(to, m) for to, m in to_people if str(m["Subject"]).startswith("Aún no")]
    assert intros
    assert waiting
    for to, message in intros:
        assert to in spanish
        assert_spanish(
            message, "Le presentamos a ", "Sus primeros pasos", "Por qué les emparejamos"
        )
    for to, message in waiting:
        assert to in spanish
        assert_spanish(message, "Aún no tiene pareja en Demo", "Qué pasa ahora")
    # The English speaker's emails stay English.
    english = [m for to, m in to_people if to not in spanish]
    assert english
    assert all(str(m["Subject"]).startswith(("Meet ", "No match for you yet")) for m in english)


def test_the_check_in_ladder_speaks_spanish_with_spanish_dates(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    mentor = replace(stored_person("Marta", Role.MENTOR, START), language="es")
    mentee = replace(
        stored_person("Tomas", Role.MENTEE, START), language="es", timezone="America/Mexico_City"
    )
    match = store_pair(services, "demo", mentor, mentee, START)
    kinds: dict[str, list[tuple[str, EmailMessage]]] = {}
    for day in range(0, 92):
        clock.now = datetime(2026, 3, 2, 7, tzinfo=UTC) + timedelta(days=day)
        before = len(mailbox.sent)
        services.reminders.remind(clock())
        send(services)
        for to, message in mailbox.sent[before:]:
            if to == "organizer@example.org":
                continue  # the organizers' language is theirs, not the pair's
            kinds.setdefault(str(message["Subject"]).split(" ")[0], []).append((to, message))
        if day == 33:
            # 23:30 UTC on Saturday 4 April: still the 4th in Mexico City, the 5th in London.
            clock.now = datetime(2026, 3, 2, 23, 30, tzinfo=UTC) + timedelta(days=day)
            services.checkins.record(
                "demo",
                match.match_id,
                "tomas@example.org",
                CheckinAnswers(met=True, satisfaction=4),
            )

    first = {kind: dict(reversed(sent)) for kind, sent in kinds.items()}  # each one's first
    reminder = first["¿Qué"]["tomas@example.org"]
    # Matched on Monday 2 March 09:00 UTC: the 2nd in Mexico City too, said in Spanish.
    assert_spanish(
        reminder, "¿Qué tal va con ", "forman pareja desde el 2 de marzo de 2026", "Excelente"
    )
    assert ">Excelente<" in html(reminder)
    nudge = first["¿Han"]["tomas@example.org"]
    assert_spanish(nudge, "¿Han estado en contacto usted y ", "escríbale una vez más")
    survey = first["Día"]["tomas@example.org"]
    assert_spanish(survey, "Día 30: ¿cómo va su mentoría con ", "Sus respuestas llegan")
    # The last check-in, each in the reader's own zone.
    assert_spanish(first["¿Seguir"]["tomas@example.org"], "¿Seguir con ", "(4 de abril)")
    assert_spanish(first["¿Seguir"]["marta@example.org"], "¿Seguir con ", "(5 de abril)")
    closing = first["Sus"]["tomas@example.org"]
    assert_spanish(closing, "Sus 12 semanas con ", "Gracias por participar")


def test_an_ended_match_is_told_in_spanish(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    mentor = replace(stored_person("Marta", Role.MENTOR, START), language="es")
    mentee = replace(stored_person("Tomas", Role.MENTEE, START), language="es")
    store_pair(services, "demo", mentor, mentee, START)
    services.participation.set_status("demo", "tomas@example.org", Status.PAUSED)
    send(services)
    (message,) = [m for to, m in mailbox.sent if to == "marta@example.org"]
    assert_spanish(
        message,
        "Su mentoría con Tomas ha terminado",
        "ha terminado: Tomas se ha tomado un descanso del programa.",
        "no es culpa de nadie",
    )


def test_a_sign_in_link_comes_in_the_persons_language(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    kim = replace(stored_person("Kim", Role.MENTEE, clock()), language="es")
    services.participants.save(kim)
    assert services.signin.request(kim.email, kim.email, "192.0.2.1") is None
    send(services)
    ((_, message),) = mailbox.sent
    assert_spanish(
        message, "Su enlace a su página en Mentor Portal", "Abra su propia página en Demo"
    )


def test_an_invitation_comes_in_the_programs_language(
    build_site: Callable[..., Site], content_copy: Path, mailbox: MemorySender
) -> None:
    path = content_copy / "programs" / "demo.md"
    # A program whose own language is Spanish has no Spanish translation of its page.
    (content_copy / "programs" / "demo.es.md").unlink()
    path.write_text(
        path.read_text().replace(
            "timezone: Europe/London\n", "timezone: Europe/London\nlanguage: es\n"
        )
    )
    site = build_site(content_dir=content_copy)
    entry = RosterEntry(email="ada@example.org", name="Ada Lovelace")
    for n in (1, 2, 3):
        assert site.services.roster_imports.invitations.invite("demo", entry, n)
    send(site.services)
    messages = [m for _, m in mailbox.sent]
    assert len(messages) == 3
    assert_spanish(messages[0], "Le invitamos a Demo", "Para participar, abra su invitación")
    assert_spanish(messages[1], "Recordatorio: le invitamos", "Ya le escribimos")
    assert_spanish(messages[2], "Último recordatorio", "No volveremos a escribirle")


def test_a_group_is_introduced_and_reminded_in_spanish(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    program = group_program()
    mentors, mentees = seed(services, clock)
    for person in (*mentors, *mentees):
        services.participants.save(replace(person, language="es"))
    introductions = run_round(services, program, clock, mailbox)
    assert len(introductions) == 4
    for message in introductions:
        assert_spanish(message, "", "Su grupo", "Por qué este grupo", "Sus primeros pasos")
    assert any(str(m["Subject"]).startswith("Le presentamos a su grupo") for m in introductions)

    before = len(mailbox.sent)
    services.reminders.remind_program(
        program, clock() + timedelta(days=program.schedule.checkin_reminder_days)
    )
    send(services)
    reminders = [m for to, m in mailbox.sent[before:] if to != "organizer@example.org"]
    assert len(reminders) == 4
    for message in reminders:
        assert_spanish(message, "¿Cómo va su grupo en Circle program?", "En el grupo con usted:")


def test_a_mentee_chooses_from_suggestions_in_spanish(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    program = services.programs.get("leaders-group")
    assert program is not None
    for person in seed_demo_people(services, program, clock()):
        services.participants.save(replace(person, language="es"))
    services.rounds.run(program, ROUND, trigger="cli")
    send(services)
    suggestions = [m for _, m in mailbox.sent if str(m["Subject"]).startswith("Elija a su mentor")]
    assert suggestions
    for message in suggestions:
        assert_spanish(message, "Elija a su mentor en ", "Es el momento de elegir", "Elegir a ")


def test_an_alerts_days_are_said_in_the_language_of_the_digest_that_shows_it() -> None:
    alert = Alert(
        kind="pair",
        people=(),
        quiet_days=14,
        last_checkin=date(2026, 3, 4),
        started=date(2026, 3, 2),
        week=3,
        due=date(2026, 3, 18),
    )
    with i18n.speaking("es"):
        spanish = alert.context()
    assert (spanish["last_checkin"], spanish["started"]) == (
        "4 de marzo de 2026",
        "2 de marzo de 2026",
    )
    assert alert.context()["started"] == "2 March 2026"


def test_an_organizer_who_chose_no_language_gets_their_sign_in_link_in_their_profiles(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    # The demo's organizer also signed up to it, in Spanish, and never chose a language for
    # the console (which then follows their browser): the email is not English for that.
    organizer = replace(stored_person("Organizer", Role.MENTEE, clock()), language="es")
    assert services.organizers.programs_of(organizer.email)
    services.participants.save(organizer)
    assert services.signin.request(organizer.email, organizer.email, "192.0.2.1") is None
    send(services)
    ((_, message),) = mailbox.sent
    assert_spanish(message, "Su enlace a su página en Mentor Portal")
    # A language chosen for the console is theirs for this email, whatever the profile says.
    mailbox.sent.clear()
    services.organizers.set_language(organizer.email, "en")
    assert services.signin.request(organizer.email, organizer.email, "192.0.2.2") is None
    send(services)
    ((_, message),) = mailbox.sent
    assert str(message["Subject"]).startswith("Your link")
