"""The app's static files under names that carry their content's hash (portal/assets.py).

A page names `/static/portal.<digest>.css`; that name is kept a year by browsers and by
CloudFront, and a changed file gets a new one, so a deploy needs no invalidation and a
returning visitor asks for nothing but the page.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from portal import assets
from tests.web.dom import parse

STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"


def digest_of(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def test_pages_name_the_css_and_icon_by_their_hash(client: FlaskClient) -> None:
    page = parse(client.get("/sign-in").text)
    assert page.one("link", rel="stylesheet").get("href") == (
        f"/static/portal.{digest_of('portal.css')}.css"
    )
    assert page.one("link", rel="icon").get("href") == (
        f"/static/favicon.{digest_of('favicon.svg')}.svg"
    )


@pytest.mark.parametrize(
    ("name", "kind"), [("portal.css", "text/css"), ("favicon.svg", "image/svg+xml")]
)
def test_a_current_hashed_name_is_kept_a_year(client: FlaskClient, name: str, kind: str) -> None:
    stem, suffix = name.rsplit(".", 1)
    response = client.get(f"/static/{stem}.{digest_of(name)}.{suffix}")
    assert response.status_code == 200
    assert response.mimetype == kind
    assert response.data == (STATIC / name).read_bytes()
    control = response.cache_control
    assert (control.public, control.max_age, control.immutable) == (True, 31536000, True)
    response.close()


@pytest.mark.parametrize("path", ["/static/portal.css", "/static/portal.0123456789ab.css"])
def test_a_plain_or_replaced_name_gets_the_file_as_it_is_now_not_to_be_kept(
    client: FlaskClient, path: str
) -> None:
    # The plain name, or one a deploy replaced (a page cached from before it): the file now.
    response = client.get(path)
    assert response.status_code == 200
    assert response.data == (STATIC / "portal.css").read_bytes()
    assert response.cache_control.no_cache
    assert not response.cache_control.immutable
    response.close()


@pytest.mark.parametrize(
    "path",
    ["/static/nothing.css", "/static/nothing.0123456789ab.css", "/static/../app.py", "/static/"],
)
def test_a_name_for_no_file_is_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    """Edited while `make run` serves it, or deployed changed: pages name the new content."""
    (tmp_path / "site.css").write_text("body { color: black }", encoding="utf-8")
    first = assets.hashed_name(tmp_path, "site.css")
    (tmp_path / "site.css").write_text("body { color: navy }", encoding="utf-8")
    second = assets.hashed_name(tmp_path, "site.css")
    assert re.fullmatch(r"site\.[0-9a-f]{12}\.css", first)
    assert first != second
    assert assets.named_file(tmp_path, first) == ("site.css", False)
    assert assets.named_file(tmp_path, second) == ("site.css", True)


def test_the_site_preview_copies_them_under_their_hashed_names(tmp_path: Path) -> None:
    copied = assets.copy_hashed(STATIC, tmp_path)
    names = sorted(path.name for path in copied)
    assert names == sorted(
        [f"favicon.{digest_of('favicon.svg')}.svg", f"portal.{digest_of('portal.css')}.css"]
    )
    assert (tmp_path / names[1]).read_bytes() == (STATIC / "portal.css").read_bytes()


def test_every_static_file_is_served_by_the_name_pages_give_it(
    app: Flask, client: FlaskClient
) -> None:
    names = [path.relative_to(STATIC).as_posix() for path in STATIC.rglob("*") if path.is_file()]
    assert names
    for name in names:
        with app.test_request_context():
            url = url_for("static", filename=name)
        assert url != f"/static/{name}", name
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.immutable, url
        response.close()


def test_odd_names_are_served_as_they_are_and_a_real_file_is_never_taken_for_another(
    tmp_path: Path,
) -> None:
    for name in ("LICENSE", "x.b_c", ".hidden", "vendor.js", "vendor.0123456789ab.js"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    for name in ("LICENSE", "x.b_c", ".hidden"):
        assert assets.hashed_name(tmp_path, name) == name  # no hashed form that leads back
        assert assets.named_file(tmp_path, name) == (name, False)
    assert assets.named_file(tmp_path, "vendor.0123456789ab.js") == (
        "vendor.0123456789ab.js",
        False,
    )
    hashed = assets.hashed_name(tmp_path, "vendor.0123456789ab.js")
    assert assets.named_file(tmp_path, hashed) == ("vendor.0123456789ab.js", True)
