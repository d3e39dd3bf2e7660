"""The console's people: search and filters, one person's page, and the actions on a person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.checkins import match_ref
from portal.domain.participants import Participant, Role, Status
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, links_in, plain
from tests.factories import (
    ADA_NOTE,
    PARTNER_NOTE,
    History,
    pair,
    person_with_history,
    stored_person,
)
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, assert_helpful_404, sign_in_as_organizer

PEOPLE = "/organize/programs/demo/people"


def seed(services: Services, now: datetime) -> dict[str, str]:
    """Max mentors Ada; Bob waits (unsubscribed); Cleo is paused; Dan has not confirmed;
    Eve is a mentor whose email bounced. Their participant ids, by first name."""
    match = pair(services, "Max", "Ada", now)
    bob = stored_person("Bob", Role.MENTEE, now)
    cleo = stored_person("Cleo", Role.MENTOR, now)
    dan = replace(stored_person("Dan", Role.MENTEE, now), status=Status.PENDING, confirmed_at=None)
    eve = stored_person("Eve", Role.MENTOR, now)
    for someone in (bob, cleo, dan, eve):
        services.participants.save(someone)
    services.participants.set_status("demo", cleo.email, Status.PAUSED, now)
    services.unsubscribes.suppressions.add(bob.email, "unsubscribe", now)
    services.unsubscribes.suppressions.add(eve.email, "bounce", now)
    return {
        "Max": match.mentor_id,
        "Ada": match.mentee_id,
        "Bob": bob.participant_id,
        "Cleo": cleo.participant_id,
        "Dan": dan.participant_id,
        "Eve": eve.participant_id,
    }


def listed(client: FlaskClient, query: str = "") -> tuple[list[str], str]:
    """The first names in the list for this query, and the count heading."""
    page = client.get(f"{PEOPLE}?{query}")
    assert page.status_code == 200, page.text
    assert "no-store" in page.headers["Cache-Control"]
    document = parse(page.text)
    table = document.find("tbody")
    names = [th.text.split()[0] for th in table.find_all("th")] if table else []
    return names, document.one(id="found").text


@pytest.fixture
def people(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> dict[str, str]:
    ids = seed(services, clock())
    sign_in_as_organizer(client, mailbox)
    return ids


def test_the_list_searches_by_name_or_address_in_any_case(
    client: FlaskClient, people: dict[str, str]
) -> None:
    assert listed(client) == (["Ada", "Bob", "Cleo", "Dan", "Eve", "Max"], "6 of 6 people")
    assert listed(client, "q=ada+EXAMPLE")[0] == ["Ada"]
    assert listed(client, "q=BOB%40example")[0] == ["Bob"]
    assert listed(client, "q=D") == (["Ada", "Dan"], "2 of 6 people")
    assert listed(client, "q=nobody-like-this") == ([], "0 of 6 people")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("role=mentor", ["Cleo", "Eve", "Max"]),
        ("role=mentee", ["Ada", "Bob", "Dan"]),
        ("status=paused", ["Cleo"]),
        ("status=pending", ["Dan"]),
        ("status=confirmed", ["Ada", "Bob", "Eve", "Max"]),
        ("matching=matched", ["Ada", "Max"]),
        ("matching=waiting", ["Bob", "Eve"]),
        ("email=off", ["Bob", "Eve"]),
        ("role=mentee&matching=waiting&email=off", ["Bob"]),
    ],
)
def test_each_filter_keeps_the_right_people(
    client: FlaskClient, people: dict[str, str], query: str, names: list[str]
) -> None:
    assert listed(client, query)[0] == names


def test_a_filter_value_that_is_no_choice_is_said_and_left_out(
    client: FlaskClient, people: dict[str, str]
) -> None:
    page = client.get(f"{PEOPLE}?role=wizard&page=zero")

    assert page.status_code == 200
    assert "“wizard” is not a role here" in page.text
    assert "“zero” is not a page number" in page.text
    assert "6 of 6 people" in page.text


def test_the_list_is_paged_fifty_at_a_time(
    client: FlaskClient, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    for n in range(53):
        services.participants.save(stored_person(f"P{n:02d}", Role.MENTEE, clock()))
    sign_in_as_organizer(client, mailbox)

    first, count = listed(client, "role=mentee")
    page = parse(client.get(f"{PEOPLE}?role=mentee").text)
    (following,) = [a.get("href") for a in page.find_all("a") if a.text == "Next page"]
    second, _ = listed(client, str(following).split("?", 1)[1])

    assert count == "53 of 53 people"
    assert len(first) == 50
    assert len(second) == 3
    assert first[0] == "P00"
    assert second == ["P50", "P51", "P52"]


def test_each_name_leads_to_the_persons_page(client: FlaskClient, people: dict[str, str]) -> None:
    page = parse(client.get(PEOPLE).text)
    links = {a.text: a.get("href") for a in page.one("tbody").find_all("a")}
    assert links["Ada Example"] == f"{PEOPLE}/{people['Ada']}"


# -- one person's page ---------------------------------------------------------------------


@pytest.fixture
def ada(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> History:
    history = person_with_history(services, clock)
    sign_in_as_organizer(client, mailbox)
    return history


@pytest.fixture
def unsubscribed(
    services: Services, clock: FakeClock, client: FlaskClient, mailbox: MemorySender
) -> Participant:
    """Ada, in the demo program only, who unsubscribed; the demo organizer signed in."""
    ada = stored_person("Ada", Role.MENTEE, clock())
    services.participants.save(ada)
    services.unsubscribes.suppressions.add(ada.email, "unsubscribe", clock())
    sign_in_as_organizer(client, mailbox)
    return ada


def person_page(client: FlaskClient, participant_id: str) -> str:
    page = client.get(f"{PEOPLE}/{participant_id}")
    assert page.status_code == 200, page.text
    assert "no-store" in page.headers["Cache-Control"]
    return page.text


def test_the_person_page_shows_matches_checkins_notes_and_email(
    client: FlaskClient, ada: History
) -> None:
    document = parse(person_page(client, ada.ada.participant_id))
    tables = document.find_all("tbody")
    matches, checkins = tables[0], tables[1]

    (match_row,) = matches.find_all("tr")
    partner_link, end = match_row.find_all("a")
    assert partner_link.text == "Max Example"
    assert partner_link.get("href") == f"{PEOPLE}/{ada.partner.participant_id}"
    assert "Active" in match_row.text
    assert " ".join(end.text.split()) == "End this match with Max Example"
    assert str(end.get("href")).endswith(f"/matches/{match_ref(ada.match.match_id)}/end")
    rows = [[td.text for td in tr.find_all("td")] for tr in checkins.find_all("tr")]
    writers = [row[2] for row in rows]
    assert writers == ["Ada Example", "Max Example", "Ada Example"]  # the rating, newest first
    assert rows[0][4] == "4 of 5"
    assert ADA_NOTE in rows[2][5]
    assert PARTNER_NOTE in rows[1][5]
    assert "Off since" in document.text
    assert "They unsubscribed" in document.text
    assert "Turn email back on" in document.text


def test_a_person_of_another_program_or_none_is_a_helpful_404(
    client: FlaskClient, ada: History
) -> None:
    for missing in ("no-such-id", ada.ada_peer.participant_id):
        page = client.get(f"{PEOPLE}/{missing}")
        assert page.status_code == 404
        assert "Search the program's people" in page.text
    assert client.get(f"{PEOPLE}/{ada.ada_peer.participant_id}/pause").status_code == 404


def test_another_programs_organizer_gets_404(
    client: FlaskClient, ada: History, mailbox: MemorySender
) -> None:
    other = client.application.test_client()
    sign_in_as_organizer(other, mailbox, "returners@example.org")

    assert other.get(PEOPLE).status_code == 404
    for path in (f"{PEOPLE}/{ada.ada.participant_id}", f"{PEOPLE}/{ada.ada.participant_id}/pause"):
        page = other.get(path)
        assert page.status_code == 404
        assert_helpful_404(page.text)
    assert other.get("/organize/programs/peer-circles/people").status_code == 200


def test_signed_out_the_people_pages_are_refused(client: FlaskClient, services: Services) -> None:
    for path in (PEOPLE, f"{PEOPLE}/someone", f"{PEOPLE}/someone/pause"):
        assert client.get(path).status_code == 403
    assert client.post(f"{PEOPLE}/someone/pause", data={}).status_code in (400, 403)


# -- actions ---------------------------------------------------------------------------------


def confirm(client: FlaskClient, participant_id: str, action: str) -> tuple[str, dict[str, str]]:
    """The confirm page's button, and what its form sends."""
    page = client.get(f"{PEOPLE}/{participant_id}/{action}")
    assert page.status_code == 200, page.text
    assert "no-store" in page.headers["Cache-Control"]
    document = parse(page.text)
    form = document.one("form", class_="person-action")
    fields = {
        str(i.get("name")): str(i.get("value") or "")
        for i in form.find_all("input")
        if i.get("name")
    }
    return form.one("button").text, fields


def act(client: FlaskClient, participant_id: str, action: str, **extra: str) -> str:
    """Confirm an action as shown; the person's page it comes back to."""
    _, fields = confirm(client, participant_id, action)
    done = client.post(f"{PEOPLE}/{participant_id}/{action}", data={**fields, **extra})
    assert done.status_code == 302, done.text
    return client.get(done.headers["Location"]).text


def entries(services: Services, participant_id: str) -> list[tuple[str, str, str]]:
    return [(e.action, e.organizer, e.detail) for e in services.audit.about("demo", participant_id)]


def test_pausing_ends_the_match_tells_the_partner_and_is_logged(
    client: FlaskClient, ada: History, services: Services, mailbox: MemorySender
) -> None:
    button, _ = confirm(client, ada.ada.participant_id, "pause")
    assert button == "Pause Ada: no new matches until resumed"
    before = len(mailbox.sent)

    page = act(client, ada.ada.participant_id, "pause")

    assert "Ada is paused: no new matches until resumed. 1 active match ended" in page
    stored = services.participants.get_in("demo", ada.ada.participant_id)
    assert stored is not None
    assert stored.status is Status.PAUSED
    match = services.rounds.matches.get("demo", ada.match.match_id)
    assert match is not None
    assert match.status.value == "ended"
    services.mail.drain(per_second=1000)
    told = [(to, m) for to, m in mailbox.sent[before:]]
    assert [to for to, _ in told] == [ada.partner.email]
    assert "Ada is taking a break from the program" in " ".join(plain(told[0][1]).split())
    assert entries(services, ada.ada.participant_id) == [
        ("pause", DEMO_ORGANIZER, "1 active match ended")
    ]


def test_a_stale_pause_says_so_and_changes_nothing(
    client: FlaskClient, ada: History, services: Services, mailbox: MemorySender
) -> None:
    _, fields = confirm(client, ada.ada.participant_id, "pause")
    services.participants.set_status("demo", ada.ada.email, Status.PAUSED, services.clock())
    services.mail.drain(per_second=1000)
    before = len(mailbox.sent)

    done = client.post(f"{PEOPLE}/{ada.ada.participant_id}/pause", data=fields)
    page = client.get(done.headers["Location"]).text

    assert "Nothing was changed: Ada Example is paused now, not confirmed" in page
    assert entries(services, ada.ada.participant_id) == []
    services.mail.drain(per_second=1000)
    assert mailbox.sent[before:] == []


def test_resuming_puts_them_back_and_a_stale_resume_changes_nothing(
    client: FlaskClient, ada: History, services: Services
) -> None:
    services.participation.set_status("demo", ada.ada.email, Status.PAUSED)
    button, fields = confirm(client, ada.ada.participant_id, "resume")
    assert button == "Resume Ada: back in the next matching round"

    page = act(client, ada.ada.participant_id, "resume")
    assert "Ada is back" in page
    stored = services.participants.get_in("demo", ada.ada.participant_id)
    assert stored is not None
    assert stored.status is Status.CONFIRMED

    again = client.post(f"{PEOPLE}/{ada.ada.participant_id}/resume", data=fields)
    assert "is confirmed now, not paused" in client.get(again.headers["Location"]).text
    assert [e[0] for e in entries(services, ada.ada.participant_id)] == ["resume"]


def test_removing_ends_the_matches_kindly_and_is_logged(
    client: FlaskClient, ada: History, services: Services, mailbox: MemorySender
) -> None:
    who = ada.ada.participant_id
    confirm_page = " ".join(client.get(f"{PEOPLE}/{who}/remove").text.split())
    assert "Max Example" in confirm_page
    assert "that Ada has left the program" in confirm_page
    button, _ = confirm(client, who, "remove")
    assert button == "Remove Ada: their matches end"
    services.mail.drain(per_second=1000)
    before = len(mailbox.sent)

    page = act(client, who, "remove")

    assert "Ada is removed from the program. 1 active match ended" in page
    stored = services.participants.get_in("demo", who)
    assert stored is not None
    assert stored.status is Status.LEFT
    services.mail.drain(per_second=1000)
    ((to, message),) = mailbox.sent[before:]
    assert to == ada.partner.email
    assert "Ada has left the program" in " ".join(plain(message).split())
    assert [e[0] for e in entries(services, who)] == ["remove"]
    assert "Removed a person" in person_page(client, who)


def test_an_action_the_status_does_not_allow_is_not_offered(
    client: FlaskClient, ada: History
) -> None:
    page = client.get(f"{PEOPLE}/{ada.ada.participant_id}/resume")
    assert page.status_code == 409
    assert "This cannot be done now" in page.text
    assert parse(page.text).find("form", class_="person-action") is None


def test_a_new_sign_in_link_is_the_sign_in_forms_email(
    client: FlaskClient, ada: History, services: Services, mailbox: MemorySender
) -> None:
    button, _ = confirm(client, ada.partner.participant_id, "resend-link")
    assert button == "Email Max a new sign-in link"
    before = len(mailbox.sent)

    page = act(client, ada.partner.participant_id, "resend-link")

    assert "A new sign-in link is on its way to Max" in page
    ((to, message),) = mailbox.sent[before:]
    assert to == ada.partner.email
    assert any("/me/" in url for url in links_in(message))
    assert [e[0] for e in entries(services, ada.partner.participant_id)] == ["resend_link"]


def test_a_new_sign_in_link_past_the_limit_is_not_sent(
    build_site: Callable[..., Site], clock: FakeClock, mailbox: MemorySender
) -> None:
    site = build_site(signups_per_address=(1, 10))
    history = person_with_history(site.services, clock)
    sign_in_as_organizer(site.client, mailbox)
    who = history.partner.participant_id
    act(site.client, who, "resend-link")
    before = len(mailbox.sent)

    page = act(site.client, who, "resend-link")

    assert "No link was sent: too many sign-in links were asked for lately" in page
    assert mailbox.sent[before:] == []
    assert [e[0] for e in entries(site.services, who)] == ["resend_link"]


def test_email_back_on_needs_a_reason_lifts_the_unsubscribe_and_logs_why(
    client: FlaskClient, unsubscribed: Participant, services: Services
) -> None:
    who = unsubscribed.participant_id
    button, fields = confirm(client, who, "email-on")
    assert button == "Turn email back on for Ada"

    empty = client.post(f"{PEOPLE}/{who}/email-on", data={**fields, "reason": "  "})
    assert empty.status_code == 422
    assert "Please say why email is turned back on" in empty.text
    assert services.mail.suppression(unsubscribed.email) == "unsubscribe"

    page = act(client, who, "email-on", reason="Ada asked by phone on 3 March.")

    assert "Email to Ada is on again" in page
    assert services.mail.suppression(unsubscribed.email) is None
    assert entries(services, who) == [
        ("lift_unsubscribe", DEMO_ORGANIZER, "Ada asked by phone on 3 March.")
    ]
    assert "Ada asked by phone on 3 March." in client.get("/organize/programs/demo/audit").text


def test_a_stale_lift_changes_nothing(
    client: FlaskClient, unsubscribed: Participant, services: Services
) -> None:
    who = unsubscribed.participant_id
    _, fields = confirm(client, who, "email-on")
    services.unsubscribes.suppressions.add(unsubscribed.email, "complaint", services.clock())

    done = client.post(f"{PEOPLE}/{who}/email-on", data={**fields, "reason": "She asked"})

    assert (
        "Nothing was changed: email to them is off for another reason now"
        in client.get(done.headers["Location"]).text
    )
    assert services.mail.suppression(unsubscribed.email) == "complaint"
    assert entries(services, who) == []


def test_email_is_not_turned_on_for_someone_also_in_a_program_the_organizer_does_not_run(
    client: FlaskClient, ada: History, services: Services
) -> None:
    who = ada.ada.participant_id  # Ada is in peer-circles too, organized by others
    _, fields = confirm(client, who, "email-on")

    done = client.post(f"{PEOPLE}/{who}/email-on", data={**fields, "reason": "She asked"})

    assert done.status_code == 302  # back to the person's page, which says why
    text = " ".join(client.get(done.headers["Location"]).text.split())
    assert "Nothing was changed: Ada Example is also in 1 other program you do not organize" in text
    assert services.mail.suppression(ada.ada.email) == "unsubscribe"
    assert entries(services, who) == []


@pytest.mark.parametrize("reason", ["bounce", "complaint"])
def test_a_bounce_or_complaint_cannot_be_lifted_and_the_page_says_why(
    client: FlaskClient, ada: History, services: Services, reason: str
) -> None:
    who = ada.ada.participant_id
    services.unsubscribes.suppressions.add(ada.ada.email, reason, services.clock())

    page = person_page(client, who)
    assert "cannot be turned back on from the console" in page
    assert "Turn email back on" not in page
    assert "Send a new sign-in link" not in page
    refused = client.get(f"{PEOPLE}/{who}/email-on")
    assert refused.status_code == 409
    token = csrf_token(page)
    done = client.post(
        f"{PEOPLE}/{who}/email-on", data={"csrf_token": token, "seen": reason, "reason": "x"}
    )
    assert "Only an unsubscribe can be lifted" in client.get(done.headers["Location"]).text
    assert services.mail.suppression(ada.ada.email) == reason
    assert entries(services, who) == []
