"""DynamoDB Local for the integration tier: one JVM in memory per session, empty tables per test.

The unit and web tiers bind the same PynamoDB models to moto (no endpoint, prefix
"portal-test") in this process, so every fixture here binds again before it touches a table;
`tables.bind` keeps the cached clients when nothing changed.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import shutil
import socket
import struct
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import portal.runtime as runtime
from portal.container import Services, build_services
from portal.local.dynamodb import LAUNCHER, DynamoDBLocal, find_jar, java_available
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.settings import Settings
from tests.conftest import FAKE_AWS, MENTEE_FORM, REGION, ROOT, FakeClock, csrf_token

TABLE_PREFIX = "portal-it"
BASE = "http://portal.test"  # the base URL of the links the portal emails
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


def listening_addresses(port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The local addresses of the sockets listening on a TCP port (Linux's /proc/net)."""
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(
                bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, len(address), 8)
            )
            assert len(raw) == width
            found.append(ipaddress.ip_address(raw))
    return found


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_loopback)


def other_addresses_of_this_machine() -> list[str]:
    """This machine's IPv4 addresses other than loopback, one per interface that has one."""
    addresses = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), 0x8915, request)  # SIOCGIFADDR
            except OSError:
                continue  # no IPv4 address on this interface
            address = socket.inet_ntoa(reply[20:24])
            if not ipaddress.ip_address(address).is_loopback:
                addresses.append(address)
    return addresses


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
    left = processes_matching(f"{LAUNCHER.name} -port {local.port} ")
    assert not left, f"java processes left behind: {left}"


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock starting at the start of the current ten minutes (overrides the
    root fixture's fixed date).

    DynamoDB Local 3.x deletes items whose TTL has passed by the wall clock, within seconds:
    a token issued at the root clock's fixed date would vanish in the middle of a test. The
    start of the ten minutes, as the root clock's 09:00 is, so that a test that moves a
    minute stays in the sign-up emails' window whatever the wall clock says (one started at
    :x9 crossed it).
    """
    now = datetime.now(UTC)
    return FakeClock(now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0))


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


@pytest.fixture
def command_env(store: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PORTAL_* as a `portal` command or a function reads them, on DynamoDB Local's tables."""
    assert store.dynamodb_endpoint is not None
    for key, value in {
        "PORTAL_STAGE": "test",
        "PORTAL_DYNAMODB_ENDPOINT": store.dynamodb_endpoint,
        "PORTAL_TABLE_PREFIX": store.table_prefix,
        "PORTAL_REGION": REGION,
        "PORTAL_MAIL_TRANSPORT": "memory",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
        "PORTAL_BASE_URL": BASE,
    }.items():
        monkeypatch.setenv(key, value)
    runtime.services.cache_clear()
    yield
    runtime.services.cache_clear()
