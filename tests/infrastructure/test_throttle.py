"""infrastructure/throttle.py sets and checks the throttling of the API Gateway stage Zappa made."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infrastructure import throttle
from tests.conftest import REGION


def zappa_like_api(client: Any, name: str, stage: str) -> str:
    """A REST API as `zappa deploy` leaves it: a proxy to the function, deployed to a stage."""
    api_id = str(client.create_rest_api(name=name)["id"])
    (root,) = client.get_resources(restApiId=api_id)["items"]
    proxy = client.create_resource(restApiId=api_id, parentId=root["id"], pathPart="{proxy+}")
    for resource in (root["id"], proxy["id"]):
        client.put_method(
            restApiId=api_id, resourceId=resource, httpMethod="ANY", authorizationType="NONE"
        )
        client.put_integration(
            restApiId=api_id,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{REGION}:123456789012:function:{name}/invocations",
        )
    client.create_deployment(restApiId=api_id, stageName=stage)
    return api_id


@pytest.fixture
def apigateway(_moto: None) -> Iterator[Any]:
    client = boto3.client("apigateway", region_name=REGION)
    yield client
    for api in client.get_rest_apis()["items"]:
        client.delete_rest_api(restApiId=api["id"])


def test_a_fresh_stage_fails_the_check_and_is_left_unchanged(
    apigateway: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    api_id = zappa_like_api(apigateway, "mentor-portal-dev", "dev")
    before = apigateway.get_stage(restApiId=api_id, stageName="dev").get("methodSettings", {})

    assert throttle.main(["dev", "--check"], apigateway) == 1

    assert "mentor-portal-dev stage dev: rate limit is" in capsys.readouterr().err
    after = apigateway.get_stage(restApiId=api_id, stageName="dev").get("methodSettings", {})
    assert after == before


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_stage_is_throttled_for_every_method_and_then_passes_the_check(
    apigateway: Any, stage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api_id = zappa_like_api(apigateway, f"mentor-portal-{stage}", stage)

    assert throttle.main([stage], apigateway) == 0

    settings = apigateway.get_stage(restApiId=api_id, stageName=stage)["methodSettings"]["*/*"]
    assert settings["throttlingRateLimit"] == throttle.RATE_LIMIT == 25.0
    assert settings["throttlingBurstLimit"] == throttle.BURST_LIMIT == 50
    assert throttle.main([stage, "--check"], apigateway) == 0
    assert "25 requests a second, bursts of 50" in capsys.readouterr().out


def test_without_a_deployed_api_it_says_to_deploy_first(
    apigateway: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    zappa_like_api(apigateway, "another-project-dev", "dev")

    assert throttle.main(["dev"], apigateway) == 1

    assert "no REST API named mentor-portal-dev: run `zappa deploy dev` first" in (
        capsys.readouterr().err
    )
