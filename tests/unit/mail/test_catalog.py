"""The catalogue of emails: every template is declared once, and the mail service keeps to it."""

from __future__ import annotations

from typing import Any

import pytest

from portal.container import Services
from portal.domain.addresses import address_digest
from portal.mail.catalog import EMAILS, CatalogError, Recipient, email
from portal.mail.render import TEMPLATE_ROOT
from portal.services.signin import PageLink
from tests.conftest import html, parse, plain, table_snapshot

ADDRESS = "ada@example.org"


def template_folders() -> set[str]:
    """Each email's folder under templates/email (the `_parts` files are shared pieces)."""
    return {p.name for p in TEMPLATE_ROOT.iterdir() if p.is_dir() and not p.name.startswith("_")}


def test_every_template_folder_is_in_the_catalogue_and_nothing_else() -> None:
    assert len(template_folders()) >= 13
    assert set(EMAILS) == template_folders()


def test_each_entry_names_its_recipients_and_a_key_with_the_program() -> None:
    for name, entry in EMAILS.items():
        assert entry.template == name
        assert entry.recipients
        # Everything but the report of a failed email (whose key holds the failed one's) and
        # the sign-in link (to the person's pages in every program) is queued once per program.
        assert "{program}" in entry.key or name in ("delivery_failed", "sign_in"), name


def test_a_key_needs_exactly_the_parts_of_its_shape() -> None:
    intro = EMAILS["introduction"]
    parts = {"program": "demo", "round": "2026-03-02T0900Z", "person": "p1", "other": "p2"}
    assert intro.key_for(**parts) == "intro:demo:2026-03-02T0900Z:p1:p2"
    with pytest.raises(CatalogError, match="expected"):
        intro.key_for(program="demo", round="r", person="p1")
    with pytest.raises(CatalogError, match="expected"):
        intro.key_for(**parts, organizer="o")


def test_an_email_not_in_the_catalogue_or_to_the_wrong_kind_of_recipient_is_refused(
    services: Services,
) -> None:
    before = table_snapshot()
    with pytest.raises(CatalogError, match="not an email the portal sends"):
        services.mail.queue_once(
            "newsletter", Recipient.PARTICIPANT, to=ADDRESS, key={}, context={}
        )
    with pytest.raises(CatalogError, match="goes to organizer, not to a participant"):
        services.mail.queue_once(
            "match_summary",
            Recipient.PARTICIPANT,
            to=ADDRESS,
            key={"program": "demo", "round": "r", "organizer": ADDRESS},
            context={},
        )
    with pytest.raises(CatalogError):
        services.mail.queue(
            "k", to=ADDRESS, template="introduction", recipient=Recipient.APPLICANT, context={}
        )
    assert table_snapshot() == before  # nothing queued


def test_queue_once_queues_once_and_makes_the_context_only_for_a_new_email(
    services: Services,
) -> None:
    made = []

    def context() -> dict[str, Any]:
        made.append(1)
        return {"recipient": "x@example.org", "template": "introduction", "error": "refused"}

    key = {"email": "intro:demo:r:p1:p2", "organizer": ADDRESS}
    assert not services.mail.queued("delivery_failed", Recipient.ORGANIZER, key)
    kwargs: dict[str, Any] = {"to": ADDRESS, "key": key, "context": context, "program": "demo"}
    assert services.mail.queue_once("delivery_failed", Recipient.ORGANIZER, **kwargs)
    assert not services.mail.queue_once("delivery_failed", Recipient.ORGANIZER, **kwargs)
    assert made == [1]  # the second call issued nothing (a context may hold a new link)
    assert services.mail.queued("delivery_failed", Recipient.ORGANIZER, key)
    # The organizer is in the key as the digest of their address, never as the address.
    stored = services.mail.outbox.get(f"failed:intro:demo:r:p1:p2:{address_digest(ADDRESS)}")
    assert stored is not None
    assert stored.recipient == ADDRESS


def requested_contexts(services: Services) -> dict[str, dict[str, Any]]:
    """A context for each email the catalogue sends after an unsubscribe."""
    demo = services.programs.get("demo")
    assert demo is not None
    return {
        "confirm_signup": {
            "name": "Ada",
            "program": demo,
            "role": "mentee",
            "confirm_url": "http://portal.test/confirm/abcdefghijklmnopqrstuvwxyz",
            "expires_hours": 48,
        },
        "already_registered": {
            "name": "Ada",
            "program": demo,
            "role": "mentee",
            "program_url": "http://portal.test/programs/demo",
            "page_url": "http://portal.test/me/abcdefghijklmnopqrstuvwxyz",
            "expires_days": 14,
        },
        "sign_in": {
            "name": "Ada",
            "pages": [PageLink(demo.title, "http://portal.test/me/abcdefghijklmnopqrstuvwxyz")],
            "expires_days": 14,
            "organizes": [],
            "console_link": None,
            "console_hours": 48,
        },
    }


def test_an_unsubscribed_address_gets_exactly_the_emails_the_catalogue_says(
    services: Services,
) -> None:
    unsubscribes = services.unsubscribes
    unsubscribes.unsubscribe(unsubscribes.url(ADDRESS).rsplit("/", 1)[1])
    contexts = requested_contexts(services)
    let_through = set()
    for name, entry in EMAILS.items():
        recipient = sorted(entry.recipients)[0]
        # A stopped email is refused before it is rendered: the empty context is never read.
        context = contexts.get(name, {})
        item = services.mail.compose(
            f"test:{name}", to=ADDRESS, template=name, recipient=recipient, context=context
        )
        if item is not None:
            let_through.add(name)
            assert ADDRESS in item.raw
    expected = {name for name, entry in EMAILS.items() if not entry.unsubscribe_stops}
    assert let_through == expected == {"confirm_signup", "already_registered", "sign_in"}


def test_a_bounced_address_gets_nothing_not_even_what_it_asked_for(services: Services) -> None:
    services.mail.suppressions.add(ADDRESS, "bounce", services.clock())
    contexts = requested_contexts(services)
    for name, entry in EMAILS.items():
        recipient = sorted(entry.recipients)[0]
        assert (
            services.mail.compose(
                f"test:{name}",
                to=ADDRESS,
                template=name,
                recipient=recipient,
                context=contexts.get(name, {}),
            )
            is None
        ), name


def test_the_lookup_names_the_catalogue() -> None:
    assert email("survey", Recipient.PARTICIPANT) is EMAILS["survey"]


def test_an_email_unsubscribing_stops_says_so_and_one_asked_for_offers_no_link(
    services: Services,
) -> None:
    contexts = requested_contexts(services)
    stopped = services.mail.compose(
        "test:stopped",
        to=ADDRESS,
        template="delivery_failed",
        recipient=Recipient.ORGANIZER,
        context={"recipient": "grace@example.org", "template": "introduction", "error": "x"},
    )
    asked = services.mail.compose(
        "test:asked",
        to=ADDRESS,
        template="confirm_signup",
        recipient=Recipient.APPLICANT,
        context=contexts["confirm_signup"],
    )
    assert stopped is not None
    assert asked is not None

    message = parse(stopped.raw)
    link = message["List-Unsubscribe"].strip("<>")
    assert link == services.unsubscribes.url(ADDRESS)
    assert link in plain(message)
    assert link in html(message)
    asked_message = parse(asked.raw)
    assert asked_message["List-Unsubscribe"] is None
    assert "/unsubscribe/" not in plain(asked_message) + html(asked_message)
