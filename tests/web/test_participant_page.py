"""A participant's own page after the introduction: agreement, goals, check-ins, pause, leave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.checkins import Fit, GoalState, Kind
from portal.domain.checkins import match_ref as ref
from portal.domain.matches import MatchState
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from portal.persistence.matches import StoredMatch
from portal.presenters.reasons import strengths
from tests.conftest import FakeClock, csrf_token, links_in, table_snapshot
from tests.factories import ROUND, matched_pair, seed_demo_people
from tests.web.dom import parse

BASE = "http://portal.test"


@dataclass
class Pair:
    match: StoredMatch
    mentee: str
    mentor: str
    page: str  # the mentee's page, signed in


def _sign_in(client: FlaskClient, link: str) -> TestResponse:
    path = link.removeprefix(BASE)
    opened = client.get(path)
    assert opened.status_code == 200
    return client.post(path, data={"csrf_token": csrf_token(opened.text)})


def _page_link(mailbox: MemorySender, to: str) -> str:
    for recipient, message in mailbox.sent:
        if recipient == to and message["Subject"].startswith("Meet"):
            return next(u for u in links_in(message) if "/me/" in u)
    raise AssertionError(f"no introduction for {to}")


@pytest.fixture
def pair(client: FlaskClient, services: Services, clock: FakeClock) -> Pair:
    """A demo mentor and mentee in an active match, the mentee signed in from a page link."""
    match = matched_pair(services, clock)
    signed = _sign_in(client, services.checkins.page_url("demo", match.mentee))
    assert signed.status_code == 302
    return Pair(match, match.mentee, match.mentor, signed.headers["Location"])


def _mentor_page(app: Flask, services: Services, pair: Pair) -> str:
    browser = app.test_client()
    signed = _sign_in(browser, services.checkins.page_url("demo", pair.mentor))
    return browser.get(signed.headers["Location"]).text


def test_the_link_in_an_introduction_opens_the_persons_page(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    seed_demo_people(services, program, clock())
    services.rounds.run(program, ROUND, trigger="cli")
    services.mail.drain(per_second=1000)
    match = sorted(services.rounds.matches.active("demo"), key=lambda m: m.mentee)[0]
    signed = _sign_in(client, _page_link(mailbox, match.mentee))
    assert signed.status_code == 302
    page = client.get(signed.headers["Location"]).text
    other = services.participants.get("demo", match.mentor)
    assert other is not None
    assert other.name in page
    assert strengths(match.reasons, "mentee")[0] in page  # the words, from their side


def _post(client: FlaskClient, page: str, action: str, **data: object) -> TestResponse:
    """Press a button of the page: the form whose action ends with `action`."""
    html = client.get(page).text
    forms = [f for f in parse(html).find_all("form") if (f.get("action") or "").endswith(action)]
    assert forms, f"no form ending {action} on the page"
    return client.post(
        forms[0].get("action") or "", data={"csrf_token": forms[0].value_of("csrf_token"), **data}
    )


def test_the_page_shows_the_match_why_and_the_agreement(client: FlaskClient, pair: Pair) -> None:
    page = parse(client.get(pair.page).text)
    assert page.h1.startswith("Hello, ")
    text = page.text
    assert pair.mentor in text
    assert "Why you were matched" in text
    assert "I accept the agreement" in text
    assert "Our mentoring agreement" in text


def test_without_the_link_the_page_is_refused(app: Flask, pair: Pair) -> None:
    assert app.test_client().get(pair.page).status_code == 403


def test_accepting_the_agreement_shows_on_both_pages(
    client: FlaskClient, app: Flask, pair: Pair, services: Services
) -> None:
    done = _post(client, pair.page, "/agree")
    assert done.status_code == 302
    mine = client.get(pair.page).text
    assert "You accepted the agreement" in mine
    assert "I accept the agreement" not in mine
    assert "has accepted it" in _mentor_page(app, services, pair)
    stored = services.rounds.matches.get("demo", pair.match.match_id)
    assert stored is not None
    assert stored.mentee_agreed_at is not None
    assert stored.mentor_agreed_at is None


def test_goals_are_added_and_moved_along_by_either_person(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    assert _post(client, pair.page, "/goals", text="Run a team meeting").status_code == 302
    goals = services.checkins.goals.for_match(pair.match.match_id)
    assert [(g.text, g.state) for g in goals] == [("Run a team meeting", GoalState.NOT_STARTED)]
    assert "Run a team meeting" in client.get(pair.page).text
    html = client.get(pair.page).text
    form = next(f for f in parse(html).find_all("form") if "/goals/" in (f.get("action") or ""))
    client.post(
        form.get("action") or "",
        data={"csrf_token": csrf_token(html), "state": GoalState.IN_PROGRESS.value},
    )
    assert services.checkins.goals.for_match(pair.match.match_id)[0].state is (
        GoalState.IN_PROGRESS
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please write the goal."),
        ("x" * 201, "Between 3 and 200 characters"),
        ("<b>learn</b>", "plain text"),
    ],
)
def test_a_bad_goal_is_refused_with_its_reason_and_nothing_is_stored(
    client: FlaskClient, pair: Pair, services: Services, text: str, message: str
) -> None:
    before = table_snapshot()
    response = _post(client, pair.page, "/goals", text=text)
    # The page comes back with the message beside the goal field and the text kept.
    assert response.status_code == 422
    page = parse(response.text)
    match_ref = ref(pair.match.match_id)
    error = page.by_id(f"new-goal-{match_ref}-error")
    assert error is not None
    assert message in error.text
    assert page.value_of("text") == text
    assert page.title.startswith("Error: ")
    assert services.checkins.goals.for_match(pair.match.match_id) == []
    assert table_snapshot() == before


def _checkin_form(client: FlaskClient, pair: Pair) -> tuple[str, str]:
    html = client.get(pair.page).text
    link = next(a.get("href") for a in parse(html).find_all("a") if a.text == "Log a check-in")
    assert link is not None
    form = client.get(link)
    assert form.status_code == 200
    return link, form.text


GOOD_CHECKIN = {
    "met": "yes",
    "day": "2026-03-01",
    "minutes": "45",
    "topics": ["python", "leadership"],
    "satisfaction": "4",
    "fit": "good",
    "note": "Going well so far.",
}


def test_a_check_in_is_stored_and_shows_in_the_history(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    link, html = _checkin_form(client, pair)
    assert 'value="2026-03-02"' in html  # today, filled in
    assert "Is this a good match for you?" in html
    done = client.post(link, data={**GOOD_CHECKIN, "csrf_token": csrf_token(html)})
    assert done.status_code == 302
    [stored] = services.checkins.history(pair.match.match_id)
    assert stored.author == pair.mentee
    assert stored.kind is Kind.CHECKIN
    assert (stored.met, stored.minutes, stored.satisfaction, stored.fit) == (True, 45, 4, Fit.GOOD)
    assert stored.topics == ("python", "leadership")
    page = client.get(pair.page).text
    assert "met on 1 Mar for 45 minutes" in page
    assert "Going well so far." in page  # the author sees their own private note
    # Asked once: the second form has no fit question, and keeps last time's answers.
    _, again = _checkin_form(client, pair)
    assert "Is this a good match for you?" not in again
    assert 'value="45"' in again


def test_the_private_note_is_not_shown_to_the_other_person(
    client: FlaskClient, app: Flask, pair: Pair, services: Services
) -> None:
    link, html = _checkin_form(client, pair)
    client.post(link, data={**GOOD_CHECKIN, "csrf_token": csrf_token(html)})
    theirs = _mentor_page(app, services, pair)
    assert "met on 1 Mar" in theirs
    assert "Going well so far." not in theirs


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"met": None}, "Please say whether you met."),
        ({"day": ""}, "Please give the date you met."),
        ({"day": "1 March"}, "year-month-day"),
        ({"day": "2026-03-09"}, "in the future"),
        ({"day": "2025-03-01"}, "more than six months ago"),
        ({"minutes": "0"}, "From 5 to 600 minutes."),
        ({"minutes": "lots"}, "whole number"),
        ({"satisfaction": "9"}, "Not a valid choice"),
        ({"satisfaction": None}, "Please give a rating"),
        ({"topics": ["astrology"]}, "not a valid choice"),
        ({"note": "x" * 10_000}, "2000"),
        ({"note": "<script>alert(1)</script>"}, "plain text"),
        ({"fit": None}, "whether the match works"),
    ],
)
def test_a_bad_check_in_gets_the_form_back_with_the_reason_and_stores_nothing(
    client: FlaskClient, pair: Pair, services: Services, changes: dict, message: str
) -> None:
    link, html = _checkin_form(client, pair)
    data = {k: v for k, v in {**GOOD_CHECKIN, **changes}.items() if v is not None}
    before = table_snapshot()
    response = client.post(link, data={**data, "csrf_token": csrf_token(html)})
    assert response.status_code == 422
    assert message.casefold() in response.text.casefold()
    assert services.checkins.history(pair.match.match_id) == []
    assert table_snapshot() == before


def test_a_check_in_without_a_meeting_needs_no_date(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    link, html = _checkin_form(client, pair)
    data = {"met": "no", "satisfaction": "3", "csrf_token": csrf_token(html)}
    assert client.post(link, data=data).status_code == 302
    [stored] = services.checkins.history(pair.match.match_id)
    assert (stored.met, stored.day, stored.minutes) == (False, None, None)
    assert "did not meet" in client.get(pair.page).text


def test_the_check_in_link_of_a_reminder_opens_the_form_of_that_match(
    app: Flask, pair: Pair, services: Services
) -> None:
    url = services.checkins.checkin_url("demo", pair.match.match_id, pair.mentor, "day-30")
    browser = app.test_client()
    assert browser.get(url.removeprefix(BASE)).status_code == 200
    nothing_used = services.checkins.checkin_url("demo", pair.match.match_id, pair.mentor)
    assert browser.get(nothing_used.removeprefix(BASE)).status_code == 200
    signed = _sign_in(browser, url)
    assert signed.status_code == 302
    form = browser.get(signed.headers["Location"])
    assert form.status_code == 200
    assert "Day 30 survey" in form.text
    data = {"met": "no", "satisfaction": "5", "fit": "good", "csrf_token": csrf_token(form.text)}
    assert browser.post(signed.headers["Location"], data=data).status_code == 302
    [stored] = services.checkins.history(pair.match.match_id)
    assert (stored.author, stored.kind, stored.survey) == (pair.mentor, Kind.SURVEY, "day-30")
    assert app.test_client().get(url.removeprefix(BASE)).status_code == 410  # used up


def test_the_closing_survey_link_opens_its_form_after_the_match_completed_its_cycle(
    app: Flask, pair: Pair, services: Services, clock: FakeClock, mailbox: MemorySender
) -> None:
    clock.now = pair.match.created_at + timedelta(weeks=12, days=1)
    services.reminders.remind(clock())
    services.mail.drain(per_second=1000)
    completed = services.rounds.matches.get("demo", pair.match.match_id)
    assert completed is not None
    assert completed.status is MatchState.COMPLETED
    (survey,) = [m for to, m in mailbox.sent if to == pair.mentor and "look back" in m["Subject"]]
    url = next(u for u in links_in(survey) if "/checkin/" in u)
    browser = app.test_client()

    signed = _sign_in(browser, url)
    form = browser.get(signed.headers["Location"])

    assert form.status_code == 200
    assert "<h1>Closing survey</h1>" in form.text
    assert "Your cycle has come to an end." in form.text
    assert "Is this a good match for you?" not in form.text  # they no longer work together
    data = {
        "met": "yes",
        "day": clock().date().isoformat(),
        "minutes": "60",
        "satisfaction": "5",
        "csrf_token": csrf_token(form.text),
    }
    saved = browser.post(signed.headers["Location"], data=data)
    assert saved.status_code == 302
    [stored] = services.checkins.history(pair.match.match_id)
    assert (stored.author, stored.kind, stored.survey, stored.satisfaction) == (
        pair.mentor,
        Kind.SURVEY,
        "closing",
        5,
    )
    page = browser.get(saved.headers["Location"]).text
    assert "Thank you: your check-in is saved." in page
    assert "Log a check-in" not in page  # the completed match is no longer on the page


def test_a_quick_rating_link_records_once_and_only_for_its_owner(
    client: FlaskClient, app: Flask, pair: Pair, services: Services
) -> None:
    links = dict(services.checkins.rating_urls("demo", pair.match.match_id, pair.mentor))
    path = links[2].removeprefix(BASE)
    # Someone else, signed in as the mentee, cannot record the mentor's rating.
    opened = client.get(path)
    assert opened.status_code == 200
    assert "Record 2 of 5" in opened.text
    before = table_snapshot()
    refused = client.post(path, data={"csrf_token": csrf_token(opened.text)})
    assert refused.status_code == 403
    # Who can help, by address: a reply to the reminder would go to the portal's own.
    assert "reply to the email" not in refused.text
    assert 'href="mailto:organizer@example.org"' in refused.text
    assert services.checkins.history(pair.match.match_id) == []
    assert table_snapshot() == before
    # Its owner, from the email, with one button.
    owner = app.test_client()
    page = owner.get(path)
    done = owner.post(path, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    assert "You rated your mentoring 2 of 5" in done.text
    [stored] = services.checkins.history(pair.match.match_id)
    assert (stored.author, stored.kind, stored.satisfaction) == (pair.mentor, Kind.RATING, 2)
    # The same link, or another rating from it, never records again.
    other = links[5].removeprefix(BASE)
    again = app.test_client()
    recorded = table_snapshot()
    used = again.get(other)
    assert used.status_code == 410
    # No dead end: signing up again cannot rate a match; the check-in link can.
    assert "sign up again" not in used.text.lower()
    assert "already been used" in used.text
    assert "Log a check-in" in used.text
    assert owner.post(path, data={"csrf_token": csrf_token(page.text)}).status_code == 410
    assert len(services.checkins.history(pair.match.match_id)) == 1
    assert table_snapshot() == recorded


def test_mail_scanners_opening_every_rating_link_record_nothing(
    app: Flask, pair: Pair, services: Services
) -> None:
    scanner = app.test_client()
    for _, url in services.checkins.rating_urls("demo", pair.match.match_id, pair.mentor):
        assert scanner.get(url.removeprefix(BASE)).status_code == 200
    assert services.checkins.history(pair.match.match_id) == []


def test_pausing_ends_the_match_frees_both_places_and_resuming_returns_to_the_pool(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    assert _post(client, pair.page, "/pause").status_code == 302
    me = services.participants.get("demo", pair.mentee)
    mentor = services.participants.get("demo", pair.mentor)
    assert me is not None
    assert mentor is not None
    assert (me.status, me.active_matches, mentor.active_matches) == (Status.PAUSED, 0, 0)
    stored = services.rounds.matches.get("demo", pair.match.match_id)
    assert stored is not None
    assert (stored.status, stored.end_reason) == ("ended", "paused")
    page = client.get(pair.page).text
    assert page.count("You are paused") == 1  # the standing notice, not a flash beside it
    assert "no reminders" in page
    assert _post(client, pair.page, "/resume").status_code == 302
    resumed = services.participants.get("demo", pair.mentee)
    assert resumed is not None
    assert resumed.status is Status.CONFIRMED


def test_asking_for_another_match_ends_this_one_and_the_pair_is_never_repeated(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    assert _post(client, pair.page, "/rematch").status_code == 302
    stored = services.rounds.matches.get("demo", pair.match.match_id)
    assert stored is not None
    assert (stored.status, stored.end_reason) == ("ended", "rematch")
    me = services.participants.get("demo", pair.mentee)
    assert me is not None
    assert (me.status, me.active_matches) == (Status.CONFIRMED, 0)
    assert frozenset((pair.mentor, pair.mentee)) in services.rounds.matches.history("demo")
    assert "You are not matched yet" in client.get(pair.page).text


def test_leaving_asks_first_then_ends_everything_and_a_new_sign_up_is_allowed(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    question = client.get(pair.page.replace(pair.page.rsplit("/", 1)[-1], "demo/leave"))
    assert question.status_code == 200
    assert "Leave the program" in question.text
    assert services.participants.get("demo", pair.mentee).status is Status.CONFIRMED
    left = client.post("/me/programs/demo/leave", data={"csrf_token": csrf_token(question.text)})
    assert left.status_code == 200
    assert "You have left" in left.text
    me = services.participants.get("demo", pair.mentee)
    assert me is not None
    assert (me.status, me.active_matches) == (Status.LEFT, 0)
    assert services.rounds.matches.get("demo", pair.match.match_id).status == "ended"


def test_a_profile_change_is_stored_and_a_bad_one_is_refused(
    client: FlaskClient, pair: Pair, services: Services
) -> None:
    before = services.participants.get("demo", pair.mentee)
    assert before is not None
    form = client.get("/me/programs/demo/profile")
    assert form.status_code == 200
    assert before.name in form.text
    data = {
        "name": before.name,
        "languages": list(before.languages),
        "timezone": before.timezone,
        "availability": list(before.availability),
        "goals": list(before.goals),
        "seniority": before.seniority or "early",
        "department": before.department,
        "bio": "Now learning Rust as well.",
        **{f"q_{k}": v for k, v in before.answers.items()},
        "csrf_token": csrf_token(form.text),
    }
    stored = table_snapshot()
    bad = client.post("/me/programs/demo/profile", data={**data, "timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert services.participants.get("demo", pair.mentee).bio == before.bio
    assert table_snapshot() == stored
    assert client.post("/me/programs/demo/profile", data=data).status_code == 302
    after = services.participants.get("demo", pair.mentee)
    assert after is not None
    assert after.bio == "Now learning Rust as well."
    assert (after.email, after.role, after.status) == (before.email, before.role, before.status)


def test_a_used_link_opened_again_in_the_same_browser_goes_straight_on(
    client: FlaskClient, app: Flask, pair: Pair, services: Services
) -> None:
    url = services.checkins.checkin_url("demo", pair.match.match_id, pair.mentee)
    first = _sign_in(client, url)
    again = client.get(url.removeprefix(BASE))
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    # Anyone else holding the used link gets no further.
    assert app.test_client().get(url.removeprefix(BASE)).status_code == 410


def _ended_emails(mailbox: MemorySender, to: str) -> list[str]:
    return [m["Subject"] for r, m in mailbox.sent if r == to and "has ended" in m["Subject"]]


def test_the_other_person_is_told_kindly_when_a_match_ends(
    client: FlaskClient, pair: Pair, services: Services, mailbox: MemorySender
) -> None:
    _post(client, pair.page, "/rematch")
    services.mail.drain(per_second=1000)
    me = services.participants.get("demo", pair.mentee)
    assert me is not None
    [(to, message)] = [(r, m) for r, m in mailbox.sent if "has ended" in m["Subject"]]
    assert to == pair.mentor
    assert message["Subject"] == f"Your match with {me.first_name} has ended"
    text = " ".join(message.get_body(preferencelist=("plain",)).get_content().split())
    assert "asked for a new match" in text
    assert "You are back in the matching pool" in text
    assert "/me/" in text


def test_a_check_in_that_asks_for_another_match_ends_the_match(
    client: FlaskClient, pair: Pair, services: Services, mailbox: MemorySender
) -> None:
    link, html = _checkin_form(client, pair)
    data = {**GOOD_CHECKIN, "fit": "rematch", "satisfaction": "2", "csrf_token": csrf_token(html)}
    assert client.post(link, data=data).status_code == 302
    stored = services.rounds.matches.get("demo", pair.match.match_id)
    assert stored is not None
    assert (stored.status, stored.end_reason, stored.ended_by) == ("ended", "rematch", pair.mentee)
    [checkin] = services.checkins.history(pair.match.match_id)
    assert checkin.fit is Fit.REMATCH  # kept for the organizers' summary
    assert "you are back in the matching pool" in client.get(pair.page).text
    services.mail.drain(per_second=1000)
    assert len(_ended_emails(mailbox, pair.mentor)) == 1


def test_the_weekly_summary_lists_a_match_that_ended_early(
    client: FlaskClient, pair: Pair, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    _post(client, pair.page, "/pause")
    clock.advance(days=2)
    program = services.programs.get("demo")
    assert program is not None
    report = services.summaries.summary_for(program, clock())
    [ended] = report.progress.ended
    assert (ended.reason, ended.by) == ("paused", pair.mentee)
    context = services.summaries.context(report)
    me = services.participants.get("demo", pair.mentee)
    assert me is not None
    assert context["ended"][0]["why"] == "paused"
    assert context["ended"][0]["by"]["name"] == me.name
