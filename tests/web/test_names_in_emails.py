"""Names and bios in other people's inboxes: quoted or labelled, their links never clickable.

A name such as "Your account is locked" must not read as the portal's own words, and a
sign-up email goes to an address anyone can type, with a name anyone can type.
"""

from __future__ import annotations

from dataclasses import replace

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.participants import Role
from portal.local.demo import demo_participants
from portal.mail.render import render
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token, html, plain
from tests.factories import ROUND, matched_pair
from tests.web.dom import parse
from tests.web.helpers import confirm_path, sign_up

LOOKS_LIKE_US = "Your account is locked call 555 0100"
LINKY_BIO = "Reset it at https://evil.example/reset or www.evil.example today."


def test_an_introduction_labels_and_quotes_the_other_persons_name_and_never_links_their_bio(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    for person in demo_participants(program, clock()):
        if person.role is Role.MENTOR:  # stored as earlier forms let them through
            person = replace(person, name=LOOKS_LIKE_US, bio=LINKY_BIO)
        services.participants.save(person)
    services.rounds.run(program, ROUND, trigger="cli")
    services.mail.drain(per_second=1000)
    intros = [m for _, m in mailbox.sent if m["Subject"].startswith("Meet Your: your mentor")]
    assert intros, "no mentee was introduced to a mentor"
    intro = intros[0]
    text = " ".join(plain(intro).split())
    assert f'your mentor is "{LOOKS_LIKE_US}".' in text
    assert f"Name: {LOOKS_LIKE_US}" in text
    body = html(intro)
    assert f"your mentor is <strong>&ldquo;{LOOKS_LIKE_US}&rdquo;</strong>." in body
    assert f"Name: <strong>{LOOKS_LIKE_US}</strong>" in body
    # The bio is shown as the person wrote it, as text: its addresses are no links.
    assert "https://evil.example/reset" in body
    hrefs = parse(body).hrefs()
    assert hrefs
    assert not [href for href in hrefs if "evil.example" in href]


def test_the_sign_up_emails_quote_the_name_instead_of_greeting_with_it(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    # Anyone can type someone else's address: the name on the form is a stranger's words.
    sign_up(client, name="Your account is locked")
    (_, confirm) = mailbox.sent[-1]
    text = plain(confirm)
    assert text.startswith("Hello,\n")
    assert 'as a mentee, under the name "Your account is locked".' in text
    assert "under the name &ldquo;Your account is locked&rdquo;." in html(confirm)

    path = confirm_path(mailbox)
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    clock.advance(minutes=11)
    sign_up(client, name="Visit us soon")
    (_, already) = mailbox.sent[-1]
    assert already["Subject"].startswith("You are already signed up")
    assert plain(already).startswith("Hello,\n")
    assert 'with this address, under the name "Visit us soon".' in plain(already)


def test_the_ended_match_email_quotes_the_name_of_who_ended_it(
    services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    mentee = services.participants.get("demo", match.mentee)
    assert mentee is not None
    services.participants.save(replace(mentee, name=LOOKS_LIKE_US))
    services.participation.end_match("demo", match.match_id, match.mentee, "rematch")
    services.mail.drain(per_second=1000)
    [ended] = [m for _, m in mailbox.sent if "has ended" in m["Subject"]]
    assert f'Your match with "{LOOKS_LIKE_US}" in' in " ".join(plain(ended).split())
    assert f"Your match with <strong>&ldquo;{LOOKS_LIKE_US}&rdquo;</strong> in" in html(ended)


def test_suggested_mentors_are_quoted_and_their_bios_labelled_and_never_linked(
    services: Services,
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    mentor = {
        "name": LOOKS_LIKE_US,
        "first_name": "Your",
        "languages": ["English"],
        "timezone": "Europe/London",
        "bio": LINKY_BIO,
    }
    option = {"mentor": mentor, "reasons": ["both speak English"], "choose_url": "http://x/1"}
    rendered = render(
        "suggestions", {"program": program, "person": {"first_name": "Tom"}, "options": [option]}
    )
    assert f'1. "{LOOKS_LIKE_US}"' in rendered.text
    assert f'In their own words: "{LINKY_BIO}"' in rendered.text
    assert f"1. &ldquo;{LOOKS_LIKE_US}&rdquo;</h2>" in rendered.html
    assert "In their own words: &ldquo;Reset it at https://evil.example/reset" in rendered.html
    assert [href for href in parse(rendered.html).hrefs() if "evil" in href] == []
