"""The DynamoDB Local launcher itself, on a data folder."""

from __future__ import annotations

import gc
import os
import stat
import warnings
from pathlib import Path

import boto3
import pytest

from portal.local.dynamodb import DynamoDBLocal, port_open
from tests.integration.conftest import (
    dynamodb_local_jar,
    is_loopback,
    listening_addresses,
    other_addresses_of_this_machine,
    processes_matching,
)

pytestmark = pytest.mark.integration


def test_starting_on_a_folder_leaves_no_file_open(tmp_path: Path) -> None:
    jar = dynamodb_local_jar()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        local = DynamoDBLocal.start(tmp_path / "dynamodb", jar=jar)
        try:
            gc.collect()
        finally:
            local.stop()

    assert local.process.returncode is not None
    assert processes_matching(f"{tmp_path.resolve()}/") == []
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []


def test_it_listens_on_the_loopback_address_only(tmp_path: Path) -> None:
    # It accepts any credentials: on another interface, anyone on the network could read
    # and change every table.
    local = DynamoDBLocal.start(tmp_path / "dynamodb", jar=dynamodb_local_jar())
    try:
        listening = listening_addresses(local.port)
        reachable = [
            address
            for address in other_addresses_of_this_machine()
            if port_open(local.port, host=address)
        ]
        answers_on_loopback = port_open(local.port)
    finally:
        local.stop()

    assert listening, f"nothing listens on port {local.port}"
    assert all(is_loopback(address) for address in listening), listening
    assert reachable == []
    assert answers_on_loopback


def test_its_database_and_log_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "dynamodb"
    folder.mkdir()
    os.chmod(folder, 0o755)  # noqa: S103 - as an older version left it
    previous = os.umask(0o022)
    try:
        local = DynamoDBLocal.start(folder, jar=dynamodb_local_jar())
    finally:
        os.umask(previous)
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=local.endpoint, region_name="eu-west-1"
        )  # the autouse fixture's fake credentials
        client.create_table(
            TableName="modes",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="modes", Item={"k": {"S": "written"}})
    finally:
        local.stop()

    files = sorted(path.name for path in folder.iterdir())
    assert "shared-local-instance.db" in files
    assert "dynamodb-local.log" in files
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}
    assert modes == dict.fromkeys(files, 0o600)
