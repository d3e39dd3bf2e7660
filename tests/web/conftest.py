"""Web fixtures: templates and shipped content prepared once, apps built from other settings."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from portal import create_app
from portal.catalog.pages import PageCatalog
from portal.catalog.programs import ProgramCatalog
from portal.container import Services, build_services
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import CONTENT, FakeClock
from tests.factories import History, person_with_history


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the session, whichever app asks for them."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        # The bucket checks the source's checksum, so an edited template compiles anew.
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


# Every test builds a new app, and compiling the templates anew was a third of the run.
_TEMPLATES = _CompiledTemplates()


def _for_tests(app: Flask) -> Flask:
    app.config.update(TESTING=True)
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


@pytest.fixture(scope="session", autouse=True)
def _shipped_content_read_once() -> Iterator[None]:
    """Read the shipped content once: parsing its Markdown for every test was a sixth of the run.

    Pages and program files are immutable once read (a program catalogue also reads the stored
    programs, afresh for each test); a copied content folder is still read afresh.
    """
    cached: dict[tuple[str, Path], object] = {}

    def once(kind: str, load: Callable[[Path], object]) -> Callable[[Path], object]:
        def read(folder: Path) -> object:
            if not folder.is_relative_to(CONTENT):
                return load(folder)
            if (kind, folder) not in cached:
                cached[(kind, folder)] = load(folder)
            return cached[(kind, folder)]

        return read

    with pytest.MonkeyPatch.context() as patch:
        pages = once("pages", PageCatalog.from_folder)
        patch.setattr(PageCatalog, "from_folder", classmethod(lambda cls, folder: pages(folder)))
        files = once("programs", ProgramCatalog.read_folder)
        patch.setattr(ProgramCatalog, "read_folder", staticmethod(files))
        yield


@pytest.fixture
def app(services: Services) -> Flask:
    """The app of the root conftest, sharing compiled templates with the other tests."""
    return _for_tests(create_app(services.settings, services))


@dataclass
class Site:
    """An app, a client for it and the services behind it."""

    app: Flask
    client: FlaskClient
    services: Services

    @property
    def settings(self) -> Settings:
        return self.services.settings


@pytest.fixture
def build_site(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> Callable[..., Site]:
    """Build an app from the test settings with some values replaced."""

    def build(**overrides: Any) -> Site:
        custom = settings.with_overrides(**overrides)
        # The memory transport records into `mailbox`; any other uses its own sender.
        sender = mailbox if custom.mail_transport == "memory" else None
        services = build_services(custom, clock=clock, sender=sender)
        app = _for_tests(create_app(custom, services))
        return Site(app=app, client=app.test_client(), services=services)

    return build


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the content folder that a test may change."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    return folder


@pytest.fixture
def history(services: Services, clock: FakeClock) -> History:
    """Someone in two programs, matched, with check-ins, a goal, a rating, a note, emails."""
    return person_with_history(services, clock)
