"""The public pages as static files: rendered by the app itself, one folder per language.

`build_site` asks the real app for each public page (its test client: a GET with no session
and no cookie but the language), so a built page is the page the app serves, with the same
templates and CSS links. The layout is the one the site's bucket holds and CloudFront serves
(infrastructure/README.md): "/" -> `<lang>/index.html`, "/faq" -> `<lang>/faq/index.html`,
"/programs/demo" -> `<lang>/programs/demo/index.html`, and the 404 and server-error pages at
`<lang>/404.html` and `<lang>/error.html`. Everything else stays the app's: the paths of
DYNAMIC_PATTERNS go to the API (the sign-up forms, magic links, the console, /static/...).

The builder's requests carry BUILDING in their environ: the local stage's banner (a link to
the local inbox, which no static file has beside it) is left out, and the costs page does not
count them as visitors' requests. No AWS here beyond what the app needs to list its programs.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

import flask_babel
from flask import Flask, render_template
from flask.testing import FlaskClient
from markupsafe import Markup

from portal import i18n

# The CloudFront path patterns sent to the API (Lambda): every route of the app that is not
# a built page. `*` matches any characters, "/" too (CloudFront's rule, and fnmatch's).
# tests/unit/services/test_site.py checks that each route of the app is built or listed here,
# and that no built page is; infrastructure/template.yaml routes exactly these
# (tests/infrastructure/test_site.py).
DYNAMIC_PATTERNS: tuple[str, ...] = (
    "/static/*",
    "/programs/*/join/*",
    "/programs/*/invited/*",
    "/confirm/*",
    "/me/*",
    "/checkin/*",
    "/rate/*",
    "/choose/*",
    "/organize",  # the app redirects it to the console's list, /organize/
    "/organize/*",
    "/unsubscribe/*",
    "/sign-in",
    "/sign-out",
    "/language/*",
)

# Set in the environ of the builder's requests: the page is for the static site.
BUILDING = "portal.site_build"
NOT_FOUND_FILE = "404.html"
ERROR_FILE = "error.html"
# The app's error templates whose words the static 404 and error pages show.
ERROR_PAGES: dict[str, str] = {NOT_FOUND_FILE: "errors/404.html", ERROR_FILE: "errors/500.html"}


class SiteBuildError(Exception):
    """A public page the app did not render (anything but 200, or 404 for a page in one
    language only); the message names the path and the status."""


def is_dynamic(path: str) -> bool:
    """Whether CloudFront sends this path (no query) to the API rather than to the bucket."""
    return any(fnmatchcase(path, pattern) for pattern in DYNAMIC_PATTERNS)


def site_paths(app: Flask) -> list[str]:
    """The public viewer paths: home, each content page, the programs list, each program's
    page and its agreement (a program without one in a language has no agreement page)."""
    portal = app.extensions["portal"]
    paths = ["/"]
    paths += sorted(f"/{page.slug}" for page in portal.pages if page.slug != "home")
    paths.append("/programs/")
    # Every program the app shows a page for, archived ones too: their pages say so, and
    # links to them in old emails keep working.
    for slug in sorted(program.slug for program in portal.programs):
        paths += [f"/programs/{slug}", f"/programs/{slug}/agreement"]
    return paths


def file_for(path: str) -> Path:
    """Where the page of a viewer path lives under a language's folder."""
    parts = [part for part in path.split("/") if part]
    return Path(*parts, "index.html") if parts else Path("index.html")


def build_site(out: Path, app: Flask, *, paths: Iterable[str] | None = None) -> list[Path]:
    """Render the public pages (every one if `paths` is None) into `out/<lang>/...` for each
    language, with the 404 and error pages; return the files written."""
    chosen = site_paths(app) if paths is None else list(paths)
    written: list[Path] = []
    client = app.test_client()
    for language in i18n.LANGUAGES:
        folder = out / language
        for path in chosen:
            html = _page(client, path, language)
            if html is not None:
                written.append(_write(folder / file_for(path), html))
        if paths is None:
            for name, template in ERROR_PAGES.items():
                written.append(_write(folder / name, _error_page(app, template, language)))
    return written


def _page(client: FlaskClient, path: str, language: str) -> str | None:
    """The page's HTML as the app serves it to a reader of `language`; None if the app has
    no such page in that language (an agreement not written for it)."""
    client.set_cookie(i18n.LANGUAGE_COOKIE, language)
    response = client.get(path, environ_overrides={BUILDING: True})
    if response.status_code == 404 and path.endswith("/agreement"):
        return None
    if response.status_code != 200:
        raise SiteBuildError(f"{path} ({language}): the app answered {response.status}")
    return response.get_data(as_text=True)


def _error_page(app: Flask, template: str, language: str) -> str:
    """An error page in every language, `language` first and around it: CloudFront serves
    one file for every missing path, whatever the reader's language."""
    order = [language, *(code for code in i18n.LANGUAGES if code != language)]
    titles: list[Markup] = []
    parts: list[dict[str, object]] = []
    with app.test_request_context("/", environ_overrides={BUILDING: True}):
        found = app.jinja_env.get_template(template)
        for code in order:
            with flask_babel.force_locale(code):
                context: dict[str, object] = {"language_return_path": None}
                app.update_template_context(context)
                blocks = found.new_context(context)
                titles.append(_rendered(found.blocks["title"](blocks)))
                parts.append({"language": code, "html": _rendered(found.blocks["content"](blocks))})
        with flask_babel.force_locale(language):
            # No "next" for the language menu: the page stands for every missing path.
            return render_template(
                "site/error.html",
                titles=titles,
                parts=parts,
                language_return_path=None,
            )


def _rendered(pieces: Iterable[str]) -> Markup:
    """A template block's output: HTML its autoescaping made safe, not to be escaped again."""
    return Markup("".join(pieces))  # noqa: S704 - the template escaped every value in it


def _write(target: Path, html: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(html.encode("utf-8"))
    return target
