"""The organizers' blueprint, apart so that each part of the console is its own module."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("organize", __name__, url_prefix="/organize")
