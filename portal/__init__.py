"""Mentor Portal: a mentoring portal on Flask, AWS Lambda, DynamoDB and SES."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from portal.container import Services
    from portal.prepared import Route
    from portal.settings import Settings


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    routes: Sequence[Route] | None = None,
) -> Flask:
    """Build the web app; imported lazily so that `portal.domain` stays free of Flask."""
    from portal.app import build_app

    return build_app(settings, services, routes)
