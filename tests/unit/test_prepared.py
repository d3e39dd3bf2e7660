"""The packaged Lambda's app: its route table and compiled templates (portal/prepared.py).

`make package` writes both into the zip. The app built from them must be the app `make run`
serves, rule for rule and page for page (tests/web/test_cold_start.py checks what a first
request imports, bench/coldstart.py times it).
"""

from __future__ import annotations

import json
import marshal
import re
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import ModuleLoader

from portal import create_app, prepared
from portal.catalog.programs import ProgramCatalog
from portal.catalogs import check_content_files
from portal.container import Services, build_services
from portal.extensions import csrf
from portal.mail.senders import MemorySender
from portal.settings import Settings
from tests.conftest import CONTENT, MENTEE_FORM, FakeClock, csrf_token, links_in
from tests.factories import store_behind_the_portals_back

PAGES = [
    "/",
    "/faq",
    "/programs/",
    "/programs/demo",
    "/programs/demo/agreement",
    "/programs/demo/join/mentee",
    "/programs/demo/join/mentor",
    "/sign-in",
    "/no-such-page",
    "/organize/",
    "/me/",
]


def route_table(settings: Settings) -> list[prepared.Route]:
    eager = create_app(settings, build_services(settings, read_content=False))
    return prepared.describe(eager, lambda view: view in csrf._exempt_views)


@pytest.fixture
def eager(services: Services) -> Flask:
    app = create_app(services.settings, services)
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def lazy(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender, tmp_path: Path
) -> Flask:
    """The app as the Lambda builds it: from the table, with templates compiled ahead."""
    routes = json.loads(json.dumps(route_table(settings)))  # as read back from the zip
    services = build_services(settings, clock=clock, sender=mailbox, read_content=False)
    app = create_app(settings, services, routes)
    compiled = prepared.compile_templates(app, tmp_path / "compiled")
    assert len(compiled) > 50
    assert prepared.use_compiled_templates(app, tmp_path / "compiled")
    app.config.update(TESTING=True)
    return app


def rules(app: Flask) -> list[tuple[object, ...]]:
    return [
        (
            rule.rule,
            rule.endpoint,
            sorted(rule.methods or ()),
            rule.defaults or None,  # a blueprint's rules have {}, the table's None
            rule.strict_slashes,
            rule.merge_slashes,
        )
        for rule in app.url_map.iter_rules()
    ]


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "csrf", html)


def test_the_table_gives_the_same_url_map_in_the_same_order(eager: Flask, lazy: Flask) -> None:
    assert rules(lazy) == rules(eager)
    assert len(rules(eager)) > 70


def test_the_pages_are_the_same_through_the_table_and_compiled_templates(
    eager: Flask, lazy: Flask
) -> None:
    for path in PAGES:
        for language in ("en", "es"):
            pair = []
            for app in (eager, lazy):
                client = app.test_client()
                client.set_cookie("lang", language)
                response = client.get(path)
                pair.append((response.status_code, without_tokens(response.get_data(True))))
            assert pair[0] == pair[1], f"{path} in {language}"


def test_the_templates_have_every_filter_the_blueprints_gave_them(
    eager: Flask, lazy: Flask
) -> None:
    # A blueprint that registers an app filter would give it only once its module is imported.
    assert set(lazy.jinja_env.filters) == set(eager.jinja_env.filters)
    assert set(lazy.jinja_env.globals) == set(eager.jinja_env.globals)


def test_a_sign_up_through_the_table_is_stored_and_emailed(
    lazy: Flask, mailbox: MemorySender
) -> None:
    lazy.config.update(WTF_CSRF_ENABLED=True)
    client = lazy.test_client()
    form = client.get("/programs/demo/join/mentee").get_data(True)
    response = client.post(
        "/programs/demo/join/mentee", data={**MENTEE_FORM, "csrf_token": csrf_token(form)}
    )
    assert response.status_code in (200, 303), response.get_data(True)[:500]
    ((recipient, message),) = mailbox.sent
    assert recipient.lower() == "ada@example.org"
    assert [url for url in links_in(message) if "/confirm/" in url]


def test_the_views_exempt_from_the_csrf_check_stay_exempt(eager: Flask, lazy: Flask) -> None:
    # Mail clients' one-click unsubscribe posts without a form token (RFC 8058).
    statuses = []
    for app in (eager, lazy):
        app.config.update(WTF_CSRF_ENABLED=True)
        statuses.append(app.test_client().post("/unsubscribe/not-a-real-token").status_code)
        # and a form without its token is refused the same way
        statuses.append(app.test_client().post("/sign-in", data={"email": "a@b.org"}).status_code)
    assert statuses[:2] == statuses[2:]
    assert statuses[1] == 400
    assert statuses[0] != 400


def test_a_view_that_is_no_module_attribute_is_refused_with_its_name(settings: Settings) -> None:
    app = create_app(settings, build_services(settings, read_content=False))

    def closure() -> str:
        return "made inside a function"

    app.add_url_rule("/made-inside", "made_inside", closure)
    with pytest.raises(prepared.RouteTableError, match="made_inside: its view is not"):
        prepared.describe(app, lambda view: False)


def test_urls_are_built_from_the_table_s_rules(lazy: Flask) -> None:
    with lazy.test_request_context():
        from flask import url_for

        assert url_for("programs.detail", slug="demo") == "/programs/demo"
        assert url_for("signup.join", slug="demo", role_name="mentor", invite="x") == (
            "/programs/demo/join/mentor?invite=x"
        )
        # the builders' own argument is positional: a value of that name is the URL's
        assert url_for("programs.detail", slug="demo", rule="x") == "/programs/demo?rule=x"


def test_one_view_under_two_rules_is_served_at_both(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    routes = route_table(settings)
    sign_in = next(route for route in routes if route["endpoint"] == "signin.sign_in")
    routes.append({**sign_in, "rule": "/login"})
    services = build_services(settings, clock=clock, sender=mailbox, read_content=False)
    client = create_app(settings, services, routes).test_client()
    for path in ("/login", "/sign-in"):
        response = client.get(path)
        assert response.status_code == 200
        assert 'name="email"' in response.get_data(True)


def test_compiled_templates_are_named_after_their_template_and_none_is_left_over(
    eager: Flask, tmp_path: Path
) -> None:
    folder = tmp_path / "again"
    folder.mkdir()
    (folder / "tmpl_0000000000000000000000000000000000000000.pyc").write_bytes(b"stale")
    count = len(prepared.compile_templates(eager, folder))
    compiled = sorted(folder.glob("*.pyc"))
    assert len(compiled) == count
    assert not list(folder.glob("*.py"))
    name = "signin/form.html"
    code = marshal.loads(  # noqa: S302  (the bytecode this test just wrote)
        (folder / ModuleLoader.get_module_filename(name)).with_suffix(".pyc").read_bytes()[16:]
    )
    assert code.co_filename == f"portal/templates/{name}"  # what a traceback shows


def test_the_package_step_stops_on_a_bad_content_file(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for part in ("pages", "programs", "tracks"):
        (content / part).mkdir(parents=True)
        for file in (CONTENT / part).glob("*"):
            if file.is_file():
                (content / part / file.name).write_bytes(file.read_bytes())
    check_content_files(content)  # as shipped: fine
    demo = content / "programs" / "demo.md"
    demo.write_text(demo.read_text().replace("format:", "fromat:", 1), encoding="utf-8")
    with pytest.raises(Exception, match="demo"):
        check_content_files(content)


def test_a_clash_shows_the_error_page_where_programs_are_needed_and_names_both_in_the_log(
    lazy: Flask, settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The Lambda reads the programs on first use, so a stored program with a file's slug
    (docs/programs.md, "A clash stops the start") is met by the first request needing them."""
    demo = ProgramCatalog.from_folder(CONTENT / "programs").get("demo")
    assert demo is not None
    store_behind_the_portals_back(demo, clock())
    lazy.config.update(TESTING=False)  # as deployed: the error page, not the exception
    client = lazy.test_client()
    for _ in range(2):  # not cached: each request meets it until the file is renamed
        assert client.get("/programs/demo/join/mentee").status_code == 500
    assert "'demo' is both a file (content/programs/demo.md)" in caplog.text
    assert client.get("/sign-in").status_code == 200
