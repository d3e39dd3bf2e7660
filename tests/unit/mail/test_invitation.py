"""The invitation a roster import sends: who invites, what happens, and how to stop it."""

from __future__ import annotations

from typing import Any

import pytest

from portal.catalog.programs import load_program
from portal.container import Services
from portal.domain.addresses import address_digest
from portal.domain.program import Program
from portal.mail.catalog import EMAILS, CatalogError, Recipient, email
from portal.mail.render import render
from tests.conftest import CONTENT, html, links_in, parse, plain

LINK = "http://portal.test/programs/demo/invited/Zq3-_token-of-forty-three-characters-xyz12"
UNSUBSCRIBE = "http://portal.test/unsubscribe/signed-digest"
ADDRESS = "ada@example.org"


@pytest.fixture(scope="module")
def demo() -> Program:
    return load_program(CONTENT / "programs" / "demo.md")


@pytest.fixture(scope="module")
def peers() -> Program:
    return load_program(CONTENT / "programs" / "peer-circles.md")


def context(program: Program, n: int, **changes: Any) -> dict[str, Any]:
    return {
        "program": program,
        "name": "Ada Lovelace",
        "link": LINK,
        "n": n,
        "organizers_line": " and ".join(program.organizers),
        **changes,
    }


def test_the_catalogue_sends_it_to_invitees_only_and_unsubscribing_stops_it() -> None:
    entry = email("invitation", Recipient.INVITEE)
    assert entry.unsubscribe_stops
    digest = address_digest(ADDRESS)
    assert entry.key_for(program="demo", address=digest, n="2") == f"invite:demo:{digest}:2"
    with pytest.raises(CatalogError, match="goes to invitee, not to a participant"):
        email("invitation", Recipient.PARTICIPANT)
    # No other email goes to someone who has not signed up.
    assert {n for n, e in EMAILS.items() if Recipient.INVITEE in e.recipients} == {"invitation"}


@pytest.mark.parametrize("n", [1, 2, 3])
def test_each_invitation_links_to_it_and_says_who_invites_and_what_happens(
    demo: Program, n: int
) -> None:
    rendered = render("invitation", context(demo, n), unsubscribe_url=UNSUBSCRIBE)
    text = " ".join(rendered.text.split())  # unwrapped
    assert f"\n{LINK}\n" in rendered.text  # on a line of its own, easy to copy
    assert f'href="{LINK}"' in rendered.html
    assert "Open my invitation" in rendered.html
    assert text.startswith("Hello Ada Lovelace,")
    # One organizer, named by the service (their address), invites.
    assert (
        "organizer@example.org, the organizer of Demo: Tech Careers mentoring, invites you to "
        "take part." in text
    )
    assert "from a roster: a list of people from your organization" in text
    assert f"About the program: {demo.summary}" in text
    assert "nobody is matched with you, unless you sign up yourself" in text
    assert "Choose whether you take part as a mentee or a mentor" in text
    assert "The form starts filled in with what the roster says about you" in text
    assert "you can change any of it" in text
    assert "once you confirm, you are in the matching pool" in text
    # The unsubscribe line the layout adds, in both parts, and the words that point to it.
    assert rendered.text.rstrip().endswith(UNSUBSCRIBE)
    assert f'href="{UNSUBSCRIBE}"' in rendered.html
    assert "use the link at the end of this email" in text
    assert "because the organizers of Demo: Tech Careers mentoring added your address" in (
        " ".join(rendered.html.split())
    )


def test_the_reminders_say_they_are_reminders_and_the_last_that_it_is_the_last(
    demo: Program,
) -> None:
    first, second, third = (
        render("invitation", context(demo, n), unsubscribe_url=UNSUBSCRIBE) for n in (1, 2, 3)
    )
    assert first.subject == "You're invited to Demo: Tech Careers mentoring"
    assert second.subject == "A reminder: you're invited to Demo: Tech Careers mentoring"
    assert third.subject == "The last reminder: you're invited to Demo: Tech Careers mentoring"
    words = [" ".join(r.text.split()) for r in (first, second, third)]
    assert "reminder:" not in words[0]
    assert "we send at most two reminders" in words[0]
    assert "A reminder: organizer@example.org, the organizer" in words[1]
    assert "We wrote to you about it before." in words[1]
    assert "we send at most one more reminder" in words[1]
    assert "The last reminder: organizer@example.org, the" in words[2]
    assert "We won't write again about this." in words[2]
    assert "more reminder" not in words[2]
    assert "We won't write again" not in words[0] + words[1]


def test_without_names_it_greets_plainly_and_names_the_organizers_by_role(
    peers: Program,
) -> None:
    rendered = render(
        "invitation", context(peers, 2, name="", organizers_line=""), unsubscribe_url=UNSUBSCRIBE
    )
    text = " ".join(rendered.text.split())
    assert text.startswith(
        "Hello, A reminder: the organizers of Peer mentoring: Returners' network invite you"
    )
    # One role: nothing to choose.
    assert "Choose whether" not in text
    assert "To join, open your invitation. Answer a few questions" in text
    assert "returners@example.org, community@example.org" in text


def test_without_an_unsubscribe_link_it_does_not_point_to_one(demo: Program) -> None:
    rendered = render("invitation", context(demo, 1))
    assert "link at the end of this email" not in rendered.text + rendered.html
    assert "/unsubscribe/" not in rendered.text + rendered.html


def test_the_mail_service_queues_it_with_the_unsubscribe_header_and_never_after_unsubscribing(
    services: Services,
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    key = {"program": "demo", "address": address_digest(ADDRESS), "n": "1"}
    kwargs: dict[str, Any] = {"to": ADDRESS, "key": key, "context": context(demo, 1)}
    assert services.mail.queue_once("invitation", Recipient.INVITEE, **kwargs)
    stored = services.mail.outbox.get(f"invite:demo:{address_digest(ADDRESS)}:1")
    assert stored is not None
    message = parse(stored.raw)
    link = message["List-Unsubscribe"].strip("<>")
    assert link == services.unsubscribes.url(ADDRESS)
    assert link in plain(message)
    assert link in html(message)
    assert LINK in links_in(message)

    unsubscribes = services.unsubscribes
    unsubscribes.unsubscribe(unsubscribes.url(ADDRESS).rsplit("/", 1)[1])
    reminder = {**key, "n": "2"}
    assert not services.mail.queue_once(
        "invitation", Recipient.INVITEE, **{**kwargs, "key": reminder}
    )
    assert not services.mail.queued("invitation", Recipient.INVITEE, reminder)


def test_several_organizers_invite_together(peers: Program) -> None:
    rendered = render("invitation", context(peers, 1))
    assert (
        "returners@example.org and community@example.org, the organizers of Peer mentoring: "
        "Returners' network, invite you to take part." in " ".join(rendered.text.split())
    )
