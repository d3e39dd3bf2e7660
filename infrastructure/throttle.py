"""API Gateway throttling for the stage Zappa deploys: set it after `zappa deploy`, and check it.

Zappa makes the REST API (in a CloudFormation stack of its own) and its stage (by a
deployment, outside any stack), and has no setting for throttling, so neither
`template.yaml` nor `zappa_settings.json` can reach the stage; a usage plan in our template
would throttle only requests that carry an API key, which the portal's never do. This sets
the stage's default method throttling (every resource and method, `*/*`) and reads it back.
It stays through `zappa update`, which redeploys the same stage and changes only its logging
and caching settings; after `zappa undeploy` and a new `zappa deploy`, run it again.

    .venv-package/bin/python -m infrastructure.throttle dev           # set, then check
    .venv-package/bin/python -m infrastructure.throttle dev --check   # check only
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# For the whole stage, every client together: about 8 page views a second (a page, its
# stylesheet and icon), far above a launch email's rush, while a flood costs at most
# 25 x 86,400 = 2.2 million requests a day. Limits per client are the portal's own.
RATE_LIMIT = 25.0  # requests per second, sustained
BURST_LIMIT = 50  # requests at once


def zappa_stage(stage: str) -> dict[str, Any]:
    """A stage of zappa_settings.json, with what it extends."""
    settings: dict[str, Any] = json.loads((ROOT / "zappa_settings.json").read_text("utf-8"))
    if stage not in settings:
        raise SystemExit(f"zappa_settings.json has no stage {stage!r}: {', '.join(settings)}")
    own = settings[stage]
    return {**settings[own["extends"]], **own} if "extends" in own else dict(own)


def find_api(client: Any, name: str) -> str | None:
    """The id of the REST API Zappa named `name` (the function's name), if there is one."""
    for page in client.get_paginator("get_rest_apis").paginate():
        for api in page["items"]:
            if api["name"] == name:
                return str(api["id"])
    return None


def apply(client: Any, api_id: str, stage: str, rate: float, burst: int) -> None:
    """Throttle every method of the stage to `rate` a second with bursts of `burst`."""
    client.update_stage(
        restApiId=api_id,
        stageName=stage,
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(rate)},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(burst)},
        ],
    )


def problems(client: Any, api_id: str, stage: str, rate: float, burst: int) -> list[str]:
    """What differs from the intended throttling; empty when the stage has it."""
    settings = client.get_stage(restApiId=api_id, stageName=stage).get("methodSettings", {})
    found = settings.get("*/*", {})
    wrong = []
    if float(found.get("throttlingRateLimit", -1)) != rate:
        wrong.append(f"rate limit is {found.get('throttlingRateLimit', 'not set')}, not {rate}")
    if int(found.get("throttlingBurstLimit", -1)) != burst:
        wrong.append(f"burst limit is {found.get('throttlingBurstLimit', 'not set')}, not {burst}")
    return wrong


def main(argv: list[str] | None = None, client: Any = None) -> int:
    """Set (unless --check) and check the throttling of a Zappa stage's API; 0 if it holds."""
    parser = argparse.ArgumentParser(prog="python -m infrastructure.throttle", description=__doc__)
    parser.add_argument("stage", help="the Zappa stage, e.g. dev or prod")
    parser.add_argument("--check", action="store_true", help="only check, change nothing")
    parser.add_argument("--rate", type=float, default=RATE_LIMIT, help="requests per second")
    parser.add_argument("--burst", type=int, default=BURST_LIMIT, help="requests at once")
    args = parser.parse_args(argv)
    settings = zappa_stage(args.stage)
    name = f"{settings['project_name']}-{args.stage}"
    if client is None:
        import boto3  # the packaging virtualenv has it (Zappa's dependency)

        client = boto3.client("apigateway", region_name=settings["aws_region"])
    api_id = find_api(client, name)
    if api_id is None:
        print(f"no REST API named {name}: run `zappa deploy {args.stage}` first", file=sys.stderr)
        return 1
    if not args.check:
        apply(client, api_id, args.stage, args.rate, args.burst)
    wrong = problems(client, api_id, args.stage, args.rate, args.burst)
    for problem in wrong:
        print(f"{name} stage {args.stage}: {problem}", file=sys.stderr)
    if not wrong:
        print(f"{name} stage {args.stage}: {args.rate:g} requests a second, bursts of {args.burst}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
