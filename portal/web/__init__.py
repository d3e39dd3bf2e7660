"""Blueprints, one package per feature: routes.py parses and renders, services do the work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from portal.container import Services


def services() -> Services:
    """The services wired for this app."""
    portal: Services = current_app.extensions["portal"]
    return portal


def source_address(environ: Mapping[str, Any]) -> str:
    """The address the request came from, as API Gateway saw it.

    On Lambda, Zappa keeps API Gateway's event in the environ ("lambda.event"); its
    `requestContext` holds the connection's source IP. Zappa's REMOTE_ADDR comes from the
    X-Forwarded-For header, which a client can write itself, so it is used only locally,
    where the development server sets it from the socket.
    """
    event = environ.get("lambda.event")
    if isinstance(event, Mapping):
        context = event.get("requestContext")
        if isinstance(context, Mapping):
            for part in ("identity", "http"):  # REST API (payload 1.0), HTTP API (2.0)
                section = context.get(part)
                if isinstance(section, Mapping) and isinstance(section.get("sourceIp"), str):
                    return str(section["sourceIp"])
    return str(environ.get("REMOTE_ADDR") or "unknown")
