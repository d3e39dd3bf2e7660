"""On Lambda a request hands the email it queued to another invocation, which sends it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from portal.adapters import make_courier
from portal.mail.courier import DELIVER, LambdaCourier, LambdaImportFinisher
from portal.settings import Settings, load_settings
from tests.conftest import REGION


@pytest.fixture
def stubbed() -> Iterator[tuple[LambdaCourier, Stubber]]:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stubber:
        yield LambdaCourier("mentor-portal-dev", REGION, client), stubber
        stubber.assert_no_pending_responses()


def test_the_courier_starts_an_asynchronous_invocation_naming_the_message(
    stubbed: tuple[LambdaCourier, Stubber],
) -> None:
    courier, stubber = stubbed
    payload = json.dumps({"command": "functions.outbox.deliver", "key": "confirm:demo:ab:0"})
    stubber.add_response(
        "invoke",
        {"StatusCode": 202},
        {
            "FunctionName": "mentor-portal-dev",
            "InvocationType": "Event",
            "Payload": payload.encode(),
        },
    )
    courier("confirm:demo:ab:0")
    assert DELIVER == "functions.outbox.deliver"


def test_a_failed_invocation_is_logged_and_leaves_the_message_to_the_scheduled_run(
    stubbed: tuple[LambdaCourier, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    courier, stubber = stubbed
    stubber.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
    courier("confirm:demo:ab:0")  # the request goes on: the email waits in the outbox
    assert "outbox confirm:demo:ab:0: the scheduled run will send it" in caplog.text


@pytest.mark.parametrize(
    ("stage", "function_name", "courier"),
    [("aws", "mentor-portal-dev", True), ("aws", None, False), ("test", "x", False)],
    ids=["on-lambda", "aws-stage-off-lambda", "test-stage"],
)
def test_only_a_lambda_function_has_a_courier(
    settings: Settings, stage: str, function_name: str | None, courier: bool
) -> None:
    made = make_courier(settings.with_overrides(stage=stage, function_name=function_name))
    assert (made is not None) is courier
    if made is not None:
        assert (made.function_name, made.region) == ("mentor-portal-dev", REGION)


def test_the_function_name_is_the_one_lambda_sets(tmp_path: Path) -> None:
    env = {"PORTAL_STAGE": "test", "PORTAL_DATA_DIR": str(tmp_path)}
    assert load_settings(env).function_name is None
    named = load_settings({**env, "AWS_LAMBDA_FUNCTION_NAME": "mentor-portal-prod"})
    assert named.function_name == "mentor-portal-prod"


def test_the_import_finisher_starts_an_invocation_naming_the_program_or_leaves_it_hourly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stubber:
        finisher = LambdaImportFinisher("mentor-portal-dev", REGION, client)
        payload = json.dumps({"command": "functions.roster.finish", "program": "demo"})
        stubber.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "mentor-portal-dev",
                "InvocationType": "Event",
                "Payload": payload.encode(),
            },
        )
        finisher("demo")
        stubber.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
        finisher("demo")  # the apply goes on: the to-dos wait on the import's entries
        stubber.assert_no_pending_responses()
    assert "roster import of demo: the hourly run will finish it" in caplog.text
