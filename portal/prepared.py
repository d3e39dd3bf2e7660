"""What `make package` prepares ahead for the Lambda's cold start (bench/coldstart.py).

- **The route table.** The app is built as usual and every URL rule, with where its view
  lives, is written into the zip (`portal/route_table.json`). The Lambda's app registers
  those rules with a `LazyFunction` each: a cold start imports Flask, the app's hooks and the
  first request's view, not the 78 views of twelve blueprints and all they import; their
  URL builders are compiled when first used (`LazyBuildRule`).
- **The compiled templates.** Every template, compiled by the app's own Jinja environment
  into a Python module and then to bytecode (`portal/compiled_templates/`): the first page
  a container renders is not compiled from its template.

Neither is committed: infrastructure/package.py writes them into the staged copy that Zappa
zips. Locally and in the tests, without them, the app imports its blueprints and compiles
its templates as before; tests/unit/test_prepared.py checks that both ways give the same
URL map and the same pages, and that the content was read (a bad file stops the package).
"""

from __future__ import annotations

import importlib
import json
import py_compile
import shutil
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, TypedDict

from flask import Flask
from jinja2 import ChoiceLoader, ModuleLoader
from werkzeug.routing import Rule

ROUTE_TABLE = Path(__file__).with_name("route_table.json")
COMPILED_TEMPLATES = Path(__file__).with_name("compiled_templates")
# What Flask and Werkzeug add to a rule by themselves: not written, so not given twice.
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})


class RouteTableError(RuntimeError):
    """The app's routes cannot be written as a table, or the table does not fit the code."""


class Route(TypedDict):
    rule: str
    endpoint: str
    methods: list[str]
    defaults: dict[str, Any] | None
    strict_slashes: bool | None
    view: str  # "module:function"
    csrf_exempt: bool


def describe(app: Flask, csrf_exempt: Callable[[str], bool]) -> list[Route]:
    """Every URL rule of an app built with its blueprints, in the order Flask matches them."""
    routes: list[Route] = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue  # Flask adds it to every app
        view = app.view_functions[rule.endpoint]
        target = f"{view.__module__}:{view.__qualname__}"
        if resolve(target) is not view:
            raise RouteTableError(
                f"{rule.endpoint}: its view is not `{target}`, so it could not be imported "
                "lazily: define each view at the top level of its module"
            )
        routes.append(
            Route(
                rule=rule.rule,
                endpoint=rule.endpoint,
                methods=sorted(set(rule.methods or ()) - AUTOMATIC_METHODS),
                defaults=dict(rule.defaults) if rule.defaults else None,
                strict_slashes=rule.strict_slashes,
                view=target,
                csrf_exempt=csrf_exempt(f"{view.__module__}.{view.__name__}"),
            )
        )
    return routes


def write(routes: Sequence[Route], path: Path = ROUTE_TABLE) -> None:
    path.write_text(json.dumps(list(routes), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def packaged(path: Path = ROUTE_TABLE) -> list[Route] | None:
    """The table written into the Lambda's zip; None elsewhere (the app imports every view)."""
    if not path.exists():
        return None
    routes: list[Route] = json.loads(path.read_text(encoding="utf-8"))
    return routes


def resolve(target: str) -> Callable[..., Any] | None:
    """The function a "module:name" target names, if its module has it."""
    module_name, _, name = target.partition(":")
    found: Callable[..., Any] | None = getattr(importlib.import_module(module_name), name, None)
    return found


class LazyFunction:
    """A function imported on its first call (Flask's "lazily loading views" pattern): a view
    of the route table, or a template filter (portal.app.LAZY_FILTERS).

    It carries its function's module and name, which Flask-WTF's CSRF exemptions go by.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.__module__, _, self.__name__ = target.partition(":")
        self.__qualname__ = self.__name__

    @cached_property
    def function(self) -> Callable[..., Any]:
        function = resolve(self.target)
        if function is None:
            raise RouteTableError(f"{self.target} is not in the package: run `make package`")
        return function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


class LazyBuildRule(Rule):
    """A URL rule whose URL builders are compiled when a URL is first built from it.

    Werkzeug compiles two Python functions per rule, for url_for, as each rule is added: for
    78 rules, about 0.015 s of a cold start (bench/coldstart.py), most of them never built.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compile_now = super()._compile_builder
        compiled: Callable[..., tuple[str, str]] | None = None

        # Positional only, as Werkzeug's own builders' `.self`: a URL value named "rule" is
        # passed on, not taken for it.
        def build(rule: Rule, /, *args: Any, **kwargs: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = compile_now(append_unknown)
            return compiled(rule, *args, **kwargs)

        return build


def register(app: Flask, routes: Sequence[Route], exempt: Callable[[str], object]) -> None:
    """Add every rule of the table to the app, each with its LazyFunction, its URL builders
    compiled when first used."""
    app.url_rule_class = LazyBuildRule
    views: dict[str, LazyFunction] = {}  # one per view: Flask refuses two for one endpoint
    for route in routes:
        options: Mapping[str, Any] = {
            "methods": route["methods"],
            "defaults": route["defaults"],
            "strict_slashes": route["strict_slashes"],
        }
        view = views.setdefault(route["view"], LazyFunction(route["view"]))
        app.add_url_rule(route["rule"], route["endpoint"], view_func=view, **options)
        if route["csrf_exempt"]:
            exempt(route["view"].replace(":", "."))


def compile_templates(app: Flask, folder: Path = COMPILED_TEMPLATES) -> list[str]:
    """Compile every template of the app into `folder`, as bytecode alone (with the Python
    source beside it, the zip would pass its 10 MB); their names."""
    environment = app.jinja_env
    names = [name for name in environment.list_templates() if _rendered_by_the_app(name)]
    if folder.exists():
        shutil.rmtree(folder)  # a template since removed must not be found here
    environment.compile_templates(
        str(folder), filter_func=_rendered_by_the_app, zip=None, ignore_errors=False
    )
    for name in names:
        source = folder / ModuleLoader.get_module_filename(name)
        # Next to where the source was, which is where Python imports a module without one;
        # named after its template, so that a traceback says which.
        py_compile.compile(
            str(source),
            cfile=str(source.with_suffix(".pyc")),
            dfile=f"portal/templates/{name}",
            doraise=True,
        )
        source.unlink()
    return names


def _rendered_by_the_app(name: str) -> bool:
    # Emails have environments of their own (portal.mail.render); the mail viewer is local.
    return not name.startswith(("email/", "devmail/"))


def use_compiled_templates(app: Flask, folder: Path = COMPILED_TEMPLATES) -> bool:
    """Have the app load its templates compiled ahead when `folder` holds them (a template
    not found there is compiled from its source as usual)."""
    if not folder.is_dir():
        return False
    environment = app.jinja_env
    assert environment.loader is not None
    environment.loader = ChoiceLoader([ModuleLoader(str(folder)), environment.loader])
    return True
