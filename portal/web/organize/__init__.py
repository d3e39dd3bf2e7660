"""The organizer console: one blueprint, one module per part (each registers its views on `bp`)."""

from __future__ import annotations

from portal.web.organize import (
    audit,
    costs,
    exports,
    glance,
    imports,
    lifecycle,
    matches,
    network,
    people,
    round,
    routes,
    settings,
)
from portal.web.organize.blueprint import bp

__all__ = [
    "audit",
    "bp",
    "costs",
    "exports",
    "glance",
    "imports",
    "lifecycle",
    "matches",
    "network",
    "people",
    "round",
    "routes",
    "settings",
]
