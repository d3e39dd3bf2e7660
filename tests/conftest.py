"""Shared fixtures: settings for the test stage, moto, services with a clock and a mailbox."""

from __future__ import annotations

import email
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.serialize import ResponseSerializer
from moto.dynamodb.models import dynamodb_backends

from portal import create_app, prepared
from portal.container import Services, build_services
from portal.extensions import csrf
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.settings import Settings
from tests import moto_speed

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TABLE_PREFIX = "portal-test"
REGION = "eu-west-1"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# Each folder of tests is a tier with a marker of its name: `pytest -m "not browser"`.
TIERS = (
    "unit",
    "web",
    "fuzz",
    "functions",
    "integration",
    "browser",
    "infrastructure",
    "package",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile a catalogue whose .mo is missing or older than its .po, as `make translations`
    does: a test run straight from pytest sees the words of the .po it has."""
    for po in (ROOT / "portal" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")  # xdist workers compile at once
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = ROOT / "tests"
    for item in items:
        folder = item.path.relative_to(tests).parts[0]
        if folder in TIERS:
            item.add_marker(getattr(pytest.mark, folder))


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        stage="test",
        table_prefix=TABLE_PREFIX,
        base_url="http://portal.test",
        mail_transport="memory",
        mail_sender="Mentor Portal <portal@example.org>",
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-" + "x" * 32,
        region=REGION,
        content_dir=CONTENT,
    )


@pytest.fixture(scope="session", autouse=True)
def _moto_answers_faster() -> Iterator[None]:
    """moto's answers, unchanged, without looking for each member anew (tests/moto_speed.py)."""
    if not moto_speed.installable():
        yield  # another moto: its own get_value, slower (tests/unit/test_moto_speed.py says so)
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ResponseSerializer, "get_value", moto_speed.get_value)
        yield


@pytest.fixture(scope="session")
def _moto() -> Iterator[None]:
    # One moto for the session: creating tables and clients anew for each test costs ~1.5 s.
    with pytest.MonkeyPatch.context() as patch:
        for key, value in FAKE_AWS.items():
            patch.setenv(key, value)
        with mock_aws():
            tables.bind(TABLE_PREFIX, REGION, None)
            tables.create_tables()
            yield


def empty_moto_tables() -> None:
    """Empty every portal table in moto's own store, and check that moto counts no item."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    held = [backend.get_table(model.Meta.table_name) for model in tables.ALL_MODELS]
    for table in held:
        table.items.clear()  # where moto keeps a table's items, as DeleteItem shows
    assert not any(len(table) for table in held)


@pytest.fixture
def aws(_moto: None) -> None:
    """moto's AWS with the portal's tables, empty at the start of each test."""
    tables.bind(TABLE_PREFIX, REGION, None)
    # Emptied in moto's own store: through the API (a scan of each table and a delete of each
    # item) it took a tenth of the unit and web tiers' time. test_moto_speed.py checks that
    # the API then finds nothing.
    empty_moto_tables()


def table_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every item of every portal table, as stored: equal snapshots mean nothing was written.

    Except the usage table: the portal's own counters of its cost, which any request may add
    to (the web app stores its counts once a minute), whatever it does or refuses.
    """
    return {
        model.Meta.table_name: sorted(
            (record.serialize() for record in model.scan()),
            key=lambda item: json.dumps(item, sort_keys=True, default=repr),  # bytes: uploads
        )
        for model in tables.ALL_MODELS
        if model is not tables.UsageRecord
    }


def stored_sign_ups() -> tuple[int, int, int]:
    """What sign-ups store, counted: participants, links (tokens) and queued emails."""
    return (
        sum(1 for _ in tables.ParticipantRecord.scan()),
        sum(1 for _ in tables.TokenRecord.scan()),
        sum(1 for _ in tables.OutboxRecord.scan()),
    )


@pytest.fixture
def mailbox() -> MemorySender:
    return MemorySender()


@pytest.fixture
def services(aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    return build_services(settings, clock=clock, sender=mailbox)


@pytest.fixture(scope="session")
def lambda_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[prepared.Route], Path]:
    """What `make package` prepares (portal/prepared.py): the route table and the templates
    compiled ahead, made once from an app built with its blueprints."""
    settings = Settings(stage="test", secret_key="k" * 48, content_dir=CONTENT)
    eager = create_app(settings, build_services(settings, read_content=False))
    routes = prepared.describe(eager, lambda view: view in csrf._exempt_views)
    folder = tmp_path_factory.mktemp("compiled_templates")
    prepared.compile_templates(eager, folder)
    return json.loads(json.dumps(routes)), folder  # as read back from the zip


@pytest.fixture
def app(services: Services, lambda_build: tuple[list[prepared.Route], Path]) -> Flask:
    """The app as the Lambda builds it: each view imported when first requested, templates
    compiled ahead (tests/unit/test_prepared.py compares it with the app `make run` serves)."""
    routes, templates = lambda_build
    app = create_app(services.settings, services, routes)
    prepared.use_compiled_templates(app, templates)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# A mentee of the demo program who fills in the sign-up form correctly (web and integration tiers).
MENTEE_FORM: dict[str, Any] = {
    "name": "Ada Lovelace",
    "email": "Ada@Example.org",
    "languages": ["English", "French"],
    "timezone": "Europe/London",
    "availability": ["mon-evening", "thu-morning"],
    "goals": ["python", "leadership"],
    "seniority": "early",
    "department": "Analytics",
    "q_industry": "Tech",
    "consent": "y",
}


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def plain(message: EmailMessage) -> str:
    """The plain-text part of a message."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html(message: EmailMessage) -> str:
    """The HTML part of a message."""
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def links_in(message: EmailMessage) -> list[str]:
    """Every URL in the plain-text part of a message."""
    return re.findall(r"https?://\S+", plain(message))


def links(message: EmailMessage, path: str) -> list[str]:
    """The URLs under `path` (e.g. "/rate/") in the plain-text part, in order."""
    return [url for url in links_in(message) if path in url]


def token_of(url: str, path: str) -> str:
    """The token that follows `path` in a link."""
    found = re.search(rf"{re.escape(path)}([A-Za-z0-9_-]+)", url)
    assert found, url
    return found.group(1)


def parse(raw: str) -> EmailMessage:
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message
