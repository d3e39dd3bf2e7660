"""The pair's meeting page: times on both clocks, proposals refused or sent, accept, cancel."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import i18n
from portal.container import Services
from portal.domain.checkins import match_ref as ref
from portal.domain.participants import Role
from portal.mail.senders import MemorySender
from portal.persistence.matches import StoredMatch
from portal.services.meetings import MeetingView
from tests.conftest import FakeClock, csrf_token
from tests.english_left import english_left, visible_text
from tests.factories import store_pair, stored_person
from tests.web.dom import parse
from tests.web.helpers import sign_in

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass
class Pair:
    match: StoredMatch
    mentee_id: str  # Ana, in Madrid, signed in on `client`
    mentor_id: str  # Sam, in New York
    meeting: str  # the meeting page's path


def _people(
    services: Services, clock: FakeClock, *, ana_speaks: str = "en"
) -> tuple[StoredMatch, str, str]:
    now = clock()
    sam = stored_person("Sam", Role.MENTOR, now)
    ana = stored_person("Ana", Role.MENTEE, now)
    sam = replace(
        sam,
        timezone="America/New_York",
        availability=tuple(f"{d}-{b}" for d in WEEKDAYS for b in ("morning", "afternoon")),
    )
    ana = replace(
        ana,
        timezone="Europe/Madrid",
        language=ana_speaks,
        availability=tuple(f"{d}-{b}" for d in WEEKDAYS for b in ("afternoon", "evening")),
    )
    match = store_pair(services, "demo", sam, ana, now)
    return match, ana.participant_id, sam.participant_id


def _meeting_path(match: StoredMatch) -> str:
    return f"/me/programs/demo/matches/{ref(match.match_id)}/meeting"


@pytest.fixture
def pair(client: FlaskClient, services: Services, clock: FakeClock) -> Pair:
    match, ana, sam = _people(services, clock)
    sign_in(client, services.checkins.page_url("demo", match.mentee))
    return Pair(match, ana, sam, _meeting_path(match))


def _as_sam(app: Flask, services: Services, pair: Pair) -> FlaskClient:
    browser = app.test_client()
    sign_in(browser, services.checkins.page_url("demo", pair.match.mentor))
    return browser


def _press(
    client: FlaskClient, page: str, action: str, index: int = 0, **data: str
) -> TestResponse:
    """Press a button of the page: the `index`th form whose action ends with `action`."""
    html = client.get(page).text
    forms = [f for f in parse(html).find_all("form") if (f.get("action") or "").endswith(action)]
    assert len(forms) > index, f"no form {index} ending {action} on the page"
    form = forms[index]
    sent = {}
    for name in ("csrf_token", "version", "start", "proposal"):
        control = form.find(None, name=name)
        if control is not None:
            sent[name] = control.get("value") or ""
    return client.post(form.get("action") or "", data={**sent, **data})


def _typed(client: FlaskClient, page: str, **data: str) -> TestResponse:
    """The form to propose another time (the last propose form on the page), filled in."""
    html = client.get(page).text
    forms = [
        f for f in parse(html).find_all("form") if (f.get("action") or "").endswith("/propose")
    ]
    form = forms[-1]
    return client.post(
        form.get("action") or "",
        data={
            "csrf_token": form.value_of("csrf_token"),
            "version": form.value_of("version"),
            **data,
        },
    )


def _stored(services: Services, pair: Pair, reader: str | None = None) -> MeetingView:
    return services.meetings.view("demo", pair.match.match_id, reader or pair.mentee_id)


def _invites(mailbox: MemorySender, to: str) -> list[icalendar.Calendar]:
    found = []
    for recipient, message in mailbox.sent:
        if recipient != to:
            continue
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                found.append(icalendar.Calendar.from_ical(part.get_payload(decode=True)))
                break
    return found


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_page_offers_times_on_both_peoples_clocks(
    client: FlaskClient, services: Services, clock: FakeClock, pair: Pair
) -> None:
    response = client.get(pair.meeting)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.text)
    assert page.h1 == "Your first meeting with Sam"
    suggestions = _stored(services, pair).suggestions
    assert len(suggestions) == 3
    with i18n.speaking("en"):
        for start in suggestions:
            assert i18n.format_moment(start, "Europe/Madrid", today=clock().date()) in page.text
            assert i18n.format_time(start, "America/New_York") in page.text
    assert "Central European Standard Time" in page.text
    assert "for Sam:" in page.text
    assert "Eastern" in page.text  # Sam's zone named beside each time
    starts = [c.get("value") or "" for c in page.find_all("input", name="start")]
    assert [datetime.fromisoformat(start) for start in starts] == list(suggestions)


def test_the_program_page_links_to_the_meeting_page(client: FlaskClient, pair: Pair) -> None:
    page = client.get("/me/programs/demo").text
    assert f'href="{pair.meeting}"' in page


def test_the_page_speaks_the_readers_language(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    match, _, _ = _people(services, clock, ana_speaks="es")
    browser = app.test_client()
    sign_in(browser, services.checkins.page_url("demo", match.mentee))
    response = browser.get(_meeting_path(match), headers={"Accept-Language": "es"})
    assert response.status_code == 200
    page = parse(response.text)
    assert page.h1 == "Su primera reunión con Sam"
    assert "para Sam:" in page.text
    assert "Proponer esta hora a Sam" in page.text


def test_a_suggestion_proposed_waits_for_the_partner_who_accepts_it(
    app: Flask,
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    pair: Pair,
) -> None:
    start = _stored(services, pair).suggestions[0]
    sent = _press(client, pair.meeting, "/propose")
    assert sent.status_code == 302
    mine = client.get(pair.meeting).text
    assert "waiting for Sam to accept it" in mine
    assert "Accept this time" not in mine

    sam = _as_sam(app, services, pair)
    sam_page = _meeting_path(pair.match)
    accepted = _press(sam, sam_page, "/accept")
    assert accepted.status_code == 302
    assert "Your meeting is booked" in sam.get(sam_page).text
    view = _stored(services, pair)
    assert view.state == "booked"
    assert view.start == start

    services.mail.drain(per_second=1000)
    for email, zone in (
        (pair.match.mentee, "Europe/Madrid"),
        (pair.match.mentor, "America/New_York"),
    ):
        (invite,) = _invites(mailbox, email)
        assert str(invite["METHOD"]) == "REQUEST"
        event = next(c for c in invite.walk() if c.name == "VEVENT")
        assert event.decoded("DTSTART").astimezone(UTC) == start
        message = next(m for r, m in mailbox.sent if r == email and _invites(mailbox, email))
        with i18n.speaking("en"):
            assert i18n.format_moment(start, zone, today=clock().date()) in _text(message)


def test_a_time_in_the_past_is_refused_and_nothing_is_stored(
    client: FlaskClient, services: Services, pair: Pair
) -> None:
    refused = _typed(client, pair.meeting, day="2026-03-01", clock="18:00")
    assert refused.status_code == 422
    assert "That time is in the past" in parse(refused.text).text
    assert _stored(services, pair).proposals == ()


def test_a_time_outside_the_pairs_hours_is_refused(
    client: FlaskClient, services: Services, pair: Pair
) -> None:
    # Saturday 7 March: neither of them is free at weekends.
    refused = _typed(client, pair.meeting, day="2026-03-07", clock="18:00")
    assert refused.status_code == 422
    assert "outside" in parse(refused.text).text
    assert _stored(services, pair).proposals == ()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": "", "clock": "18:00"}, "day", "Please give the day of the meeting."),
        ({"day": "4/3/2026", "clock": "18:00"}, "day", "as year-month-day"),
        ({"day": "2026-02-30", "clock": "18:00"}, "day", "as year-month-day"),
        ({"day": "2026-03-04", "clock": ""}, "clock", "Please give the time of the meeting."),
        ({"day": "2026-03-04", "clock": "25:00"}, "clock", "on a 24-hour clock"),
        (
            {"day": "2026-03-04", "clock": "18:00", "link": "http://meet.example.org/r"},
            "link",
            "https://",
        ),
    ],
)
def test_bad_input_is_named_beside_its_field(
    client: FlaskClient,
    services: Services,
    pair: Pair,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    refused = _typed(client, pair.meeting, **data)
    assert refused.status_code == 422
    error = parse(refused.text).find(id=f"{field}-error")
    assert error is not None
    assert message in error.text
    assert _stored(services, pair).proposals == ()


def test_a_pasted_https_link_is_the_meetings_link(
    app: Flask, client: FlaskClient, services: Services, pair: Pair
) -> None:
    start = _stored(services, pair).suggestions[1]
    local = start.astimezone(i18n.zone("Europe/Madrid"))
    sent = _typed(
        client,
        pair.meeting,
        day=local.date().isoformat(),
        clock=f"{local:%H:%M}",
        link="https://video.example.org/ana-and-sam",
    )
    assert sent.status_code == 302
    sam = _as_sam(app, services, pair)
    assert _press(sam, _meeting_path(pair.match), "/accept").status_code == 302
    page = client.get(pair.meeting).text
    assert 'href="https://video.example.org/ana-and-sam"' in page
    assert _stored(services, pair).start == start


def test_an_accept_on_an_out_of_date_page_changes_nothing_and_says_so(
    app: Flask, client: FlaskClient, services: Services, pair: Pair
) -> None:
    _press(client, pair.meeting, "/propose", 0)
    sam = _as_sam(app, services, pair)
    sam_page = _meeting_path(pair.match)
    stale = sam.get(sam_page).text
    # Ana proposes another time meanwhile: Sam's page shows an old version.
    _press(client, pair.meeting, "/propose", 1)
    form = next(
        f for f in parse(stale).find_all("form") if (f.get("action") or "").endswith("/accept")
    )
    late = sam.post(
        form.get("action") or "",
        data={
            "csrf_token": csrf_token(stale),
            "version": form.value_of("version") or "",
            "proposal": form.value_of("proposal") or "",
        },
    )
    assert late.status_code == 409
    assert "a moment ago" in parse(late.text).text
    assert _stored(services, pair).state == "proposed"


def test_cancelling_sends_a_cancel_to_both(
    app: Flask, client: FlaskClient, services: Services, mailbox: MemorySender, pair: Pair
) -> None:
    _press(client, pair.meeting, "/propose")
    sam = _as_sam(app, services, pair)
    _press(sam, _meeting_path(pair.match), "/accept")
    cancelled = _press(client, pair.meeting, "/cancel")
    assert cancelled.status_code == 302
    assert "Your meeting was cancelled" in client.get(pair.meeting).text
    assert _stored(services, pair).state == "cancelled"
    services.mail.drain(per_second=1000)
    for email in (pair.match.mentee, pair.match.mentor):
        methods = sorted(str(invite["METHOD"]) for invite in _invites(mailbox, email))
        assert methods == ["CANCEL", "REQUEST"]


def test_a_partner_who_unsubscribed_gets_no_invite(
    app: Flask, client: FlaskClient, services: Services, mailbox: MemorySender, pair: Pair
) -> None:
    _press(client, pair.meeting, "/propose")
    sam = _as_sam(app, services, pair)
    _press(sam, _meeting_path(pair.match), "/accept")
    services.mail.drain(per_second=1000)  # the invites, sent before Sam unsubscribes
    token = services.unsubscribes.url(pair.match.mentor).rsplit("/", 1)[1]
    services.unsubscribes.unsubscribe(token)
    _press(client, pair.meeting, "/cancel")
    services.mail.drain(per_second=1000)
    assert sorted(str(i["METHOD"]) for i in _invites(mailbox, pair.match.mentee)) == [
        "CANCEL",
        "REQUEST",
    ]
    assert [str(i["METHOD"]) for i in _invites(mailbox, pair.match.mentor)] == ["REQUEST"]


def test_without_the_pairs_sign_in_the_page_is_refused(app: Flask, pair: Pair) -> None:
    assert app.test_client().get(pair.meeting).status_code == 403


def test_the_page_never_promises_an_email_to_someone_who_turned_them_off(
    app: Flask, client: FlaskClient, services: Services, mailbox: MemorySender, pair: Pair
) -> None:
    token = services.unsubscribes.url(pair.match.mentor).rsplit("/", 1)[1]
    services.unsubscribes.unsubscribe(token)  # Sam turned off program email
    proposed = _press(client, pair.meeting, "/propose")
    assert proposed.status_code == 302
    page = parse(client.get(pair.meeting).text).text
    assert "Sam is asked to accept it by email" not in page
    assert "Sam can accept it on this page" in page
    assert "Sam has turned off program email" in page
    assert "tell them yourself" in page

    sam = _as_sam(app, services, pair)
    sam_page = _meeting_path(pair.match)
    assert _press(sam, sam_page, "/accept").status_code == 302
    told = parse(sam.get(sam_page).text).text
    assert "you both get a calendar invite" not in told
    assert "The meeting is booked: Ana gets a calendar invite by email." in told
    assert "You have turned off program email" in told
    # The booked meeting says so whenever either of them opens it, not only once.
    booked = parse(sam.get(sam_page).text).find(id="invited")
    assert booked is not None
    assert "You both received a calendar invite" not in booked.text
    assert "Ana received a calendar invite by email. You have turned off program email" in (
        booked.text
    )
    mine = parse(client.get(pair.meeting).text).find(id="invited")
    assert mine is not None
    assert "You received a calendar invite by email. Sam has turned off program email" in (
        mine.text
    )
    services.mail.drain(per_second=1000)
    assert _invites(mailbox, pair.match.mentor) == []
    assert len(_invites(mailbox, pair.match.mentee)) == 1


def test_a_link_pasted_to_move_a_booked_meeting_waits_for_the_new_time(
    app: Flask, client: FlaskClient, services: Services, pair: Pair
) -> None:
    start = _stored(services, pair).suggestions[0]
    local = start.astimezone(i18n.zone("Europe/Madrid"))
    _typed(
        client,
        pair.meeting,
        day=local.date().isoformat(),
        clock=f"{local:%H:%M}",
        link="https://video.example.org/first",
    )
    sam = _as_sam(app, services, pair)
    _press(sam, _meeting_path(pair.match), "/accept")
    later = _stored(services, pair).suggestions[2]
    local = later.astimezone(i18n.zone("Europe/Madrid"))
    moved = _typed(
        client,
        pair.meeting,
        day=local.date().isoformat(),
        clock=f"{local:%H:%M}",
        link="https://video.example.org/second",
    )
    assert moved.status_code == 302
    page = parse(client.get(pair.meeting).text)
    booked = page.find(id="booked")
    assert booked is not None
    assert booked.find("a", href="https://video.example.org/first") is not None
    proposals = page.find(id="proposals")
    assert proposals is not None
    assert "https://video.example.org/second" in proposals.text
    assert _stored(services, pair).link == "https://video.example.org/first"


def test_a_meeting_that_has_started_offers_no_cancel_and_refuses_one(
    app: Flask, client: FlaskClient, services: Services, clock: FakeClock, pair: Pair
) -> None:
    _press(client, pair.meeting, "/propose")
    sam = _as_sam(app, services, pair)
    _press(sam, _meeting_path(pair.match), "/accept")
    start = _stored(services, pair).start
    assert start is not None
    clock.now = start + timedelta(minutes=5)
    # Days after the first sign-in: Ana signs in again.
    sign_in(client, services.checkins.page_url("demo", pair.match.mentee))
    html = client.get(pair.meeting).text
    page = parse(html)
    assert not [f for f in page.find_all("form") if (f.get("action") or "").endswith("/cancel")]
    assert "it can no longer be moved or cancelled" in page.text
    # Nor moved: no times to move it to, no form to propose one.
    assert not [f for f in page.find_all("form") if (f.get("action") or "").endswith("/propose")]
    assert page.find(id="suggestions") is None
    # A page opened before it started still had the button: pressing it is refused.
    refused = client.post(
        f"{pair.meeting}/cancel",
        data={"csrf_token": csrf_token(html), "version": str(_stored(services, pair).version)},
    )
    assert refused.status_code == 422
    assert "The meeting has started or is over" in parse(refused.text).text
    assert _stored(services, pair).state == "booked"


def _booked_then_started(
    app: Flask, client: FlaskClient, services: Services, clock: FakeClock, pair: Pair
) -> tuple[str, datetime, FlaskClient]:
    """Book the first suggestion, have Sam propose another time, then let the booked time
    pass; the page Ana opened before it started (to press its buttons later)."""
    _press(client, pair.meeting, "/propose")
    sam = _as_sam(app, services, pair)
    _press(sam, _meeting_path(pair.match), "/accept")
    later = _stored(services, pair).suggestions[1]
    assert _press(sam, _meeting_path(pair.match), "/propose", index=0).status_code == 302
    html = client.get(pair.meeting).text  # before the start: every button is there
    start = _stored(services, pair).start
    assert start is not None
    assert later != start
    clock.now = start + timedelta(minutes=5)
    sign_in(client, services.checkins.page_url("demo", pair.match.mentee))
    return html, start, sam


def test_a_meeting_that_has_started_cannot_be_moved(
    app: Flask,
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    clock: FakeClock,
    pair: Pair,
) -> None:
    html, start, _ = _booked_then_started(app, client, services, clock, pair)
    services.mail.drain(per_second=1000)
    before = len(mailbox.sent)
    version = str(_stored(services, pair).version)
    later = start + timedelta(days=2)
    local = later.astimezone(i18n.zone("Europe/Madrid"))
    moved = client.post(
        f"{pair.meeting}/propose",
        data={
            "csrf_token": csrf_token(html),
            "version": version,
            "day": local.date().isoformat(),
            "clock": f"{local:%H:%M}",
        },
    )
    assert moved.status_code == 422
    assert "it can no longer be moved to another time" in parse(moved.text).text
    # Sam's proposal, made before the start, cannot be accepted now either.
    proposal = parse(html).find("input", name="proposal")
    assert proposal is not None
    accepted = client.post(
        f"{pair.meeting}/accept",
        data={
            "csrf_token": csrf_token(html),
            "version": version,
            "proposal": proposal.get("value") or "",
        },
    )
    assert accepted.status_code == 422
    assert "it can no longer be moved to another time" in parse(accepted.text).text
    view = _stored(services, pair)
    assert (view.state, view.start) == ("booked", start)
    services.mail.drain(per_second=1000)
    assert len(mailbox.sent) == before  # no updated invite shifts the past event


def test_a_started_meeting_and_its_refusal_are_in_spanish(
    app: Flask, services: Services, clock: FakeClock
) -> None:
    match, ana, sam = _people(services, clock, ana_speaks="es")
    spanish = app.test_client()
    sign_in(spanish, services.checkins.page_url("demo", match.mentee))
    pair = Pair(match, ana, sam, _meeting_path(match))
    html, _, _ = _booked_then_started(app, spanish, services, clock, pair)
    page = spanish.get(pair.meeting).text
    assert english_left(visible_text(page)) == []
    refused = spanish.post(
        f"{pair.meeting}/cancel",
        data={"csrf_token": csrf_token(html), "version": str(_stored(services, pair).version)},
    )
    assert refused.status_code == 422
    assert english_left(visible_text(refused.text)) == []
