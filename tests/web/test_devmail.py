"""`/dev/mail`: the local stage's inbox of .eml files, and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest
from flask.testing import FlaskClient

from portal.mail.senders import FileSender
from tests.conftest import csrf_token
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import GOOD, join

SUBJECT = "Confirm your sign-up for Demo: Tech Careers mentoring"


@pytest.fixture
def local(build_site: Callable[..., Site]) -> Site:
    """The portal as `make run` starts it: local stage, mail written to files."""
    return build_site(stage="local", mail_transport="file")


def test_there_is_no_inbox_outside_the_local_stage(client: FlaskClient) -> None:
    for path in ("/dev/mail/", "/dev/mail", "/dev/mail/x.eml"):
        assert client.get(path).status_code == 404, path


def test_pages_point_to_the_local_inbox_only_in_the_local_stage(
    client: FlaskClient, local: Site
) -> None:
    assert "/dev/mail/" not in parse(client.get("/").text).hrefs()
    banner = parse(local.client.get("/").text).one("p", class_="stage-banner")
    assert "/dev/mail/" in [a.get("href") for a in banner.find_all("a")]


def test_empty_inbox_says_so(local: Site) -> None:
    response = local.client.get("/dev/mail", follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response.text)
    assert page.h1 == "Local inbox"
    assert "No email yet." in page.text


def test_sign_up_mail_is_a_file_listed_and_shown_with_a_clickable_link(local: Site) -> None:
    client = local.client
    assert join(client, "demo", "mentee", GOOD).status_code == 200

    (eml,) = local.settings.mail_dir.glob("*.eml")
    assert SUBJECT in eml.read_text(encoding="utf-8")

    inbox = client.get("/dev/mail/")
    assert inbox.status_code == 200
    rows = parse(inbox.text).one("table", class_="mail-list").one("tbody").find_all("tr")
    assert len(rows) == 1
    assert "Ada@example.org" in rows[0].text  # as typed (Ada@Example.org), domain in lower case
    link = rows[0].one("a")
    assert link.text == SUBJECT
    assert link.get("href") == f"/dev/mail/{eml.name}"

    shown = client.get(f"/dev/mail/{eml.name}")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    page = parse(shown.text)
    assert page.h1 == SUBJECT
    body = page.one("pre", class_="mail-body")
    assert 'under the name "Ada Lovelace".' in body.text
    (confirm,) = [a for a in body.find_all("a") if "/confirm/" in (a.get("href") or "")]
    href = confirm.get("href") or ""
    assert href.startswith("http://portal.test/confirm/")
    assert confirm.text == href

    # The link works: it opens the confirm page of this sign-up.
    opened = client.get(href.removeprefix("http://portal.test"))
    assert opened.status_code == 200
    assert parse(opened.text).h1 == "Confirm your sign-up"
    csrf_token(opened.text)


def test_newest_mail_is_listed_first(local: Site) -> None:
    join(local.client, "demo", "mentee", GOOD)
    grace = {**GOOD, "email": "grace@example.org", "goals": None, "skills": ["python"]}
    join(local.client, "demo", "mentor", grace)
    rows = parse(local.client.get("/dev/mail/").text).one("tbody").find_all("tr")
    assert len(rows) == 2
    assert "grace@example.org" in rows[0].text
    assert "Ada@example.org" in rows[1].text


def test_inbox_serves_only_mail_files(local: Site) -> None:
    data_dir = local.settings.data_dir
    (data_dir / "mail").mkdir(parents=True, exist_ok=True)
    (data_dir / "secret_key").write_text("do-not-show", encoding="utf-8")
    (data_dir / "mail" / "foo.txt").write_text("do-not-show", encoding="utf-8")
    (data_dir / "mail" / ".hidden.eml.tmp").write_text("do-not-show", encoding="utf-8")
    for name in (
        "../secret_key",
        "..%2Fsecret_key",
        "%2E%2E%2Fsecret_key",
        "..%5Csecret_key",
        "secret_key",
        "foo.txt",
        "missing.eml",
        ".hidden.eml.tmp",
        "..",
    ):
        response = local.client.get(f"/dev/mail/{name}")
        assert response.status_code == 404, name
        assert "do-not-show" not in response.text, name


def test_only_the_portals_own_links_are_clickable_in_the_inbox(local: Site) -> None:
    # Someone's bio or name may hold an address: the inbox shows it as text, as the emails do.
    text = (
        "Hello,\n\nIn Ada's own words: see https://evil.example/reset now.\n\n"
        "Your page: http://portal.test/me/abc123\n"
    )
    message = EmailMessage()
    message["To"] = "grace@example.org"
    message["Subject"] = "Meet Ada"
    message.set_content(text)
    FileSender(local.settings.mail_dir).send("grace@example.org", message.as_string())
    (eml,) = local.settings.mail_dir.glob("*.eml")
    body = parse(local.client.get(f"/dev/mail/{eml.name}").text).one("pre", class_="mail-body")
    assert [a.get("href") for a in body.find_all("a")] == ["http://portal.test/me/abc123"]
    assert "https://evil.example/reset" in body.text
