"""The static site: every public page built by the app, deterministic, its links all resolving."""

from __future__ import annotations

import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from werkzeug.routing import RequestRedirect

from portal import create_app, i18n
from portal.assets import HASHED, named_file
from portal.cli import main
from portal.container import Services, build_services
from portal.mail.senders import MemorySender
from portal.services.site import (
    DYNAMIC_PATTERNS,
    ERROR_FILE,
    NOT_FOUND_FILE,
    build_site,
    file_for,
    is_dynamic,
    site_paths,
)
from portal.settings import Settings
from tests.conftest import CONTENT, FakeClock


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under the folder, by its path there."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def built(app: Flask, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build_site(out, app)
    return out


# -- the files -------------------------------------------------------------------------------


def test_every_public_page_is_built_in_each_language(app: Flask, built: Path) -> None:
    files = files_of(built)
    for language in i18n.LANGUAGES:
        for page in (
            "index.html",
            "faq/index.html",
            "privacy/index.html",
            "programs/index.html",
            "programs/demo/index.html",
            "programs/demo/agreement/index.html",
            NOT_FOUND_FILE,
            ERROR_FILE,
        ):
            html = files[f"{language}/{page}"].decode("utf-8")
            assert f'<html lang="{language}">' in html
    # Only pages: the CSS and icons stay the app's (/static/ goes to the API).
    assert {name.split("/")[0] for name in files} == set(i18n.LANGUAGES)
    assert all(name.endswith(".html") for name in files)
    assert "Preguntas frecuentes" in files["es/faq/index.html"].decode("utf-8")


def test_a_built_page_is_the_page_the_app_serves(app: Flask, built: Path) -> None:
    client = app.test_client()
    for language in i18n.LANGUAGES:
        client.set_cookie(i18n.LANGUAGE_COOKIE, language)
        for path in ("/", "/faq", "/programs/", "/programs/demo"):
            live = client.get(path)
            assert live.status_code == 200
            assert (built / language / file_for(path)).read_bytes() == live.get_data()


def test_two_builds_give_identical_files(services: Services, app: Flask, tmp_path: Path) -> None:
    build_site(tmp_path / "one", app)
    # A second app and client: no session, token or id of the first can be shared.
    again = create_app(services.settings, services)
    build_site(tmp_path / "two", again)
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    assert not any(b"csrf" in html.lower() for html in one.values())


def test_only_the_paths_asked_for_are_built(app: Flask, tmp_path: Path) -> None:
    written = build_site(tmp_path / "site", app, paths=["/programs/demo"])
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in written) == [
        "en/programs/demo/index.html",
        "es/programs/demo/index.html",
    ]


# -- the 404 and error pages ----------------------------------------------------------------------


def test_the_404_and_error_pages_speak_every_language(built: Path) -> None:
    for language in i18n.LANGUAGES:
        missing = (built / language / NOT_FOUND_FILE).read_text(encoding="utf-8")
        # CloudFront answers every missing path with one file: its words are in both.
        assert "We could not find that page" in missing
        assert "No hemos encontrado esa página" in missing
        first = missing.index(f'<div lang="{language}">')
        assert all(first <= missing.index(f'<div lang="{code}">') for code in i18n.LANGUAGES)
        error = (built / language / ERROR_FILE).read_text(encoding="utf-8")
        assert "Something went wrong on our side" in error
        # The language menu leads home: the page stands for every missing path.
        assert "next=" not in missing + error


def test_the_builder_asks_as_no_visitor(services: Services, app: Flask, tmp_path: Path) -> None:
    """The builder's requests are not counted as visitors' on the costs page."""
    services.usage.flush()  # what earlier tests counted in this process
    app.test_client().get("/faq")
    assert services.usage.flush().requests == 1
    build_site(tmp_path / "site", app)
    assert services.usage.flush().requests == 0


def test_the_local_stage_banner_is_not_on_the_built_pages(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender, tmp_path: Path
) -> None:
    """Its link to the local inbox has no file beside a built page."""
    local = settings.with_overrides(stage="local")
    app = create_app(local, build_services(local, clock=clock, sender=mailbox))
    assert "stage-banner" in app.test_client().get("/faq").get_data(as_text=True)
    build_site(tmp_path / "site", app)
    pages = (tmp_path / "site").rglob("*.html")
    assert not any("stage-banner" in page.read_text("utf-8") for page in pages)
    assert unresolved(app, tmp_path / "site") == []


# -- sign-up open or closed -----------------------------------------------------------------------


@pytest.fixture
def closed_app(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender, tmp_path: Path
) -> Flask:
    """The shipped content with peer-circles closed to sign-up."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    program = content / "programs" / "peer-circles.md"
    text = program.read_text(encoding="utf-8")
    assert "signup_open: true" in text
    program.write_text(text.replace("signup_open: true", "signup_open: false"), encoding="utf-8")
    custom = settings.with_overrides(content_dir=content)
    return create_app(custom, build_services(custom, clock=clock, sender=mailbox))


def test_a_program_page_says_whether_sign_up_is_open(closed_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out, closed_app)
    closed = (out / "en/programs/peer-circles/index.html").read_text(encoding="utf-8")
    assert "Sign-up for this program is closed." in closed
    assert "/programs/peer-circles/join/" not in closed
    listed = (out / "en/programs/index.html").read_text(encoding="utf-8")
    assert re.search(r"/programs/peer-circles\">.*?sign-up closed", listed, re.DOTALL)
    assert "/programs/peer-circles" not in (out / "en/index.html").read_text(encoding="utf-8")
    opened = (out / "en/programs/demo/index.html").read_text(encoding="utf-8")
    assert 'href="/programs/demo/join/mentee"' in opened
    assert "Sign-up for this program is closed." not in opened
    # As the live page says it, in each language.
    client = closed_app.test_client()
    for language in i18n.LANGUAGES:
        client.set_cookie(i18n.LANGUAGE_COOKIE, language)
        live = client.get("/programs/peer-circles").get_data()
        assert (out / language / "programs/peer-circles/index.html").read_bytes() == live


# -- links --------------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.found.append((name, value))


def links_of(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def unhashed(filename: str) -> str:
    """`portal.<digest>.css` as `portal.css`."""
    match = HASHED.match(filename)
    return match["stem"] + match["suffix"] if match else filename


def unresolved(app: Flask, site: Path) -> list[str]:
    """Every internal link of the built site that reaches neither a built page nor a route the
    app serves behind DYNAMIC_PATTERNS (or a file of its /static/), as "file: link"."""
    adapter = app.url_map.bind("portal.test")
    static = Path(app.static_folder or "")
    broken: list[str] = []
    for page in sorted(site.rglob("*.html")):
        language = page.relative_to(site).parts[0]
        for attribute, link in links_of(page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # another site, mailto:, or a place on the same page
            targets = [parts.path]
            if parts.path.startswith("/language/"):
                targets += parse_qs(parts.query).get("next", [])  # where the menu returns
            for path in targets:
                method = "POST" if attribute == "action" else "GET"
                if is_dynamic(path):
                    try:
                        endpoint, values = adapter.match(path, method=method)
                    except Exception:  # any failure to route is a broken link
                        broken.append(f"{page.relative_to(site)}: {link} (no route)")
                        continue
                    if endpoint == "static" and named_file(static, values["filename"]) != (
                        unhashed(values["filename"]),
                        True,
                    ):
                        broken.append(f"{page.relative_to(site)}: {link} (no such asset)")
                elif not (site / language / file_for(path)).is_file():
                    broken.append(f"{page.relative_to(site)}: {link} (not built)")
    return broken


def test_every_internal_link_resolves(app: Flask, built: Path) -> None:
    assert sum(len(links_of(p.read_text(encoding="utf-8"))) for p in built.rglob("*.html")) > 100
    assert unresolved(app, built) == []


def test_the_link_checker_finds_a_broken_link(app: Flask, built: Path) -> None:
    """The checker can fail: a page, an asset and a dynamic path that do not exist."""
    page = built / "en" / "faq" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace(
            "</main>",
            '<a href="/no-such-page">x</a><img src="/static/nothing.png" alt="">'
            '<a href="/me/">y</a></main>',
        ),
        encoding="utf-8",
    )
    assert unresolved(app, built) == [
        "en/faq/index.html: /no-such-page (not built)",
        "en/faq/index.html: /static/nothing.png (no such asset)",
        "en/faq/index.html: /me/ (no route)",
    ]


# -- routes -------------------------------------------------------------------------------------


def sample_path(rule: str) -> str:
    """A path the rule matches: each variable part replaced by a value of its kind."""
    return re.sub(r"<(?:int:)?[a-z_]+>", "1", re.sub(r"<path:[a-z_]+>", "a/b.css", rule))


def test_every_route_is_a_built_page_or_a_dynamic_path(app: Flask) -> None:
    adapter = app.url_map.bind("portal.test")
    pages = site_paths(app)
    built_endpoints = {adapter.match(path)[0] for path in pages}
    assert {"pages.home", "pages.page", "programs.index", "programs.detail"} <= built_endpoints
    # A built page is never sent to the API, and a built page's route takes no POST.
    assert [path for path in pages if is_dynamic(path)] == []
    neither = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in built_endpoints:
            assert rule.methods is not None
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}
        elif not is_dynamic(sample_path(rule.rule)):
            neither.append(rule.rule)
    assert neither == []


def test_each_dynamic_pattern_is_a_route_of_the_app(app: Flask) -> None:
    """No pattern sends to the API a path the app has no route for."""
    adapter = app.url_map.bind("portal.test")
    for pattern in DYNAMIC_PATTERNS:
        path = pattern.replace("*", "1")
        if pattern == "/static/*":
            path = "/static/portal.css"
        elif pattern == "/programs/*/join/*":
            path = "/programs/demo/join/mentee"
        elif pattern == "/choose/*":
            path = "/choose/1/1/1"
        elif pattern == "/rate/*":
            path = "/rate/1/1"
        methods = ("GET", "POST")
        assert any(_routes(adapter, path, m) for m in methods), pattern


def _routes(adapter: object, path: str, method: str) -> bool:
    try:
        adapter.match(path, method=method)  # type: ignore[attr-defined]
    except RequestRedirect:  # "/organize": the app sends it on to "/organize/"
        return True
    except Exception:  # not routed
        return False
    return True


# -- served by http.server, as the README says ----------------------------------------------------


@pytest.fixture
def served(built: Path) -> Iterator[str]:
    """`python -m http.server` in the English folder, on 127.0.0.1 and a free port."""
    handler = partial(_QuietHandler, directory=str(built / "en"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_http_server_serves_the_built_site(served: str) -> None:
    with urllib.request.urlopen(f"{served}/", timeout=10) as home:  # noqa: S310 - localhost
        assert home.status == 200
        assert "Programs open for sign-up" in home.read().decode("utf-8")
    with urllib.request.urlopen(f"{served}/faq/", timeout=10) as faq:  # noqa: S310
        assert "Frequently asked questions" in faq.read().decode("utf-8")
    # The site's links have no trailing slash: http.server redirects to the folder.
    with urllib.request.urlopen(f"{served}/faq", timeout=10) as faq:  # noqa: S310
        assert faq.url.endswith("/faq/")
        assert "Frequently asked questions" in faq.read().decode("utf-8")


# -- the command --------------------------------------------------------------------------------


def test_the_command_builds_the_site_anew(
    services: Services, cli_env: None, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    stale = out / "en" / "programs" / "gone" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("a program removed since", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"en: 15 files in {out / 'en'}" in result.output
    assert (out / "es" / "faq" / "index.html").is_file()
    assert not stale.exists()


def test_the_command_leaves_a_folder_of_other_files_alone(cli_env: None, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "en").mkdir(parents=True)
    (folder / "en" / "kept.html").write_text("mine", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "build", "--out", str(folder)])
    assert result.exit_code == 1
    assert f"{folder} holds more than a built site (notes.txt)" in result.output
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (folder / "en" / "kept.html").read_text(encoding="utf-8") == "mine"


def test_the_origin_token_command_prints_the_stacks_parameter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "Xq2v" + "9Lr7Tb4Wm1Kc8Pz3Hn6Jd5Gf0Ys2Ue7Ra4Vo1Ci9Bx3Nw6Qt8Mh5Lk2Dp0Sj7Fa"
    monkeypatch.setenv("PORTAL_STAGE", "test")
    monkeypatch.setenv("PORTAL_SECRET_KEY", key)
    result = CliRunner().invoke(main, ["site", "origin-token"])
    assert result.exit_code == 0, result.output
    printed = result.output.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", printed)  # the template's AllowedPattern
    assert printed == Settings(secret_key=key).origin_token
    monkeypatch.setenv("PORTAL_SECRET_KEY", key + "2")
    assert CliRunner().invoke(main, ["site", "origin-token"]).output.strip() != printed
