"""The SES sender: what it hands to SES."""

from __future__ import annotations

from typing import Any

import pytest

from portal.mail.senders import SesSender


class RecordingSes:
    """Stands in for the boto3 SES client and keeps each call's arguments."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send_raw_email(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        return {"MessageId": f"ses-{len(self.calls)}"}


@pytest.mark.parametrize(
    ("recipient", "destination"),
    [
        ("max@straße.de", "max@xn--strae-oqa.de"),
        ("eleni@οδός.gr", "eleni@xn--pxavk3b.gr"),
        ("Ada@example.org", "Ada@example.org"),
    ],
)
def test_ses_gets_an_international_domain_in_a_labels(recipient: str, destination: str) -> None:
    ses = RecordingSes()
    assert SesSender(ses).send(recipient, "raw message") == "ses-1"
    # SES takes no SMTPUTF8: the envelope needs the A-label (punycode) form of the same domain.
    assert ses.calls[0]["Destinations"] == [destination]
