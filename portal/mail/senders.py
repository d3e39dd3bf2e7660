"""Senders deliver a raw message: SES in production, .eml files locally, memory in tests."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from portal.local.files import private_folder, write_private
from portal.mail.message import on_the_wire


class TransientSendError(Exception):
    """Worth trying again later (throttling, a timeout, a 5xx)."""


class PermanentSendError(Exception):
    """Will fail the same way again (a rejected address, a malformed message)."""


class Sender(Protocol):
    def send(self, recipient: str, raw: str) -> str:
        """Deliver one message; return the provider's message id."""
        ...


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileSender:
    """Writes each message as an .eml file, for the local stage and `/dev/mail`.

    The folder and the files are readable by their owner only: the messages hold sign-in links.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, recipient: str, raw: str) -> str:
        private_folder(self.folder)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        digest = hashlib.sha256(raw.encode()).hexdigest()[:10]
        name = f"{stamp}-{_UNSAFE.sub('_', recipient)[:60]}-{digest}.eml"
        write_private(self.folder / name, raw)  # readers never see half a file
        return f"file:{name}"


@dataclass
class MemorySender:
    """Keeps messages in a list; tests read `sent` and can inject failures."""

    sent: list[tuple[str, email.message.EmailMessage]] = field(default_factory=list)

    def send(self, recipient: str, raw: str) -> str:
        message = email.message_from_string(raw, policy=email.policy.default)
        self.sent.append((recipient, message))
        return f"memory:{len(self.sent)}"


_TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceUnavailable",
    "InternalFailure",
    "RequestTimeout",
}


class SesSender:
    """Sends raw MIME through Amazon SES v1 `send_raw_email`."""

    def __init__(
        self, client: Any = None, configuration_set: str | None = None, region: str | None = None
    ) -> None:
        self._client = client
        self.configuration_set = configuration_set
        self.region = region

    @property
    def client(self) -> Any:
        """The SES client, made on first use: a cold start that sends no email skips it."""
        if self._client is None:
            import boto3

            self._client = boto3.client("ses", region_name=self.region)
        return self._client

    def send(self, recipient: str, raw: str) -> str:
        from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

        # SES takes no SMTPUTF8: an international domain goes in its A-label (punycode) form.
        kwargs: dict[str, Any] = {
            "Destinations": [on_the_wire(recipient)],
            "RawMessage": {"Data": raw},
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_raw_email(**kwargs)
        except (ConnectionError, ReadTimeoutError) as exc:
            raise TransientSendError(type(exc).__name__) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in _TRANSIENT_CODES or status >= 500:
                raise TransientSendError(code or str(status)) from exc
            raise PermanentSendError(code) from exc
        return str(response["MessageId"])
