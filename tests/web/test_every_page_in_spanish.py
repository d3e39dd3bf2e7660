"""Every page a person can reach is in Spanish for a Spanish reader: checked, not sampled.

The test builds a program with people in every state (pairs, a round, check-ins, a group, a
roster import, a booked meeting, an audit entry, a stored program), signs in a participant and
an organizer who chose Spanish, and opens each GET route of the app's URL map with its
arguments filled from that state. A route it cannot open is listed below with the reason, and
a new GET route that is neither opened nor listed fails the test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from portal import i18n
from portal.container import Services, build_services
from portal.domain.checkins import match_ref
from portal.domain.participants import Role, Status
from portal.mail.senders import MemorySender
from portal.services.checkins import CheckinAnswers
from portal.services.roster import Action
from portal.settings import Settings
from portal.web.organize.lifecycle_words import STEPS
from tests.conftest import CONTENT, FakeClock, csrf_token, links_in
from tests.english_left import english_left, visible_text
from tests.factories import ROUND, matched_pair, seed_demo_people, store_pair, stored_person
from tests.web.dom import Element, parse
from tests.web.helpers import join, sign_in, sign_in_as_organizer
from tests.web.test_group_page import make_group
from tests.web.test_invitation import ADA, import_roster
from tests.web.test_roster_import_pages import ROSTERS, upload

SPANISH = "es-ES,es;q=0.9"
BASE = "http://portal.test"
ORGANIZER = "organizer@example.org"  # the demo program's, and a site admin here
STORED = "spring-circles"  # a program made in the console (stored, not a file)

# GET routes this test does not open as pages, and why. Any other GET route must be opened.
NOT_PAGES: dict[str, str] = {
    "static": "stylesheets, scripts and images: files, not pages with words",
    "languages.choose": "the footer's language menu: sets the cookie and redirects back",
    "devmail.index": "the local inbox (/dev/), on a laptop's portal only, never deployed",
    "devmail.show": "the local inbox (/dev/), on a laptop's portal only, never deployed",
}


@dataclass
class Visit:
    """A page to open: who opens it, its path and the status it should answer with."""

    who: str
    path: str
    status: int = 200


@dataclass
class State:
    """The browsers and the pages they open."""

    clients: dict[str, FlaskClient]
    visits: list[Visit] = field(default_factory=list)
    checkin: str = ""  # the Spanish mentee's check-in form
    meeting: str = ""  # Ana's meeting page, with a meeting booked

    def add(self, who: str, path: str, status: int = 200) -> None:
        self.visits.append(Visit(who, path.removeprefix(BASE), status))


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    return build_services(
        dataclasses.replace(settings, admins=(ORGANIZER,)), clock=clock, sender=mailbox
    )


def spanish_browser(app: Flask) -> FlaskClient:
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = SPANISH
    return browser


def content_pages() -> Iterator[str]:
    """The slugs of the shipped content pages (the home page is /)."""
    for path in sorted((CONTENT / "pages").glob("*.md")):
        slug = path.name.removesuffix(".md")
        if "." not in slug and slug != "home":
            yield slug


def build_state(app: Flask, services: Services, clock: FakeClock, mailbox: MemorySender) -> State:
    """People in every state, browsers signed in, and every page to open."""
    anyone = spanish_browser(app)
    state = State({"anyone": anyone})
    now = clock()

    # A stored program, made in the console by the organizer, who reads it in Spanish: the
    # template's words are written in the maker's language.
    with i18n.speaking("es"):
        services.program_admin.create(
            "group",
            title="Círculos",
            slug=STORED,
            organizers=(ORGANIZER,),
            signup_open=True,
            by=ORGANIZER,
        )

    # The demo program: its people, a pair whose mentee reads Spanish, a check-in, a rating.
    seed_demo_people(services, "demo", now, mentors=3, mentees=3)
    pair = matched_pair(services, clock)
    assert services.participation.set_language(pair.mentee, "es") == 1
    services.checkins.record(
        "demo", pair.match_id, pair.mentee, CheckinAnswers(met=True, day=now.date(), minutes=30)
    )
    # A second pair, Ana (Spanish, Madrid) and Sam (New York), whose first meeting is booked.
    days = ("mon", "tue", "wed", "thu", "fri")
    sam = replace(
        stored_person("Sam", Role.MENTOR, now),
        timezone="America/New_York",
        availability=tuple(f"{d}-{b}" for d in days for b in ("morning", "afternoon")),
    )
    ana = replace(
        stored_person("Ana", Role.MENTEE, now),
        timezone="Europe/Madrid",
        availability=tuple(f"{d}-{b}" for d in days for b in ("afternoon", "evening")),
        language="es",
    )
    booked = store_pair(services, "demo", sam, ana, now)
    view = services.meetings.view("demo", booked.match_id, ana.participant_id)
    proposed = services.meetings.propose(
        "demo",
        booked.match_id,
        ana.participant_id,
        view.suggestions[0],
        expected_version=view.version,
    )
    services.meetings.accept(
        "demo",
        booked.match_id,
        sam.participant_id,
        proposed.proposals[0].id,
        expected_version=proposed.version,
    )
    services.audit.record(
        "demo", ORGANIZER, "pause", subject_kind="participant", subject=sam.participant_id
    )
    # A roster import applied (its invitation) and another left at its dry run.
    import_roster(services, "demo", ADA)
    (invitation,) = [url for _, m in mailbox.sent for url in links_in(m) if "/invited/" in url]
    # Group mentoring: a round of suggestions to choose from, and a group.
    seeded = seed_demo_people(services, "leaders-group", now, mentors=3, mentees=1)
    chooser = next(p for p in seeded if p.role is Role.MENTEE)
    assert services.participation.set_language(chooser.email, "es") >= 1
    services.rounds.run(services.programs.get("leaders-group"), ROUND, trigger="cli")
    services.mail.drain(per_second=1000)
    choose = next(url for _, m in mailbox.sent for url in links_in(m) if "/choose/" in url)
    _, members = make_group(services, clock)
    assert services.participation.set_language(members[0].email, "es") == 1

    # A sign-up in Spanish, waiting for its confirmation.
    before = len(mailbox.sent)
    joined = join(
        anyone, "demo", "mentee", {**_good_mentee(), "email": "bea@example.org", "language": "es"}
    )
    assert joined.status_code == 200, joined.text
    (confirm,) = [u for _, m in mailbox.sent[before:] for u in links_in(m) if "/confirm/" in u]

    # The browsers: the Spanish mentee, a Spanish group member, the Spanish organizer.
    mentee = spanish_browser(app)
    sign_in(mentee, services.checkins.page_url("demo", pair.mentee))
    member = spanish_browser(app)
    sign_in(member, services.links.group_url("leaders-group", members[0].email))
    organizer = spanish_browser(app)
    services.organizers.set_language(ORGANIZER, "es")
    sign_in_as_organizer(organizer, mailbox)
    state.clients.update(mentee=mentee, member=member, organizer=organizer)
    sent = upload(organizer, (ROSTERS / "workday.csv").read_bytes())
    assert sent.status_code == 302, sent.text
    dry_run = sent.headers["Location"]

    # -- the public pages
    state.add("anyone", "/")
    for slug in content_pages():
        state.add("anyone", f"/{slug}")
    state.add("anyone", "/no-such-page-here", 404)
    state.add("anyone", "/programs/")
    for program in services.programs:
        state.add("anyone", f"/programs/{program.slug}")
        state.add(
            "anyone", f"/programs/{program.slug}/agreement", 200 if program.agreement else 404
        )
        state.add("anyone", f"/programs/{program.slug}/join/check-your-email")
        for role in program.roles:
            state.add("anyone", f"/programs/{program.slug}/join/{role}")
    state.add("anyone", "/programs/no-such-program", 404)
    state.add("anyone", "/sign-in")

    # -- emailed links, opened in a browser that is not signed in
    state.add("anyone", confirm)
    state.add("anyone", invitation)
    state.add("anyone", "/programs/demo/invited/not-a-token", 410)
    state.add("anyone", choose)
    state.add("anyone", services.checkins.page_url("demo", pair.mentee))
    state.add("anyone", services.checkins.checkin_url("demo", pair.match_id, pair.mentee))
    ((_, rating), *_) = services.checkins.rating_urls("demo", pair.match_id, pair.mentee)
    state.add("anyone", rating)
    state.add("anyone", services.unsubscribes.url(pair.mentee))
    state.add("anyone", "/me/not-a-token", 410)
    before = len(mailbox.sent)
    anyone.post(
        "/sign-in", data={"email": ORGANIZER, "csrf_token": csrf_token(anyone.get("/sign-in").text)}
    )
    (link,) = [
        u
        for _, m in mailbox.sent[before:]
        for u in links_in(m)
        if "/organize/" in u and not u.endswith("/organize/")
    ]
    state.add("anyone", link)

    # -- the Spanish mentee's own pages
    ref = match_ref(pair.match_id)
    state.add("mentee", "/me/programs/demo")
    for page in ("erase", "leave", "profile"):
        state.add("mentee", f"/me/programs/demo/{page}")
    state.add("mentee", f"/me/programs/demo/matches/{ref}/checkin")
    state.add("mentee", f"/me/programs/demo/matches/{ref}/meeting")
    foreign = match_ref(booked.match_id)  # Ana and Sam's: not hers
    state.add("mentee", f"/me/programs/demo/matches/{foreign}/meeting", 404)
    state.add("mentee", "/me/programs/leaders-group/group", 403)
    ana_browser = spanish_browser(app)
    sign_in(ana_browser, services.checkins.page_url("demo", ana.email))
    state.clients["ana"] = ana_browser
    state.add("ana", f"/me/programs/demo/matches/{foreign}/meeting")
    state.add("member", "/me/programs/leaders-group/group")
    state.checkin = f"/me/programs/demo/matches/{ref}/checkin"
    state.meeting = f"/me/programs/demo/matches/{foreign}/meeting"

    # -- the organizer's console
    console = "/organize/programs/demo"
    people = services.participation.people("demo")
    waiting = next(
        p
        for p in people
        if p.role is Role.MENTEE and p.active_matches == 0 and p.status is Status.CONFIRMED
    )
    free = next(
        p
        for p in people
        if p.role is Role.MENTOR and p.active_matches == 0 and p.status is Status.CONFIRMED
    )
    state.add("organizer", "/organize/")
    state.add("organizer", "/organize/new")
    for part in (
        "",
        "/audit",
        "/costs",
        "/duplicate",
        "/exports",
        "/import",
        "/matches",
        "/network",
        "/people",
        "/review",
        "/round",
        "/settings",
        "/status",
        "/summary",
    ):
        state.add("organizer", f"{console}{part}")
    state.add("organizer", dry_run)
    state.add("organizer", f"{console}/matches/{ref}/end")
    state.add(
        "organizer",
        f"{console}/matches/move?mentee={waiting.participant_id}&mentor={free.participant_id}",
    )
    mentee_id = services.participants.get("demo", pair.mentee).participant_id
    state.add("organizer", f"{console}/people/{mentee_id}")
    file = services.roster.file("demo", mentee_id)
    assert file is not None
    for action in Action:  # an action not possible now says why, with 409
        possible = action in file.actions
        state.add(
            "organizer", f"{console}/people/{mentee_id}/{action.value}", 200 if possible else 409
        )
    for step in STEPS:
        state.add("organizer", f"{console}/status/{step}")
    state.add("organizer", f"/organize/programs/{STORED}")
    state.add("organizer", f"/organize/programs/{STORED}/settings")
    state.add("organizer", "/organize/programs/no-such-program", 404)
    state.add("organizer", f"{console}/people/no-such-person", 404)
    return state


def _good_mentee() -> dict[str, object]:
    from tests.web.helpers import GOOD

    return dict(GOOD)


def endpoint_of(app: Flask, path: str) -> str | None:
    """The endpoint a GET of `path` reaches (None: no route, a 404 by design)."""
    adapter = app.url_map.bind("portal.test")
    try:
        endpoint, _ = adapter.match(path.split("?")[0], "GET")
    except HTTPException:
        return None
    return str(endpoint)


def get_routes(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def spanish_text(html: str, data: Iterable[str]) -> str:
    """What a page says in its own voice: its visible text but the parts it marks as written
    in another language (a program's page written only in English, `<div lang="en">`; a
    language named in itself), what a form's text box holds (typed by someone: the settings
    editor's page text) and the `data` it shows as typed (titles, column names)."""
    page = parse(html)
    for element in list(page.iter()):
        lang = element.get("lang")
        if element.tag != "html" and lang and lang != "es" and element.parent is not None:
            element.parent.children.remove(element)
    parts: list[str] = []

    def collect(element: Element) -> None:
        for child in element.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style", "textarea"):
                parts.append(" ")  # a tag parts words, as `visible_text` reads it
                collect(child)
                parts.append(" ")

    collect(page)
    text = " ".join("".join(parts).split())
    for words in sorted(data, key=len, reverse=True):
        text = text.replace(words, " ")
    return text


def problems_of(response: TestResponse, expected: int, data: Iterable[str]) -> list[str]:
    """What is wrong with a page meant for a Spanish reader."""
    problems = []
    if response.status_code != expected:
        problems.append(f"status {response.status_code}, not {expected}")
    html = response.get_data(as_text=True)
    if '<html lang="es">' not in html:
        problems.append('no <html lang="es">')
    left = english_left(spanish_text(html, data))
    if left:
        problems.append(f"English left: {left}")
    return problems


def test_every_page_a_person_can_reach_is_in_spanish(
    app: Flask, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    state = build_state(app, services, clock, mailbox)
    # Data the pages show as typed, in whatever language it was typed: the programs' titles.
    titles = [program.title for program in services.programs]
    demo = services.programs.get("demo")
    assert demo is not None
    # The CSV files' column names, which the exports page names as the files do (English).
    columns = {c for kind in services.csv_exports.kinds(demo) for c in kind.every}
    visited: set[str] = set()
    found: dict[str, list[str]] = {}
    for visit in state.visits:
        endpoint = endpoint_of(app, visit.path)
        if endpoint is not None:
            visited.add(endpoint)
        response = state.clients[visit.who].get(visit.path)
        data = [*titles, *(columns if visit.path.endswith("/exports") else ())]
        problems = problems_of(response, visit.status, data)
        if problems:
            found[f"{visit.who} {visit.path}"] = problems
    assert found == {}, "\n".join(f"{page}: {'; '.join(why)}" for page, why in found.items())
    unvisited = get_routes(app) - visited - set(NOT_PAGES)
    assert unvisited == set(), "a GET route neither opened by this test nor listed in NOT_PAGES"


def the_form(html: str, page: str, action: str) -> Element:
    """The last form of the page sent to an address ending with `action` (a form without an
    action is sent to the page itself)."""
    forms = [
        f
        for f in parse(html).find_all("form")
        if (f.get("method") or "").lower() == "post" and (f.get("action") or page).endswith(action)
    ]
    assert forms, f"no form sent to …{action}"
    return forms[-1]


def form_values(form: Element) -> dict[str, list[str]]:
    """What a browser sends for a form as it is shown (without a button)."""
    data: dict[str, list[str]] = {}
    for element in form.iter():
        name = element.get("name")
        if not name:
            continue
        if element.tag == "textarea":
            data.setdefault(name, []).append(element.text)
        elif element.tag == "select":
            chosen = [o.get("value") or "" for o in element.find_all("option") if o.has("selected")]
            data.setdefault(name, []).append(chosen[0] if chosen else "")
        elif element.tag == "input":
            kind = element.get("type")
            if kind not in ("submit", "checkbox", "radio") or element.has("checked"):
                data.setdefault(name, []).append(element.get("value") or "")
    return data


def sent_with(
    client: FlaskClient, page: str, action: str, changes: dict[str, str | list[str]]
) -> TestResponse:
    """Open `page`, fill its form as shown but for `changes`, and send it."""
    form = the_form(client.get(page).text, page, action)
    return client.post(form.get("action") or page, data={**form_values(form), **changes})


def test_forms_sent_with_mistakes_answer_in_spanish(
    app: Flask, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    state = build_state(app, services, clock, mailbox)
    clients = state.clients
    settings = f"/organize/programs/{STORED}/settings"  # a file program is not edited here
    answers = {
        "sign-up with nothing filled in": (
            clients["anyone"].post(
                "/programs/demo/join/mentee",
                data={"csrf_token": csrf_token(clients["anyone"].get("/sign-in").text)},
            ),
            "Díganos su nombre.",
        ),
        "sign-in with a bad address": (
            sent_with(clients["anyone"], "/sign-in", "/sign-in", {"email": "not an address"}),
            "Esto no parece una dirección de correo electrónico.",
        ),
        "a check-in that met but says no day": (
            sent_with(clients["mentee"], state.checkin, "/checkin", {"met": "yes", "day": ""}),
            "Indique la fecha en que se reunieron, por favor.",
        ),
        "a profile with a time zone that is none": (
            sent_with(
                clients["mentee"],
                "/me/programs/demo/profile",
                "/profile",
                {"timezone": "Mars/Olympus"},
            ),
            "Su zona horaria Error: Opción inválida.",
        ),
        "a meeting proposed in the past": (
            sent_with(
                clients["ana"], state.meeting, "/propose", {"day": "2026-03-01", "clock": "18:00"}
            ),
            "Esa hora ya pasó",
        ),
        "settings with a capacity of none": (
            sent_with(
                clients["organizer"],
                settings,
                "/settings",
                {"people-capacity": "0", "action": "save"},
            ),
            "Indique un número entero de personas entre 1 y 20.",
        ),
    }
    found = {}
    for what, (response, spanish) in answers.items():
        problems = problems_of(response, 422, ())
        if spanish not in visible_text(response.get_data(as_text=True)):
            problems.append(f"not {spanish!r}")
        if problems:
            found[what] = problems
    assert found == {}, "\n".join(f"{what}: {'; '.join(why)}" for what, why in found.items())
