"""Bad input on every form: files, repeated or unknown choices, invisible text, links.

Each gets the form back with a message beside its field (422) and nothing stored; none is
a server error. The app runs as in production here (exceptions become the 500 page).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.checkins import match_ref
from portal.mail.senders import MemorySender
from portal.persistence.matches import StoredMatch
from portal.web.forms import FILE_MESSAGE
from tests.conftest import FakeClock, csrf_token
from tests.factories import matched_pair
from tests.web.dom import parse
from tests.web.helpers import GOOD, assert_error_beside, assert_nothing_stored, sign_up

INVISIBLE = "Please use plain text, without invisible characters"
NO_LINKS = "Please leave out web and email addresses."


def a_file() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"not an answer"), "somefile.txt"


@pytest.fixture(autouse=True)
def _as_in_production(app: Flask) -> None:
    app.config.update(PROPAGATE_EXCEPTIONS=False)  # a crash is a 500 page, as a visitor sees


def _join_multipart(client: FlaskClient, data: dict[str, Any]) -> TestResponse:
    page = client.get("/programs/demo/join/mentee")
    return client.post(
        "/programs/demo/join/mentee",
        data={**data, "csrf_token": csrf_token(page.text)},
        content_type="multipart/form-data",
    )


def _kind(changes: dict[str, Any]) -> str:
    """Multipart when a file is sent, as a browser does; else a plain form (no part limit)."""
    files = any(isinstance(value, tuple) for value in changes.values())
    return "multipart/form-data" if files else "application/x-www-form-urlencoded"


# -- a file sent in a field -----------------------------------------------------------------

SIGN_UP_FIELDS = [
    "name",
    "email",
    "department",
    "bio",
    "seniority",
    "timezone",
    "languages",
    "availability",
    "goals",
    "q_industry",
    "q_meeting_style",
    "consent",
]


@pytest.mark.parametrize("field", SIGN_UP_FIELDS)
def test_a_file_in_any_sign_up_field_gets_the_form_back_with_a_message(
    client: FlaskClient, services: Services, mailbox: MemorySender, field: str
) -> None:
    response = _join_multipart(client, {**GOOD, field: a_file()})
    assert_error_beside(response, field, FILE_MESSAGE)
    assert "somefile.txt" not in response.text
    assert_nothing_stored(mailbox)


def test_a_file_beside_typed_choices_is_refused_too(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    response = _join_multipart(client, {**GOOD, "languages": ["English", a_file()]})
    assert_error_beside(response, "languages", FILE_MESSAGE)
    assert_nothing_stored(mailbox)


# -- the participant's page: profile, goals, check-ins --------------------------------------


@pytest.fixture
def match(client: FlaskClient, services: Services, clock: FakeClock) -> StoredMatch:
    """A demo mentor and mentee in an active match, the mentee signed in from a page link."""
    stored = matched_pair(services, clock)
    path = services.checkins.page_url("demo", stored.mentee).removeprefix("http://portal.test")
    opened = client.get(path)
    assert client.post(path, data={"csrf_token": csrf_token(opened.text)}).status_code == 302
    return stored


def _profile_data(client: FlaskClient, services: Services, mentee: str) -> dict[str, Any]:
    person = services.participants.get("demo", mentee)
    assert person is not None
    form = client.get("/me/programs/demo/profile")
    assert form.status_code == 200
    return {
        "name": person.name,
        "languages": list(person.languages),
        "timezone": person.timezone,
        "availability": list(person.availability),
        "goals": list(person.goals),
        "seniority": person.seniority or "early",
        "department": person.department,
        "bio": person.bio,
        **{f"q_{k}": v for k, v in person.answers.items()},
        "csrf_token": csrf_token(form.text),
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": a_file()}, "name", FILE_MESSAGE),
        ({"bio": a_file()}, "bio", FILE_MESSAGE),
        ({"availability": a_file()}, "availability", FILE_MESSAGE),
        ({"availability": ["mon-evening"] * 5000}, "availability", "more than once"),
        ({"languages": ["English", "English"]}, "languages", "more than once"),
        ({"name": "Ada\u200bLovelace"}, "name", INVISIBLE),
        ({"name": "Ada www.evil.example"}, "name", NO_LINKS),
        ({"bio": "a.example b.example c.example"}, "bio", "Please keep to 2 links at most"),
    ],
    ids=["file-name", "file-bio", "file-slots", "repeated-slot", "repeated-language",
         "zero-width-space", "link-in-name", "three-links"],
)  # fmt: skip
def test_a_bad_profile_change_gets_the_form_back_and_changes_nothing(
    client: FlaskClient,
    services: Services,
    match: StoredMatch,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    before = services.participants.get("demo", match.mentee)
    data = {**_profile_data(client, services, match.mentee), **changes}
    response = client.post("/me/programs/demo/profile", data=data, content_type=_kind(changes))
    assert_error_beside(response, field, message)
    assert services.participants.get("demo", match.mentee) == before


def _add_goal(client: FlaskClient, match: StoredMatch, text: Any) -> TestResponse:
    page = client.get("/me/programs/demo")
    ref = match_ref(match.match_id)
    return client.post(
        f"/me/programs/demo/matches/{ref}/goals",
        data={"text": text, "csrf_token": csrf_token(page.text)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (a_file(), FILE_MESSAGE),
        ("Run a\u200b team meeting", INVISIBLE),
        ("\u202eRun a team meeting", INVISIBLE),
        ("Run a\x9b31m team meeting", "Please use plain text, without control characters."),
        ("   \t  ", "Please write the goal."),  # six characters, but no goal
        ("  ab  ", "Between 3 and 200 characters, please."),
    ],
    ids=["file", "zero-width-space", "right-to-left-override", "c1-control", "blank",
         "two-letters-in-spaces"],
)  # fmt: skip
def test_a_bad_goal_comes_back_beside_the_goal_field(
    client: FlaskClient, services: Services, match: StoredMatch, text: Any, message: str
) -> None:
    response = _add_goal(client, match, text)
    assert response.status_code == 422
    error = parse(response.text).by_id(f"new-goal-{match_ref(match.match_id)}-error")
    assert error is not None
    assert message in error.text
    assert services.checkins.goals.for_match(match.match_id) == []


GOOD_CHECKIN = {
    "met": "yes",
    "day": "2026-03-01",
    "minutes": "45",
    "topics": ["python", "leadership"],
    "satisfaction": "4",
    "fit": "good",
    "note": "Going well so far.",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"note": a_file()}, "note", FILE_MESSAGE),
        ({"minutes": a_file()}, "minutes", FILE_MESSAGE),
        ({"met": a_file()}, "met", FILE_MESSAGE),
        ({"topics": a_file()}, "topics", FILE_MESSAGE),
        ({"topics": ["python"] * 20_000}, "topics", "“python” was chosen more than once"),
        ({"topics": [f"topic-{n}" for n in range(5000)]}, "topics", "and 4997 more are not"),
        ({"minutes": "²"}, "minutes", "whole number"),  # str.isdigit() says yes, int() no
        ({"minutes": "9" * 5000}, "minutes", "From 5 to 600 minutes."),  # int() refuses
        ({"note": "All fine\u2066 really\u2069"}, "note", INVISIBLE),
    ],
    ids=["file-note", "file-minutes", "file-met", "file-topics", "repeated-topic",
         "unknown-topics", "superscript-two", "5000-digits", "isolates"],
)  # fmt: skip
def test_a_bad_check_in_gets_the_form_back_with_the_message_and_stores_nothing(
    client: FlaskClient,
    services: Services,
    match: StoredMatch,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    link = f"/me/programs/demo/matches/{match_ref(match.match_id)}/checkin"
    form = client.get(link)
    data = {**GOOD_CHECKIN, **changes, "csrf_token": csrf_token(form.text)}
    response = client.post(link, data=data, content_type=_kind(changes))
    assert response.status_code == 422
    error = parse(response.text).by_id(f"{field}-error")
    assert error is not None, response.text
    assert message in error.text
    assert len(response.text) < 100_000  # the unknown values are not all quoted back
    assert services.checkins.history(match.match_id) == []


# -- repeated and unknown checkbox values on the sign-up form -------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # 30,000 slots fill 750 kB; stored, they made an item near DynamoDB's 400 kB limit.
        ({"availability": ["mon-morning"] * 30_000}, "availability",
         "“Monday morning” was chosen more than once: please tick each box once."),
        ({"availability": ["mon-evening", "thu-morning", "mon-evening"]}, "availability",
         "“Monday evening” was chosen more than once"),
        ({"languages": ["English", "French", "English"]}, "languages",
         "“English” was chosen more than once"),
        ({"goals": ["python", "python"]}, "goals", "“python” was chosen more than once"),
        ({"q_meeting_style": ["Phone", "Phone"]}, "q_meeting_style",
         "“Phone” was chosen more than once"),
        ({"availability": [f"slot-{n}" for n in range(20_000)]}, "availability",
         "'slot-0', 'slot-1', 'slot-2' and 19997 more are not valid choices for this field."),
        ({"goals": ["python", "x" * 500]}, "goals",
         f"'{'x' * 39}…' is not a valid choice for this field."),
    ],
    ids=["30000-same-slot", "repeated-slot", "repeated-language", "repeated-goal",
         "repeated-answer", "20000-unknown-slots", "long-unknown-goal"],
)  # fmt: skip
def test_a_list_with_repeated_or_unknown_values_is_refused_and_nothing_stored(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = sign_up(client, **changes)
    assert_error_beside(response, field, message)
    assert len(response.text) < 100_000  # the page does not quote every value back
    assert_nothing_stored(mailbox)


# -- text that reaches other people ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "Ada\u200bLovelace"}, "name", INVISIBLE),  # zero-width space
        ({"name": "Ada\u200dLovelace\u200d"}, "name", INVISIBLE),  # a joiner at the end
        ({"name": "\u202eecalevoL adA"}, "name", INVISIBLE),  # right-to-left override
        ({"name": "\u2067Ada\u2069"}, "name", INVISIBLE),  # right-to-left isolate
        ({"name": "Ada\u200fLovelace"}, "name", INVISIBLE),  # right-to-left mark
        ({"name": "Ada\u00adLovelace"}, "name", INVISIBLE),  # soft hyphen
        ({"name": "Ada\U000e0041\U000e0042"}, "name", INVISIBLE),  # tag characters
        ({"name": "\u3164"}, "name", INVISIBLE),  # a Hangul filler: a name that looks blank
        ({"name": "Ada\u2028Lovelace"}, "name", INVISIBLE),  # line separator
        ({"department": "Analytics\ufeff"}, "department", INVISIBLE),
        ({"bio": "I like engines.\u202e"}, "bio", INVISIBLE),
        ({"name": "Ada http://evil.example/reset"}, "name", NO_LINKS),
        ({"name": "Ada www.evil.example"}, "name", NO_LINKS),
        ({"name": "Your account is locked: visit evil.example/reset"}, "name", NO_LINKS),
        ({"name": "Ada ada@evil.example"}, "name", NO_LINKS),
        ({"name": "J.Smith"}, "name", "For an initial, put a space after the full stop"),
        ({"department": "see evil.example"}, "department", NO_LINKS),
        ({"bio": "https://a.example www.b.example c.example"}, "bio",
         "Please keep to 2 links at most (you have 3)"),
    ],
    ids=["zero-width-space", "trailing-joiner", "rtl-override", "rtl-isolate", "rtl-mark",
         "soft-hyphen", "tags", "hangul-filler", "line-separator", "bom-in-department",
         "override-in-bio", "url-in-name", "www-in-name", "domain-in-name", "address-in-name",
         "initial", "domain-in-department", "three-links-in-bio"],
)  # fmt: skip
def test_invisible_characters_and_links_are_refused_with_a_message(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = sign_up(client, **changes)
    assert_error_beside(response, field, message)
    assert_nothing_stored(mailbox)


PERSIAN = "\u0645\u06cc\u0646\u0627\u200c\u0631\u0636\u0627\u06cc\u06cc"  # Mina Rezaei


@pytest.mark.parametrize(
    ("changes", "stored_as"),
    [
        ({"name": "Ada 👩\u200d💻 Lovelace"}, "name"),  # a joiner inside an emoji sequence
        ({"name": PERSIAN}, "name"),  # a non-joiner between Persian letters
        ({"name": "J. R. Lovelace-Byron"}, "name"),
        ({"bio": "I write about engines at https://ada.example and www.notes.example."}, "bio"),
    ],
    ids=["emoji-joiner", "persian-non-joiner", "initials", "two-links-in-bio"],
)
def test_text_people_write_is_kept(
    client: FlaskClient, services: Services, changes: dict[str, str], stored_as: str
) -> None:
    assert sign_up(client, **changes).status_code == 200
    stored = services.participants.get("demo", "ada@example.org")
    assert stored is not None
    assert getattr(stored, stored_as) == next(iter(changes.values()))


def test_a_refused_answer_never_reaches_a_server_error(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    # All of the above at once: every message comes back together.
    response = _join_multipart(
        client,
        {
            **GOOD,
            "name": "Ada\u200b",
            "bio": a_file(),
            "availability": ["mon-morning"] * 100,
            "languages": ["Klingon"],
        },
    )
    assert_error_beside(response, "name", INVISIBLE)
    assert_error_beside(response, "bio", FILE_MESSAGE)
    assert_error_beside(response, "availability", "more than once")
    assert_error_beside(response, "languages", "'Klingon' is not a valid choice")
    assert_nothing_stored(mailbox)
