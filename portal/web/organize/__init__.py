"""The organizer console: one blueprint, one module per part (each registers its views on `bp`)."""

from __future__ import annotations

from portal.web.organize import glance, routes
from portal.web.organize.blueprint import bp

__all__ = ["bp", "glance", "routes"]
