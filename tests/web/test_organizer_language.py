"""An organizer's language: chosen in the console, kept by address digest, spoken on the
console's pages and in the emails to them; erased and exported with the rest."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polib
import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.addresses import address_digest
from portal.mail.senders import MemorySender, PermanentSendError
from portal.persistence.tables import PreferenceRecord
from portal.services.erasure import NobodyToErase
from tests.conftest import FakeClock, csrf_token, links_in, plain
from tests.factories import matched_pair
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

SPANISH = Path(__file__).parents[2] / "portal/translations/es/LC_MESSAGES/messages.po"
FRIDAY = datetime(2026, 4, 10, 8, 0, tzinfo=UTC)  # the demo's summary time, in London
# The console pages this part translates, once an organizer chose Spanish.
PAGES = [
    "/organize/",
    "/organize/programs/demo",
    "/organize/programs/demo/people",
    "/organize/programs/demo/people/{mentor}",
    "/organize/programs/demo/people/{mentor}/pause",
    "/organize/programs/demo/people/{mentor}/resend-link",
    "/organize/programs/demo/matches",
    "/organize/programs/demo/network",
    "/organize/programs/demo/costs",
    "/organize/programs/demo/audit",
    "/organize/programs/demo/people/nobody-here",
]


def english_left(html: str) -> list[str]:
    """The catalogue's longer English words (12 characters or more, and not the same in
    Spanish, as the brand is) still in the page's text."""
    document = parse(html)
    text = " ".join(f"{document.one('head').text} {document.one('body').text}".split())
    msgids = {
        re.sub(r"<[^>]+>", "", e.msgid)
        for e in polib.pofile(str(SPANISH))
        if e.msgstr and e.msgstr != e.msgid
    }
    return sorted(m for m in msgids if len(m) >= 12 and "%(" not in m and m in text)


def choose(client: FlaskClient, language: str) -> None:
    console = client.get("/organize/")
    chosen = client.post(
        "/organize/language", data={"csrf_token": csrf_token(console.text), "language": language}
    )
    assert chosen.status_code == 303
    assert chosen.headers["Location"].endswith("/organize/")


def test_an_organizer_who_chooses_spanish_reads_the_console_in_spanish(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = matched_pair(services, clock)
    mentor = services.participants.get("demo", match.mentor)
    assert mentor is not None
    services.audit.record(
        "demo", DEMO_ORGANIZER, "pause", subject_kind="participant", subject=mentor.participant_id
    )
    sign_in_as_organizer(client, mailbox)
    assert services.organizers.language_of(DEMO_ORGANIZER) == "en"
    assert "Organizers' console" in client.get("/organize/").text
    choose(client, "es")
    # Kept by the address's digest, never the address.
    stored = PreferenceRecord.get(address_digest(DEMO_ORGANIZER))
    assert stored.language == "es"
    assert services.organizers.language_of(DEMO_ORGANIZER.upper()) == "es"
    console = client.get("/organize/")
    assert "Guardado: la consola y los correos que le envía están en Español." in console.text
    left = {}
    for path in PAGES:
        page = client.get(path.format(mentor=mentor.participant_id))
        assert page.status_code in (200, 404), path
        assert parse(page.text).one("html").get("lang") == "es", path
        if english := english_left(page.text):
            left[path] = english
        assert "no-store" in page.headers["Cache-Control"], path
    assert left == {}


def test_a_language_the_portal_does_not_offer_is_refused_and_nothing_is_kept(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox)
    console = client.get("/organize/")
    refused = client.post(
        "/organize/language", data={"csrf_token": csrf_token(console.text), "language": "fr"}
    )
    assert refused.status_code == 400
    assert "Not a valid choice" in refused.text
    assert services.organizers.language_of(DEMO_ORGANIZER) == "en"
    with pytest.raises(ValueError, match="does not speak"):
        services.organizers.set_language(DEMO_ORGANIZER, "fr")


def test_choosing_needs_an_organizers_session(client: FlaskClient) -> None:
    form = client.get("/sign-in")
    refused = client.post(
        "/organize/language", data={"csrf_token": csrf_token(form.text), "language": "es"}
    )
    assert refused.status_code == 403


def test_the_emails_to_a_spanish_speaking_organizer_are_in_spanish(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_in_as_organizer(client, mailbox)
    choose(client, "es")
    services.summaries.send_summaries(FRIDAY)
    services.mail.drain(per_second=1000)
    (summary,) = [m for to, m in mailbox.sent if to == DEMO_ORGANIZER and "/summary" in plain(m)]
    assert "Abra la consola" in plain(summary)
    assert "Open the console" not in plain(summary)


class RefusingSender:
    """Refuses every message for good, as SES does an address it will not write to."""

    def send(self, recipient: str, raw: str) -> str:
        raise PermanentSendError("refused")


def test_a_delivery_failure_is_reported_in_the_organizers_language(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_in_as_organizer(client, mailbox)
    choose(client, "es")
    monkeypatch.setattr(services.mail, "sender", RefusingSender())
    services.summaries.send_summaries(FRIDAY)
    services.mail.drain(per_second=1000)  # the summary fails: a report is queued
    monkeypatch.setattr(services.mail, "sender", mailbox)
    services.mail.drain(per_second=1000)
    (report,) = [m for to, m in mailbox.sent if to == DEMO_ORGANIZER and "refused" in plain(m)]
    assert "Abra la consola" in plain(report)


def test_an_organizers_sign_in_email_is_written_in_their_language(
    client: FlaskClient, services: Services, mailbox: MemorySender, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    composed: list[str | None] = []
    compose = services.mail.compose

    def spy(*args: Any, **kwargs: Any) -> Any:
        composed.append(kwargs.get("language"))
        return compose(*args, **kwargs)

    monkeypatch.setattr(services.mail, "compose", spy)
    form = client.get("/sign-in")
    client.post("/sign-in", data={"email": DEMO_ORGANIZER, "csrf_token": csrf_token(form.text)})
    assert composed == ["es"]
    # Someone who organizes nothing is written to as before.
    composed.clear()
    services.organizers.set_language("ada@example.org", "es")
    client.post("/sign-in", data={"email": "ada@example.org", "csrf_token": csrf_token(form.text)})
    assert composed == [None]


def test_erasure_and_export_cover_an_organizers_language(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    exported = services.exports.export(DEMO_ORGANIZER, route="cli", requested_by="test")
    assert exported.document["console_language"]["language"] == "es"
    planned = services.erasure.plan(DEMO_ORGANIZER)
    assert planned.counts["preferences"] == 1
    done = services.erasure.erase(DEMO_ORGANIZER)
    assert done.counts["preferences"] == 1
    assert services.organizers.language_of(DEMO_ORGANIZER) == "en"
    with pytest.raises(NobodyToErase):
        services.erasure.erase(DEMO_ORGANIZER)


def test_an_organizers_link_opens_a_page_in_their_language(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    services.organizers.set_language(DEMO_ORGANIZER, "es")
    form = client.get("/sign-in")
    client.post("/sign-in", data={"email": DEMO_ORGANIZER, "csrf_token": csrf_token(form.text)})
    (link,) = [
        u
        for u in links_in(mailbox.sent[-1][1])
        if "/organize/" in u and not u.endswith("/organize/")
    ]
    opened = client.application.test_client().get(link.removeprefix("http://portal.test"))
    assert opened.status_code == 200
    assert '<html lang="es">' in opened.text
