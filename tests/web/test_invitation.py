"""A roster import's invitation, opened: the pre-filled sign-up, and nobody matched unconfirmed."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, links_in, parse
from tests.factories import seed_demo_people
from tests.web.conftest import Site
from tests.web.dom import parse as parse_page

BASE = "http://portal.test"
ORGANIZER = "organizer@example.org"
HEADER = "Email address,Full name,Department or team,Manager's email address,Time zone,Career stage"
ADA = "Ada@EXAMPLE.org,Ada Lovelace,Research,Boss@example.org,America/New_York,mid"
ADDRESS = "Ada@example.org"  # as the roster wrote it; a domain has no case
GRACE = "grace@example.org,Grace Hopper,Navy,,Europe/London,senior"


def import_roster(services: Services, slug: str, *rows: str) -> None:
    """Dry-run and apply a roster through the service, as the console does, and send its mail."""
    program = services.programs.get(slug)
    assert program is not None
    data = "\r\n".join((HEADER, *rows)).encode()
    imports = services.roster_imports
    dry = imports.check(program, imports.read(data, "roster.csv"), filename="roster.csv")
    assert dry.can_apply, (dry.mapping_problems, dry.problems)
    applied = imports.apply(program, dry, by=ORGANIZER, expected=dry.fingerprint)
    if applied.pending:
        imports.finish(slug)
    services.mail.drain(per_second=1_000_000, sleep=lambda _: None)


def invitations(mailbox: MemorySender) -> dict[str, EmailMessage]:
    """The invitations sent, by recipient."""
    found = {}
    for recipient, message in mailbox.sent:
        if "invited to" in message["Subject"]:
            found[recipient] = message
    return found


def invitation_path(message: EmailMessage) -> str:
    (link,) = {url for url in links_in(message) if "/invited/" in url}
    return link.removeprefix(BASE)


def _names_ada(url: str) -> bool:
    lowered = url.lower()
    return any(form in lowered for form in ("ada@", "ada%40", "example.org/", "ada.lovelace"))


def test_an_invited_person_signs_up_from_the_prefilled_form_and_is_matched_once_confirmed(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    import_roster(services, "demo", ADA, GRACE)
    sent = invitations(mailbox)
    assert set(sent) == {ADDRESS, "grace@example.org"}
    message = sent[ADDRESS]
    assert message["Subject"] == "You're invited to Demo: Tech Careers mentoring"
    assert message["Reply-To"] == ORGANIZER
    path = invitation_path(message)
    token = path.rsplit("/", 1)[1]
    assert path == f"/programs/demo/invited/{token}"
    assert not _names_ada(path)  # the token, never the address

    invited = client.get(path)
    assert invited.status_code == 200
    assert invited.headers["Cache-Control"] == "no-store"
    page = parse_page(invited.text)
    assert page.h1 == "You're invited to Demo: Tech Careers mentoring"
    assert "This invitation is for Ada Lovelace." in page.text
    assert "nobody is matched with you, unless you sign up yourself" in page.text
    joins = [a.get("href") for a in page.find_all("a", class_="button")]
    assert joins == [
        f"/programs/demo/join/mentee?invite={token}",
        f"/programs/demo/join/mentor?invite={token}",
    ]
    for href in page.hrefs():  # the address is in no link of the page
        assert not _names_ada(href), href

    form = client.get(joins[0])
    assert form.status_code == 200
    assert form.headers["Cache-Control"] == "no-store"
    filled = parse_page(form.text)
    assert "Filled in from the roster" in filled.text
    assert filled.value_of("name") == "Ada Lovelace"
    assert filled.value_of("email") == ADDRESS
    assert filled.value_of("department") == "Research"
    assert filled.value_of("reports_to") == "boss@example.org"
    assert filled.selected("timezone") == ["America/New_York"]
    assert filled.selected("seniority") == ["mid"]
    assert filled.checked("consent") == []  # agreed by the person, never for them
    assert filled.one("form", class_="signup").get("action") == "/programs/demo/join/mentee"

    # The browser sends back what the form shows, with the person's own answers.
    answers: dict[str, Any] = {
        "name": filled.value_of("name"),
        "email": filled.value_of("email"),
        "department": filled.value_of("department"),
        "reports_to": filled.value_of("reports_to"),
        "timezone": "America/New_York",
        "seniority": "mid",
        "languages": ["English"],
        "availability": ["mon-evening", "thu-morning"],
        "goals": ["python", "leadership"],
        "q_industry": "Tech",
        "consent": "y",
        "csrf_token": csrf_token(form.text),
    }
    done = client.post("/programs/demo/join/mentee", data=answers)
    assert done.status_code == 200
    assert parse_page(done.text).h1 == "Check your email"
    pending = services.participants.get("demo", "ada@example.org")
    assert pending is not None
    assert pending.status is Status.PENDING

    # A round before she confirms does not match her.
    seed_demo_people(services, "demo", clock(), mentors=4, mentees=0)
    demo = services.programs.get("demo")
    assert demo is not None
    assert services.rounds.run(demo, "2026-03-02T0900Z", trigger="cli").status == "done"
    assert not [m for m in services.rounds.matches.active("demo") if m.mentee == pending.email]

    (confirm,) = [
        url for url in links_in(mailbox.sent[-1][1]) if url.startswith(f"{BASE}/confirm/")
    ]
    look = client.get(confirm.removeprefix(BASE))
    assert look.status_code == 200
    confirmed = client.post(confirm.removeprefix(BASE), data={"csrf_token": csrf_token(look.text)})
    assert confirmed.status_code == 200
    person = services.participants.get("demo", "ada@example.org")
    assert person is not None
    assert person.status is Status.CONFIRMED
    assert person.department == "Research"
    assert person.reports_to == "boss@example.org"
    assert person.timezone == "America/New_York"
    assert person.seniority == "mid"

    clock.advance(days=7)
    assert services.rounds.run(demo, "2026-03-09T0900Z", trigger="cli").status == "done"
    assert [m for m in services.rounds.matches.active("demo") if m.mentee == person.email]


def test_a_program_with_one_role_goes_straight_to_the_prefilled_form(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    import_roster(services, "peer-circles", ADA)
    path = invitation_path(invitations(mailbox)[ADDRESS])
    token = path.rsplit("/", 1)[1]
    opened = client.get(path)
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/programs/peer-circles/join/peer?invite={token}"
    form = parse_page(client.get(opened.headers["Location"]).text)
    assert form.value_of("name") == "Ada Lovelace"
    assert form.value_of("email") == ADDRESS


def test_a_bad_token_or_one_for_another_program_is_no_longer_valid_kindly(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    import_roster(services, "demo", ADA)
    token = invitation_path(invitations(mailbox)[ADDRESS]).rsplit("/", 1)[1]
    for path, program_page in (
        (f"/programs/peer-circles/invited/{token}", "/programs/peer-circles"),
        ("/programs/demo/invited/not-a-token", "/programs/demo"),
        (f"/programs/demo/invited/{token[:-2]}", "/programs/demo"),
    ):
        response = client.get(path)
        assert response.status_code == 410, path
        page = parse_page(response.text)
        assert page.h1 == "This invitation is no longer valid"
        assert "You can still sign up yourself" in page.text
        assert program_page in page.hrefs()
        assert "Ada" not in page.text


def test_a_bad_invite_token_on_the_form_gives_the_plain_form(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    import_roster(services, "demo", ADA)
    token = invitation_path(invitations(mailbox)[ADDRESS]).rsplit("/", 1)[1]
    for query in ("not-a-token", token[:-2]):
        response = client.get(f"/programs/demo/join/mentee?invite={query}")
        assert response.status_code == 200
        page = parse_page(response.text)
        assert page.value_of("name") == ""
        assert page.value_of("email") == ""
        assert "Filled in from the roster" not in page.text
    # Another program's token fills in nothing either.
    other = client.get(f"/programs/peer-circles/join/peer?invite={token}")
    assert parse_page(other.text).value_of("email") == ""


def test_someone_the_next_full_roster_leaves_out_has_an_invitation_no_longer_valid(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    import_roster(services, "demo", ADA, GRACE)
    path = invitation_path(invitations(mailbox)[ADDRESS])
    assert client.get(path).status_code == 200
    import_roster(services, "demo", GRACE)
    assert client.get(path).status_code == 410
    token = path.rsplit("/", 1)[1]
    form = client.get(f"/programs/demo/join/mentee?invite={token}")
    assert parse_page(form.text).value_of("name") == ""


def test_an_unsubscribed_address_gets_no_invitation(
    services: Services, mailbox: MemorySender
) -> None:
    unsubscribes = services.unsubscribes
    unsubscribes.unsubscribe(unsubscribes.url("grace@example.org").rsplit("/", 1)[1])
    import_roster(services, "demo", ADA, GRACE)
    assert set(invitations(mailbox)) == {ADDRESS}
    assert not any(recipient == "grace@example.org" for recipient, _ in mailbox.sent)


def test_the_invitation_carries_the_unsubscribe_link(
    services: Services, mailbox: MemorySender
) -> None:
    import_roster(services, "demo", ADA)
    message = invitations(mailbox)[ADDRESS]
    link = message["List-Unsubscribe"].strip("<>")
    assert link == services.unsubscribes.url(ADDRESS)
    assert link in links_in(message)
    assert parse(message.as_string())["To"] == ADDRESS


def test_an_invitation_to_a_program_closed_since_gets_the_closed_page(
    build_site: Callable[..., Site], mailbox: MemorySender
) -> None:
    site = build_site(admins=("admin@example.org",))
    admin = site.services.program_admin
    admin.create(
        "group",
        title="Spring circles",
        slug="spring-circles",
        organizers=(ORGANIZER,),
        signup_open=True,
        by="admin@example.org",
    )
    import_roster(site.services, "spring-circles", ADA)
    path = invitation_path(invitations(mailbox)[ADDRESS])
    assert site.client.get(path).status_code == 200
    admin.lifecycle("spring-circles", "close", expected=1, by="admin@example.org")
    closed = site.client.get(path)
    assert closed.status_code == 403
    assert parse_page(closed.text).h1 == "Sign-up is closed"
