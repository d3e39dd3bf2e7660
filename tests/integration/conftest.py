"""DynamoDB Local for the integration tier: one JVM in memory per session, empty tables per test.

The unit and web tiers bind the same PynamoDB models to moto (no endpoint, prefix
"portal-test") in this process, so every fixture here binds again before it touches a table;
`tables.bind` keeps the cached clients when nothing changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.local.dynamodb import DynamoDBLocal, find_jar, java_available
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.services import Services, build_services
from portal.settings import Settings
from tests.conftest import FAKE_AWS, MENTEE_FORM, REGION, ROOT, FakeClock, csrf_token

TABLE_PREFIX = "portal-it"
INSTALL_DIR = Path(os.environ.get("PORTAL_DYNAMODB_LOCAL_DIR", ROOT / ".tools" / "dynamodb-local"))


def sign_up_as_mentee(client: FlaskClient) -> TestResponse:
    """Open the demo program's mentee form and send it filled in."""
    page = client.get("/programs/demo/join/mentee")
    assert page.status_code == 200
    return client.post(
        "/programs/demo/join/mentee", data={**MENTEE_FORM, "csrf_token": csrf_token(page.text)}
    )


def processes_matching(pattern: str) -> list[str]:
    """`pgrep -f` for a pattern: the pid and command line of every matching process."""
    pgrep = shutil.which("pgrep")
    assert pgrep, "pgrep (procps) is needed to check for processes left behind"
    found = subprocess.run(  # noqa: S603 - fixed program, the pattern is a path we made
        [pgrep, "-a", "-f", "--", pattern],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert found.returncode in (0, 1), found.stderr  # 1: nothing matched
    return found.stdout.splitlines()


def dynamodb_local_jar() -> Path:
    jar = find_jar(INSTALL_DIR)
    if jar is None or not java_available():
        pytest.fail(
            f"the integration tier needs Java 17+ and DynamoDB Local in {INSTALL_DIR} "
            "(`make test` installs both)"
        )
    return jar


@pytest.fixture(scope="session", autouse=True)
def _no_java_left_behind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """At the end of the session, no JVM runs on any data folder this tier's tests made."""
    yield
    left = processes_matching(f"{tmp_path_factory.getbasetemp().resolve()}/")
    assert not left, f"java processes left behind: {left}"


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """One DynamoDB Local in memory for the whole session, with the tables created."""
    jar = dynamodb_local_jar()
    with pytest.MonkeyPatch.context() as patch:
        # The autouse fake credentials are function-scoped: set them for the session's clients.
        for key, value in FAKE_AWS.items():
            patch.setenv(key, value)
        for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
            patch.delenv(key, raising=False)
        local = DynamoDBLocal.start(None, jar=jar)
        try:
            tables.bind(TABLE_PREFIX, REGION, local.endpoint)
            tables.create_tables()
            yield local
        finally:
            local.stop()
    assert local.process.returncode is not None, "DynamoDB Local is still running"
    left = processes_matching(f"DynamoDBLocal.jar -port {local.port} ")
    assert not left, f"java processes left behind: {left}"


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock starting now (overrides the root fixture's fixed date).

    DynamoDB Local 3.x deletes items whose TTL has passed by the wall clock, within seconds:
    a token issued at the root clock's fixed date would vanish in the middle of a test.
    """
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def it_settings(settings: Settings, dynamodb_local: DynamoDBLocal) -> Settings:
    """The test stage's settings, pointed at DynamoDB Local."""
    return settings.with_overrides(
        dynamodb_endpoint=dynamodb_local.endpoint, table_prefix=TABLE_PREFIX
    )


@pytest.fixture
def store(it_settings: Settings) -> Settings:
    """DynamoDB Local with the portal's tables bound and empty at the start of the test."""
    tables.bind(it_settings.table_prefix, it_settings.region, it_settings.dynamodb_endpoint)
    tables.truncate_tables()
    return it_settings


@pytest.fixture
def services(store: Settings, clock: FakeClock, mailbox: MemorySender) -> Services:
    """The services on DynamoDB Local (overrides the moto-backed fixture of the root conftest)."""
    return build_services(store, clock=clock, sender=mailbox)
