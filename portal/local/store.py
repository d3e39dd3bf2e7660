"""The local store every `portal` command uses: the dev server's, or one started for the command."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from portal.local.dynamodb import (
    DynamoDBLocal,
    EndpointFile,
    LocalStoreError,
    find_jar,
    java_available,
)
from portal.persistence import tables
from portal.settings import Settings

log = logging.getLogger(__name__)

# DynamoDB Local runs with -sharedDb, so any credentials reach the same tables; these fake
# ones keep botocore from looking for real ones (or asking the EC2 metadata service).
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def ensure_local_credentials() -> None:
    for key, value in LOCAL_CREDENTIALS.items():
        os.environ.setdefault(key, value)


@contextmanager
def _moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextmanager
def local_store(
    settings: Settings, *, publish: bool = False, warn: Callable[[str], object] = print
) -> Iterator[Settings]:
    """Settings whose DynamoDB endpoint reaches the local store, with the tables created.

    Uses the endpoint a running `portal dev` published in the data folder; otherwise starts
    DynamoDB Local on the data folder for the duration (moto in memory when Java is missing).
    """
    if settings.stage == "aws":
        raise LocalStoreError("the aws stage uses the real DynamoDB, not a local store")
    ensure_local_credentials()
    if settings.dynamodb_endpoint:
        yield _ready(settings)
        return
    endpoint_file = EndpointFile.in_data_dir(settings.data_dir)
    live = endpoint_file.live_endpoint()
    if live is not None:
        yield _ready(settings.with_overrides(dynamodb_endpoint=live[0]))
        return

    if java_available() and find_jar() is not None:
        local = DynamoDBLocal.start(settings.data_dir / "dynamodb")
        try:
            if publish:
                endpoint_file.publish(local.endpoint, "dynamodb-local")
            yield _ready(settings.with_overrides(dynamodb_endpoint=local.endpoint))
        finally:
            if publish:
                endpoint_file.withdraw()
            local.stop()
        return

    reason = "Java is not installed" if not java_available() else "DynamoDB Local is not installed"
    warn(
        f"WARNING: {reason}; using moto's DynamoDB in memory instead. "
        "Nothing is kept after this process stops. "
        "Install Java 17+ and run `make run` to keep data."
    )
    with _moto_server() as endpoint:
        try:
            if publish:
                endpoint_file.publish(endpoint, "moto")
            yield _ready(settings.with_overrides(dynamodb_endpoint=endpoint))
        finally:
            if publish:
                endpoint_file.withdraw()


def _ready(settings: Settings) -> Settings:
    tables.bind(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
    created = tables.create_tables()
    if created:
        log.info("created tables: %s", ", ".join(created))
    return settings
