"""The Nu HTML Checker (vnu) finds no error on any page a participant or an organizer visits.

The pages are rendered through the test client along one life in the portal (public pages,
sign-up, confirmation, a person's page in each of its states, check-in, rating, unsubscribe,
the choice of a mentor, an organizer's review), written to files and checked in one run of
vnu: one JVM start for all of them. vnu comes from the npm package `vnu-jar`, installed
by `make test` (`make .tools/vnu/.installed`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal import create_app
from portal.container import Services, build_services
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import CONTENT, ROOT, FakeClock, csrf_token, links_in
from tests.factories import seed_demo_people
from tests.web.conftest import Site
from tests.web.helpers import GOOD_FOR, join

pytestmark = pytest.mark.browser

VNU_JAR = ROOT / ".tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class Pages:
    """The pages seen so far, by a name that says where they were met."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.html: dict[str, str] = {}

    def keep(self, name: str, response: TestResponse, status: int = 200) -> str:
        assert response.status_code == status, f"{name}: {response.status_code}"
        assert response.mimetype == "text/html", name
        self.html[name] = response.text
        return response.text

    def get(self, name: str, path: str, status: int = 200) -> str:
        return self.keep(name, self.client.get(path), status)

    def post(self, name: str, path: str, page: str, status: int = 200, **data: str) -> str:
        response = self.client.post(path, data={"csrf_token": csrf_token(page), **data})
        if response.status_code == 302 and status == 200:
            return self.get(name, response.headers["Location"])
        return self.keep(name, response, status)


def _path(url: str) -> str:
    """The path of an emailed link: the test client is the host."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _link(mailbox: MemorySender, to: str, part: str, subject: str = "") -> str:
    for recipient, message in reversed(mailbox.sent):
        if recipient.lower() == to.lower() and subject in str(message["Subject"]):
            found = [u for u in links_in(message) if part in u]
            if found:
                return _path(found[0])
    raise AssertionError(f"no email to {to} with a {part} link ({subject!r})")


def visit_everything(site: Site, clock: FakeClock, mailbox: MemorySender) -> dict[str, str]:
    """Every page of the life, by name."""
    services: Services = site.services
    pages = Pages(site.client)
    for path in ("/", "/faq", "/about-mentoring", "/formats", "/roles", "/privacy"):
        pages.get(f"page {path}", path)
    pages.get("programs", "/programs/")
    pages.get("missing page", "/no-such-page", 404)
    for slug, role in GOOD_FOR:
        pages.get(f"program {slug}", f"/programs/{slug}")
        pages.get(f"join {slug} {role}", f"/programs/{slug}/join/{role}")
    pages.get("agreement", "/programs/demo/agreement")
    pages.keep("join with errors", join(site.client, "demo", "mentee", {}), 422)

    # Ada signs up and confirms.
    sent = join(site.client, "demo", "mentee", GOOD_FOR[("demo", "mentee")])
    pages.keep("check your email", sent, 200)
    confirm = _link(mailbox, "ada@example.org", "/confirm/")
    page = pages.get("confirm", confirm)
    pages.post("confirmed", confirm, page)
    pages.get("used confirmation link", confirm, 410)

    # Rounds: demo introduces, peer-circles waits for its organizer, leaders-group's mentees choose.
    for slug in ("demo", "peer-circles", "leaders-group"):
        program = services.programs.get(slug)
        assert program is not None
        seed_demo_people(services, program, clock())
        assert services.rounds.run(program, "2026-03-02T0900Z", trigger="cli").status == "done"
    services.mail.drain(per_second=1_000_000, sleep=lambda _: None)

    # The organizer of peer-circles reviews its drafts, in a browser of their own.
    pages.client = site.app.test_client()
    organize = _link(mailbox, "returners@example.org", "/organize/")
    page = pages.get("organizer link", organize)
    page = pages.post("organizer review", organize, page)
    adjust = "/organize/programs/peer-circles/rounds/2020-01-01T0900Z/adjust"
    pages.post("organizer, no such round", adjust, page, 404, mentee="x", mentor="")
    pages.get("organizer page, another program's", "/organize/programs/demo/review", 404)
    pages.get("organizers' console", "/organize/")
    pages.client = site.app.test_client()
    pages.get("organizers' console, signed out", "/organize/", 403)

    # A mentee of leaders-group chooses a mentor.
    pages.client = site.app.test_client()
    chooser = next(to for to, m in mailbox.sent if "/choose/" in " ".join(links_in(m)))
    choose = _link(mailbox, chooser, "/choose/")
    page = pages.get("choose a mentor", choose)
    pages.post("chosen", choose, page)
    services.mail.drain(per_second=1_000_000, sleep=lambda _: None)
    pages.client = site.app.test_client()
    group = _link(mailbox, chooser, "/me/", subject="your group")
    page = pages.get("group link", group)
    page = pages.post("group page", group, page)
    page = pages.post("group check-in logged", "/me/programs/leaders-group/group", page, met="no")

    # A mentee the demo round left waiting opens their page from the waiting email.
    pages.client = site.app.test_client()
    waiting = next(to for to, m in mailbox.sent if "No match for you yet" in str(m["Subject"]))
    waited = _link(mailbox, waiting, "/me/", subject="No match for you yet")
    page = pages.get("waiting link", waited)
    pages.post("my page, waiting", waited, page)

    # Someone whose session ended finds the sign-in form, and asks for a link.
    pages.client = site.app.test_client()
    pages.get("my page, signed out", "/me/programs/demo", 403)
    page = pages.get("sign in", "/sign-in")
    pages.post("sign in, sent", "/sign-in", page, email=waiting)
    pages.post("sign in, bad address", "/sign-in", page, 422, email="not an address")

    # A matched mentee opens their page from the introduction.
    pages.client = site.app.test_client()
    match = services.rounds.matches.active("demo")[0]
    me = _link(mailbox, match.mentee, "/me/")
    page = pages.get("page link", me)
    pages.post("my page", me, page)
    pages.get("profile", "/me/programs/demo/profile")
    pages.get("erase", "/me/programs/demo/erase")

    # Two weeks later, a reminder: rate in one click, then check in.
    clock.advance(days=14)
    services.reminders.remind(clock())
    services.mail.drain(per_second=1_000_000, sleep=lambda _: None)
    pages.client = site.app.test_client()
    rate = _link(mailbox, match.mentee, "/rate/")
    page = pages.get("rate", rate)
    pages.post("rated", rate, page)
    pages.get("rating link used", rate, 410)
    checkin = _link(mailbox, match.mentee, "/checkin/")
    page = pages.get("check-in link", checkin)
    page = pages.post("check-in form", checkin, page)
    page = pages.get("my page, later", "/me/programs/demo")
    page = pages.post("paused", "/me/programs/demo/pause", page)
    page = pages.post("resumed", "/me/programs/demo/resume", page)
    page = pages.get("leave", "/me/programs/demo/leave")
    pages.post("left", "/me/programs/demo/leave", page)

    unsubscribe = _link(mailbox, match.mentor, "/unsubscribe/")
    page = pages.get("unsubscribe", unsubscribe)
    pages.keep("unsubscribed", pages.client.post(unsubscribe))  # no CSRF: RFC 8058's one click
    pages.get("unsubscribe, bad link", "/unsubscribe/not-a-token", 404)
    return pages.html


def vnu_errors(folder: Path) -> list[dict[str, str]]:
    """vnu's errors on every .html file in `folder`, in one run."""
    java = shutil.which("java")
    assert java, "java is needed for vnu: `make system-packages` installs it"
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: `make .tools/vnu/.installed` installs it"
    files = sorted(str(p) for p in folder.glob("*.html"))
    run = subprocess.run(  # noqa: S603 - fixed program and our own files
        [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    messages = json.loads(run.stderr)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


@pytest.fixture
def site(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender, tmp_path: Path
) -> Site:
    """The portal with peer-circles waiting for its organizer's approval."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "programs" / "peer-circles.md"
    text = path.read_text()
    assert "approval: auto" in text
    path.write_text(text.replace("approval: auto", "approval: organizer"))
    custom = settings.with_overrides(content_dir=content)
    services = build_services(custom, clock=clock, sender=mailbox)
    app = create_app(custom, services)
    app.config.update(TESTING=True)
    return Site(app=app, client=app.test_client(), services=services)


def test_vnu_finds_no_error_on_any_page(
    site: Site, clock: FakeClock, mailbox: MemorySender, tmp_path: Path
) -> None:
    pages = visit_everything(site, clock, mailbox)
    folder = tmp_path / "pages"
    folder.mkdir()
    names = {}
    for n, (name, text) in enumerate(sorted(pages.items())):
        file = folder / f"{n:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.html"
        file.write_text(text, encoding="utf-8")
        names[file.name] = name
    errors = vnu_errors(folder)
    found = [f"{names[Path(e['url']).name]}: {e['message']}" for e in errors]
    assert not found, f"vnu found {len(found)} errors:\n" + "\n".join(found)
