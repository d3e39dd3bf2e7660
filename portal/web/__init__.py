"""Blueprints, one package per feature: routes.py parses and renders, services do the work."""

from __future__ import annotations

from flask import current_app

from portal.services import Services


def services() -> Services:
    """The services wired for this app."""
    portal: Services = current_app.extensions["portal"]
    return portal
