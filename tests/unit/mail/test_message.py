"""build_message: the MIME message every sender receives."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from portal.catalog.programs import load_program
from portal.mail.message import build_message
from portal.mail.render import RenderedEmail, render
from tests.conftest import CONTENT, links_in, parse

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SENDER = "Mentor Portal <portal@example.org>"
# As long as a real one: base URL, path, and a 43-character token_urlsafe(32).
CONFIRM_URL = "https://mentors.example.org/confirm/kD8s-2_vQe9XbLw0aTz7YhNc4mR1uJpF6gH3iK5oE0w"
UNSUBSCRIBE_URL = (
    "https://mentors.example.org/unsubscribe/pQ7x-3_rTf0YcMw1bUa8ZiOd5nS2vKqG7hI4jL6pF1x"
)


def confirm_email(name: str = "Ada Lovelace") -> RenderedEmail:
    program = load_program(CONTENT / "programs" / "demo.md")
    return render(
        "confirm_signup",
        {
            "name": name,
            "program": program,
            "role": "mentee",
            "confirm_url": CONFIRM_URL,
            "expires_hours": 48,
        },
    )


def message(**changes: object) -> EmailMessage:
    arguments: dict[str, object] = {
        "sender": SENDER,
        "recipient": "ada@example.org",
        "now": NOW,
        **changes,
    }
    rendered = arguments.pop("rendered", None) or confirm_email()
    return build_message(rendered, **arguments)  # type: ignore[arg-type]


def test_a_message_is_text_then_html_alternatives() -> None:
    built = message()
    assert built.get_content_type() == "multipart/alternative"
    parts = list(built.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)


def test_a_message_has_the_headers_a_mail_system_needs() -> None:
    received = parse(message().as_string())
    assert received["From"] == SENDER
    assert received["To"] == "ada@example.org"
    assert received["Subject"] == "Confirm your sign-up for Demo: Tech Careers mentoring"
    assert parsedate_to_datetime(received["Date"]) == NOW
    assert re.fullmatch(r"<[^@<>\s]+@example\.org>", received["Message-ID"])
    assert received["List-Unsubscribe"] is None
    assert received["Reply-To"] is None


def test_every_message_gets_its_own_message_id() -> None:
    assert message()["Message-ID"] != message()["Message-ID"]


def test_reply_to_is_set_when_given() -> None:
    received = parse(message(reply_to="organizer@example.org").as_string())
    assert received["Reply-To"] == "organizer@example.org"


def test_list_unsubscribe_is_set_when_a_url_is_given() -> None:
    received = parse(message(unsubscribe_url=UNSUBSCRIBE_URL).as_string())
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_list_unsubscribe_url_is_written_literally_on_the_wire() -> None:
    raw = message(unsubscribe_url=UNSUBSCRIBE_URL).as_string()
    assert f"List-Unsubscribe: <{UNSUBSCRIBE_URL}>" in raw


def test_a_non_ascii_name_survives_the_round_trip() -> None:
    built = message(rendered=confirm_email("José Müller"), recipient="jose@example.org")
    received = parse(built.as_string())
    text = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert 'under the name "José Müller".' in text.get_content()
    assert "José Müller" in html.get_content()
    assert received["To"] == "jose@example.org"


def test_the_raw_message_is_ascii_even_with_non_ascii_content() -> None:
    raw = message(rendered=confirm_email("José Müller"), sender="Café Mentors <m@example.org>")
    text = raw.as_string()
    assert text.isascii()  # SES and SMTP relays see only 7-bit data
    assert parse(text)["From"] == "Café Mentors <m@example.org>"


@pytest.mark.parametrize("name", ["Ada Lovelace", "José Müller"])
def test_the_confirm_url_is_intact_in_the_decoded_text_part(name: str) -> None:
    received = parse(message(rendered=confirm_email(name)).as_string())
    assert links_in(received) == [CONFIRM_URL]
    html = received.get_body(preferencelist=("html",))
    assert html is not None
    assert f'href="{CONFIRM_URL}"' in html.get_content()


def test_an_ascii_text_part_keeps_links_readable_in_the_raw_message() -> None:
    raw = message().as_string()
    assert CONFIRM_URL in raw


@pytest.mark.parametrize(
    ("recipient", "on_the_wire"),
    [
        ("max@straße.de", "max@xn--strae-oqa.de"),  # IDNA2003 would write strasse.de
        ("eleni@οδός.gr", "eleni@xn--pxavk3b.gr"),  # IDNA2003 would turn ς into a plain sigma
        ("Ada@example.org", "Ada@example.org"),
    ],
)
def test_an_international_domain_is_written_in_a_labels_never_changed(
    recipient: str, on_the_wire: str
) -> None:
    raw = message(recipient=recipient, reply_to=recipient).as_string()
    assert raw.isascii()
    # A domain as an RFC 2047 encoded word (max@=?utf-8?q?stra=C3=9Fe?=.de) is no address.
    assert f"\nTo: {on_the_wire}\n" in raw
    assert f"\nReply-To: {on_the_wire}\n" in raw  # the other person's, in an introduction
