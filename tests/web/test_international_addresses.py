"""International addresses are kept as typed: `straße.de` is never rewritten to `strasse.de`.

IDNA2003 (Python's "idna" codec) maps ß to ss and final sigma ς to a plain sigma, which
names another domain with another owner; IDNA2008, which the form's validation follows,
keeps both letters.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.container import Services
from portal.mail.senders import MemorySender
from tests.conftest import csrf_token
from tests.web.helpers import confirm_path, sign_up

# (typed, comparison key, the domain in A-labels, the domain IDNA2003 would have made of it)
ADDRESSES = [
    ("max@straße.de", "max@xn--strae-oqa.de", "xn--strae-oqa.de", "strasse.de"),
    ("eleni@οδός.gr", "eleni@xn--pxavk3b.gr", "xn--pxavk3b.gr", "xn--pxavn9a.gr"),
]


@pytest.mark.parametrize(("typed", "key", "ascii_domain", "idna2003"), ADDRESSES)
def test_an_international_address_is_stored_and_emailed_as_typed(
    client: FlaskClient,
    services: Services,
    mailbox: MemorySender,
    typed: str,
    key: str,
    ascii_domain: str,
    idna2003: str,
) -> None:
    assert sign_up(client, email=typed).status_code == 200
    [stored] = services.participants.for_program("demo")
    assert stored.mailbox == typed
    assert stored.email == key  # the same domain, in the form DNS and SES use
    [(recipient, message)] = mailbox.sent
    assert recipient == typed
    # On the wire the domain is in A-labels (SES and SMTP without SMTPUTF8), never IDNA2003's.
    assert message["To"].addresses[0].addr_spec == f"{typed.split('@')[0]}@{ascii_domain}"
    raw = message.as_string()
    assert f"@{ascii_domain}" in raw
    assert idna2003 not in raw
    assert idna2003 not in stored.email


def test_the_confirmation_link_confirms_the_international_address(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client, email="max@straße.de")
    path = confirm_path(mailbox)
    page = client.get(path)
    done = client.post(path, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200
    stored = services.participants.get("demo", "max@xn--strae-oqa.de")
    assert stored is not None
    assert stored.status.value == "confirmed"
    assert services.participants.get("demo", "max@strasse.de") is None


def test_one_address_written_in_unicode_ascii_or_another_case_is_one_sign_up(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client, email="Max@Straße.de")
    sign_up(client, email="max@xn--strae-oqa.de", name="Max Mustermann")
    sign_up(client, email="MAX@STRASSE.DE", name="Someone Else")  # another domain
    people = {p.email: p for p in services.participants.for_program("demo")}
    assert set(people) == {"max@xn--strae-oqa.de", "max@strasse.de"}
    # A second form never changes a stored sign-up: the first one, as it was typed, stands.
    assert people["max@xn--strae-oqa.de"].name == "Ada Lovelace"
    assert people["max@xn--strae-oqa.de"].mailbox == "Max@straße.de"
    assert people["max@strasse.de"].mailbox == "MAX@strasse.de"


def test_a_bounce_reported_in_ascii_stops_mail_to_the_address_typed_in_unicode(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    # SES reports the address it sent to: the domain in A-labels.
    services.feedback.suppressions.add("Max@XN--STRAE-OQA.DE", "bounce", services.clock())
    assert sign_up(client, email="max@straße.de").status_code == 200
    assert mailbox.sent == []
