"""The privacy notice lists what is stored about a person from the export's own categories."""

from __future__ import annotations

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.personal_data import CATEGORIES, CATEGORY_NAMES
from portal.mail.senders import MemorySender
from tests.conftest import csrf_token
from tests.web.dom import parse
from tests.web.helpers import confirm_path, sign_up


def test_the_notice_lists_every_category_of_the_export_in_its_order(client: FlaskClient) -> None:
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "{stored-data}" not in page.text
    (listed,) = parse(page.text).find_all("ul", class_="stored-data")
    items = [" ".join(li.text.split()) for li in listed.find_all("li")]
    assert items == [category.description for category in CATEGORIES]


def test_the_export_has_a_section_for_each_category_the_notice_lists(
    client: FlaskClient, services: Services, mailbox: MemorySender
) -> None:
    sign_up(client)
    path = confirm_path(mailbox)
    client.post(path, data={"csrf_token": csrf_token(client.get(path).text)})

    document = services.exports.export("ada@example.org", route="cli", requested_by="test").document

    assert tuple(key for key in document if key in CATEGORY_NAMES) == CATEGORY_NAMES
