"""The environment a `portal` command of these tests runs in: this process's moto tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.client
import pytest

from portal.container import Services
from tests.conftest import REGION, TABLE_PREFIX

# What moto answers for DynamoDB whatever the endpoint's name: the CLI can share this process's
# in-memory tables by being given the real AWS address as its "local" endpoint.
AWS_DYNAMODB = f"https://dynamodb.{REGION}.amazonaws.com"


@pytest.fixture
def cli_env(services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PORTAL_* for a command on the test's tables, its mail kept in memory."""
    for key, value in {
        "PORTAL_STAGE": "test",
        "PORTAL_DYNAMODB_ENDPOINT": AWS_DYNAMODB,
        "PORTAL_TABLE_PREFIX": TABLE_PREFIX,
        "PORTAL_REGION": REGION,
        "PORTAL_MAIL_TRANSPORT": "memory",
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_BASE_URL": "http://portal.test",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PORTAL_CLOCK", raising=False)


@pytest.fixture
def operations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS call made, in order: 'dynamodb:GetItem', ..."""
    made: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: Any) -> Any:
        made.append(f"{self.meta.service_model.service_name}:{operation_name}")
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return made
