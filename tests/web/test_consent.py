"""Consent: each sign-up records which privacy notice the person agreed to, and when; their
page says so once the notice reads otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from portal.catalog.pages import PageCatalog
from portal.container import Services
from portal.mail.senders import MemorySender
from tests.conftest import csrf_token, links_in
from tests.web.conftest import Site
from tests.web.helpers import confirm_path, sign_in, sign_up

NOTICE_CHANGED = "The privacy notice has changed since you agreed to it on 2 March 2026."


def confirmed_and_signed_in(client: FlaskClient, mailbox: MemorySender) -> str:
    """Sign up, confirm, and open one's own page from the link a second sign-up emails."""
    sign_up(client)
    path = confirm_path(mailbox)
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})
    sign_up(client)  # already signed up: the email holds a link to the person's page
    return sign_in(client, next(u for u in links_in(mailbox.sent[-1][1]) if "/me/" in u))


def test_a_sign_up_records_the_notice_it_agreed_to_and_when(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    confirmed_and_signed_in(client, mailbox)

    person = services.participants.get("demo", "ada@example.org")
    assert person is not None
    shown = services.pages.get("privacy")
    assert shown is not None
    assert person.consent_version == services.pages.version("privacy")
    assert len(person.consent_version) == 12
    assert person.consented_at == services.clock()


def test_the_page_says_when_the_notice_changed_since_the_person_agreed(
    build_site: Callable[..., Site], mailbox: MemorySender, content_copy: Path
) -> None:
    site = build_site(content_dir=content_copy)
    client = site.client
    page = confirmed_and_signed_in(client, mailbox)
    assert NOTICE_CHANGED not in client.get(page).text

    notice = content_copy / "pages" / "privacy.md"
    notice.write_text(notice.read_text() + "\nWe now also keep your favourite colour.\n")
    site.services.pages = PageCatalog.from_folder(content_copy / "pages")  # a new deployment

    shown = client.get(page).text
    assert NOTICE_CHANGED in shown
    assert 'href="/privacy"' in shown or "/pages/privacy" in shown


def test_the_version_changes_with_the_words_not_with_the_spacing(content_copy: Path) -> None:
    notice = content_copy / "pages" / "privacy.md"
    before = PageCatalog.from_folder(content_copy / "pages").version("privacy")
    notice.write_text(notice.read_text().replace("\n\n", "\n\n\n") + "\n")
    assert PageCatalog.from_folder(content_copy / "pages").version("privacy") == before
    notice.write_text(notice.read_text().replace("controller", "data controller"))
    assert PageCatalog.from_folder(content_copy / "pages").version("privacy") != before
