"""The Lambda handlers as Zappa calls them: recorded events, services built from PORTAL_* env.

`portal.runtime.services()` is cached for the container's life; each test clears it, sets
the environment of the test stage on moto, and hands `build_services` the test's clock and
sender (a deployed function reads the system clock and SES).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import portal.runtime as runtime
from portal.container import Services, build_services
from portal.mail.senders import MemorySender, Sender
from tests.conftest import REGION, TABLE_PREFIX, FakeClock

# Recorded from EventBridge (the shared lambda-events samples), kept in the repository so that
# a clone anywhere runs these tests.
EVENTS = Path(__file__).resolve().parent / "events"

Event = dict[str, Any]


@functools.cache
def _recorded(name: str) -> Event:
    path = EVENTS / name
    if not path.is_file():
        pytest.fail(f"the recorded Lambda events are missing: {path}")
    event: Event = json.loads(path.read_text(encoding="utf-8"))
    return event


def scheduled_event(time: str | None = None) -> Event:
    """The recorded EventBridge scheduled event, with its `time` replaced when given."""
    event = copy.deepcopy(_recorded("scheduled-event.json"))
    assert event["detail-type"] == "Scheduled Event"
    if time is not None:
        event["time"] = time
    return event


@pytest.fixture
def lambda_services(
    aws: None,
    clock: FakeClock,
    mailbox: MemorySender,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., Services]]:
    """Start a fresh 'container': returns a function that builds its services (once)."""
    for key, value in {
        "PORTAL_STAGE": "test",
        "PORTAL_TABLE_PREFIX": TABLE_PREFIX,
        "PORTAL_REGION": REGION,
        "PORTAL_MAIL_TRANSPORT": "memory",
        "PORTAL_MAIL_RATE": "1000",
        "PORTAL_BASE_URL": "http://portal.test",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PORTAL_DYNAMODB_ENDPOINT", raising=False)

    def start(sender: Sender | None = None) -> Services:
        monkeypatch.setattr(
            runtime,
            "build_services",
            functools.partial(build_services, clock=clock, sender=sender or mailbox),
        )
        runtime.services.cache_clear()
        return runtime.services()

    yield start
    runtime.services.cache_clear()
