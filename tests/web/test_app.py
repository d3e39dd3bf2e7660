"""The app factory: how it is built, and when it refuses to start."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from portal import create_app
from portal.catalog.programs import ProgramError
from portal.container import Services
from portal.mail.senders import MemorySender
from portal.settings import SettingsError, load_settings
from tests.conftest import MENTEE_FORM, csrf_token
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import GOOD, assert_nothing_stored


def test_factory_uses_the_services_it_is_given(services: Services) -> None:
    app = create_app(services.settings, services)
    assert isinstance(app, Flask)
    assert not app.testing
    assert app.extensions["portal"] is services
    assert app.secret_key == services.settings.secret_key


def test_factory_app_can_be_put_in_testing_mode(services: Services) -> None:
    app = create_app(services.settings, services)
    app.config.update(TESTING=True)
    assert app.testing
    assert app.test_client().get("/").status_code == 200


def test_factory_takes_the_settings_from_the_services(services: Services) -> None:
    app = create_app(None, services)
    assert app.extensions["portal"].settings is services.settings


def test_the_local_inbox_is_registered_only_in_the_local_stage(
    app: Flask, build_site: Callable[..., Site]
) -> None:
    assert "devmail" not in app.blueprints
    assert {"pages", "programs", "signup"} <= set(app.blueprints)
    local = build_site(stage="local", mail_transport="file")
    assert "devmail" in local.app.blueprints


def test_session_cookie_is_secure_behind_https(build_site: Callable[..., Site]) -> None:
    assert build_site(base_url="https://mentoring.example.org").app.config["SESSION_COOKIE_SECURE"]
    assert not build_site().app.config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("key", [None, "", "changeme", "secret", "short-key"])
def test_aws_stage_without_a_real_secret_key_refuses_to_load(key: str | None) -> None:
    environ = {"PORTAL_STAGE": "aws"}
    if key is not None:
        environ["PORTAL_SECRET_KEY"] = key
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        load_settings(environ)


def test_aws_stage_with_a_long_random_key_loads() -> None:
    key = secrets.token_urlsafe(48)
    settings = load_settings(
        {
            "PORTAL_STAGE": "aws",
            "PORTAL_SECRET_KEY": key,
            "PORTAL_BASE_URL": "https://mentoring.example.org",
        }
    )
    assert settings.secret_key == key
    assert settings.mail_transport == "ses"


def test_app_refuses_to_start_in_aws_without_a_secret_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTAL_STAGE", "aws")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        create_app()


def test_app_refuses_to_start_with_a_bad_program_file(
    build_site: Callable[..., Site], content_copy: Path
) -> None:
    path = content_copy / "programs" / "demo.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("capacity: 1", "capacity: lots"),
        encoding="utf-8",
    )
    with pytest.raises(ProgramError, match=r"demo\.md: capacity: "):
        build_site(content_dir=content_copy)


@pytest.mark.parametrize(
    "path",
    [
        "/programs/missing",
        "/programs/missing/join/mentee",
        "/programs/missing/join/check-your-email",
    ],
)
def test_a_missing_program_slug_is_404(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "We could not find that page" in response.text


class _BrokenSignup:
    """A sign-up service whose database has gone away."""

    def sign_up(self, *args: object) -> None:
        raise RuntimeError("the table ada@example.org was in is gone")


def test_an_unexpected_failure_shows_a_calm_page_without_details(
    app: Flask, services: Services, mailbox: MemorySender
) -> None:
    app.config.update(TESTING=False)  # errors reach the visitor's page, not the test
    services.signup = _BrokenSignup()  # type: ignore[assignment]
    client = app.test_client()
    page = client.get("/programs/demo/join/mentee")
    response = client.post(
        "/programs/demo/join/mentee", data={**GOOD, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 500
    assert parse(response.text).h1 == "Something went wrong on our side"
    assert "RuntimeError" not in response.text
    assert "ada@example.org" not in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert mailbox.sent == []


HTTPS = "https://mentoring.example.org"


def test_a_form_sent_over_https_without_a_referer_is_accepted(
    build_site: Callable[..., Site],
) -> None:
    # The portal's Referrer-Policy is no-referrer (magic-link tokens are in paths), so browsers
    # send no Referer; Flask-WTF's HTTPS referrer check would refuse every form behind HTTPS.
    site = build_site(base_url=HTTPS)
    page = site.client.get("/programs/demo/join/mentee", base_url=HTTPS)
    assert page.headers["Referrer-Policy"] == "no-referrer"

    sent = site.client.post(
        "/programs/demo/join/mentee",
        data={**MENTEE_FORM, "csrf_token": csrf_token(page.text)},
        base_url=HTTPS,
    )
    assert sent.status_code == 200
    assert site.services.participants.get("demo", "ada@example.org") is not None


def test_a_form_sent_over_https_without_its_token_is_still_refused(
    build_site: Callable[..., Site], mailbox: MemorySender
) -> None:
    site = build_site(base_url=HTTPS)
    site.client.get("/programs/demo/join/mentee", base_url=HTTPS)
    sent = site.client.post("/programs/demo/join/mentee", data=MENTEE_FORM, base_url=HTTPS)
    assert sent.status_code == 400
    assert site.services.participants.get("demo", "ada@example.org") is None
    assert_nothing_stored(mailbox)
