"""Blueprints, one package per feature: routes.py parses and renders, services do the work."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    from portal.container import Services


def services() -> Services:
    """The services wired for this app."""
    portal: Services = current_app.extensions["portal"]
    return portal


def source_address(environ: Mapping[str, Any]) -> str:
    """The address the request came from: the visitor's, as CloudFront or API Gateway saw it.

    Through the site's CloudFront distribution, API Gateway sees a CloudFront server, shared
    by many visitors; the distribution passes the viewer's address in X-Portal-Viewer-Address
    (infrastructure/viewer_address.js, which replaces any a client sent) with the origin
    token in X-Portal-Origin, and only with that token is it believed. Otherwise, on Lambda,
    Zappa keeps API Gateway's event in the environ ("lambda.event"); its `requestContext`
    holds the connection's source IP. Zappa's REMOTE_ADDR comes from the X-Forwarded-For
    header, which a client can write itself, so it is used only locally, where the
    development server sets it from the socket.
    """
    viewer = _header(environ, "x-portal-viewer-address")
    if viewer and _from_the_distribution(environ):
        return viewer
    event = environ.get("lambda.event")
    if isinstance(event, Mapping):
        context = event.get("requestContext")
        if isinstance(context, Mapping):
            for part in ("identity", "http"):  # REST API (payload 1.0), HTTP API (2.0)
                section = context.get(part)
                if isinstance(section, Mapping) and isinstance(section.get("sourceIp"), str):
                    return str(section["sourceIp"])
    return str(environ.get("REMOTE_ADDR") or "unknown")


def _from_the_distribution(environ: Mapping[str, Any]) -> bool:
    """Whether the request carries the stage's origin token (X-Portal-Origin)."""
    given = _header(environ, "x-portal-origin")
    if not given:
        return False
    expected = services().settings.origin_token
    return bool(expected) and hmac.compare_digest(given, expected)


def _header(environ: Mapping[str, Any], name: str) -> str | None:
    """A request header by its exact name (lower case, with hyphens).

    On Lambda it is read from API Gateway's event, where "X_Portal_Origin" is another name;
    WSGI's environ would give both spellings one key, and a client could slip one past the
    CloudFront Function that sets the other. Elsewhere (locally, in tests), from the environ.
    """
    event = environ.get("lambda.event")
    if isinstance(event, Mapping) and isinstance(event.get("headers"), Mapping):
        for key, value in event["headers"].items():
            if isinstance(key, str) and key.lower() == name and isinstance(value, str):
                return value
        return None
    value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return value if isinstance(value, str) and value else None
