"""On Lambda, queued email a request asks for is sent by another invocation, not the request.

A sign-up request queues its email in the outbox and returns; this courier then asks Lambda to
run `functions.outbox.deliver` for that message asynchronously (Zappa runs the function a
`command` event names). The request pays for one asynchronous invoke whether or not there was
anything new to send, so its timing says nothing about the address; and if the invoke fails,
the scheduled outbox run sends the message within 5 minutes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)

DELIVER = "functions.outbox.deliver"


class LambdaCourier:
    """Starts an asynchronous invocation of this function that sends one queued message."""

    def __init__(self, function_name: str, region: str, client: Any = None) -> None:
        self.function_name = function_name
        self.region = region
        self._client = client

    @property
    def client(self) -> Any:
        """The Lambda client, made on first use: a cold start that queues no email skips it."""
        if self._client is None:
            import boto3

            self._client = boto3.client("lambda", region_name=self.region)
        return self._client

    def __call__(self, key: str) -> None:
        # Nothing is lost if it cannot start: the message waits for the scheduled run.
        self._start(
            {"command": DELIVER, "key": key}, f"outbox {key}: the scheduled run will send it"
        )

    def _start(self, event: dict[str, str], otherwise: str) -> None:
        """Invoke this function asynchronously with `event`; if that fails, log `otherwise`
        (what happens instead) and go on."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.invoke(
                FunctionName=self.function_name,
                InvocationType="Event",
                Payload=json.dumps(event).encode(),
            )
        except (BotoCoreError, ClientError) as exc:
            log.warning("%s (%s)", otherwise, type(exc).__name__)


FINISH_IMPORT = "functions.roster.finish"


class LambdaImportFinisher(LambdaCourier):
    """Starts an asynchronous invocation that does an applied roster import's to-dos."""

    def __call__(self, program: str) -> None:
        # Nothing is lost if it cannot start: the to-dos wait on the import's entries.
        self._start(
            {"command": FINISH_IMPORT, "program": program},
            f"roster import of {program}: the hourly run will finish it",
        )
