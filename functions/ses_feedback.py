"""SNS: SES bounces and complaints; those addresses get no more program email."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from portal.runtime import metered, services


@metered
def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Lambda entry point; the same notification delivered twice suppresses once."""
    return run(event)


def run(event: dict[str, Any]) -> dict[str, Any]:
    return asdict(services().feedback.handle_sns_event(event))
