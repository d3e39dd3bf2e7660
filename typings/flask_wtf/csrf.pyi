from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Flask
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

# exempt() returns what it is given: a view function, a blueprint, or a view's dotted name.
_Exempted = TypeVar("_Exempted", bound=Callable[..., object] | Blueprint | str)

def generate_csrf(secret_key: str | None = None, token_key: str | None = None) -> str: ...
def validate_csrf(
    data: str | None,
    secret_key: str | None = None,
    time_limit: int | None = None,
    token_key: str | None = None,
) -> None: ...
def csrf_meta_tag(
    name: str | None = None, secret_key: str | None = None, token_key: str | None = None
) -> Markup: ...

class CSRFProtect:
    def __init__(self, app: Flask | None = None) -> None: ...
    def init_app(self, app: Flask) -> None: ...
    def protect(self, apply_exemptions: bool = False) -> None: ...
    def exempt(self, view: _Exempted) -> _Exempted: ...

class CSRFError(BadRequest):
    description: str

def same_origin(current_uri: str, compare_uri: str) -> bool: ...
