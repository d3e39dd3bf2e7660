"""A console save republishes the program's public pages to the static site, from the
request that saved; a failure to republish is told and the save stands."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.container import Services, build_services
from portal.i18n import LANGUAGES
from portal.mail.senders import MemorySender
from portal.services.site_publish import SitePublisher, page_key
from portal.services.site_republish import SiteRepublisher
from portal.settings import Settings
from tests.conftest import REGION, FakeClock
from tests.unit.services.test_site_publish import Site, make_distribution
from tests.web.helpers import sign_in_as_organizer
from tests.web.test_program_editor import EDITOR, opened, submit

ADMIN = "admin@example.org"
LEAD = "lead@example.org"
SLUG = "spring-circles"


def rendering_builder(out: Path, app: Flask, paths: list[str]) -> list[Path]:
    """Each page asked for, rendered by the app as a visitor in each language gets it (what
    build_site does), from inside the request that saved."""
    written: list[Path] = []
    for language in LANGUAGES:
        visitor = app.test_client()
        for path in paths:
            page = visitor.get(path, headers={"Accept-Language": language}, follow_redirects=True)
            if page.status_code != 200:
                continue
            target = out / page_key(language, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.data)
            written.append(target)
    return written


def broken_builder(out: Path, app: Flask, paths: list[str]) -> list[Path]:
    raise OSError("No space left on device")


@pytest.fixture
def site(aws: None) -> Site:
    bucket = f"site-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    return Site(bucket, make_distribution(cloudfront, bucket), s3, cloudfront)


@pytest.fixture
def services(
    aws: None, settings: Settings, clock: FakeClock, mailbox: MemorySender, site: Site
) -> Services:
    services = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    services.program_admin.create(
        "group", title="Spring circles", slug=SLUG, organizers=(LEAD,), signup_open=True, by=ADMIN
    )
    publisher = SitePublisher(site.bucket, site.distribution, REGION, site.s3, site.cloudfront)
    services.site = SiteRepublisher(publisher, rendering_builder)
    return services


@pytest.fixture
def lead(client: FlaskClient, mailbox: MemorySender) -> FlaskClient:
    sign_in_as_organizer(client, mailbox, LEAD)
    return client


def retitled(lead: FlaskClient, title: str) -> Any:
    data = opened(lead)
    data["basics-title"] = title
    return submit(lead, data)


def test_a_save_republishes_the_programs_pages_in_every_language(
    lead: FlaskClient, services: Services, site: Site
) -> None:
    assert retitled(lead, "Spring circles 2027").status_code == 302

    page = lead.get(EDITOR)
    assert "Saved: version 2 is live." in page.text
    assert "It reaches every page within a minute." not in page.text
    assert (
        "The public pages were updated: visitors will see the change within a few minutes."
        in page.text
    )
    stored = site.objects()
    for language in LANGUAGES:
        assert "Spring circles 2027" in stored[f"{language}/programs/{SLUG}/index.html"].decode()
        assert "Spring circles 2027" in stored[f"{language}/programs/index.html"].decode()
        assert f"{language}/index.html" in stored
    # Built as a visitor sees them, not as the organizer who saved: in Spanish for Spanish,
    # and without the organizer's sign-out form (and its CSRF token).
    assert '<html lang="es"' in stored[f"es/programs/{SLUG}/index.html"].decode()
    assert not any("csrf_token" in page.decode() for page in stored.values())
    [invalidation] = site.invalidations()
    assert f"/programs/{SLUG}" in invalidation["Paths"]["Items"]
    assert f"/es/programs/{SLUG}/index.html" in invalidation["Paths"]["Items"]


def test_a_failed_republish_is_told_and_the_save_stands(
    lead: FlaskClient, services: Services, site: Site
) -> None:
    services.site = SiteRepublisher(services.site.publisher, broken_builder)

    assert retitled(lead, "Spring circles 2027").status_code == 302

    page = lead.get(EDITOR)
    assert "Saved: version 2 is live." in page.text
    assert (
        "The public pages could not be updated just now: they will show the change after this "
        "program&#39;s next save or the site&#39;s next publish."
    ) in page.text
    assert services.program_admin.live_version(SLUG) == 2
    program = services.programs.get(SLUG)
    assert program is not None
    assert program.title == "Spring circles 2027"
    assert site.objects() == {}
    assert site.invalidations() == []


def test_a_republish_reads_every_program_again_before_building(
    services: Services, site: Site, settings: Settings, clock: FakeClock, mailbox: MemorySender
) -> None:
    # Two warm functions: the second started before the first one's save, so its catalog
    # still has spring-circles open. Its republish (of another program) must not publish
    # that older view over the first one's on the programs list and the home page.
    from portal import create_app
    from portal.adapters import _build_site

    other = build_services(
        dataclasses.replace(settings, admins=(ADMIN,)), clock=clock, sender=mailbox
    )
    publisher = SitePublisher(site.bucket, site.distribution, REGION, site.s3, site.cloudfront)
    for each in (services, other):
        each.site.publisher = publisher  # the container's republisher, its refresh included
        each.site.builder = _build_site  # the real builder
    first, second = create_app(services.settings, services), create_app(other.settings, other)
    assert other.programs.get(SLUG).signup_open  # type: ignore[union-attr]

    services.program_admin.lifecycle(SLUG, "close", expected=1, by=LEAD)
    services.site.republish(first, [SLUG])
    other.program_admin.create(
        "group", title="Autumn", slug="autumn", organizers=(LEAD,), signup_open=True, by=ADMIN
    )
    other.site.republish(second, ["autumn"])

    listed = site.objects()["en/programs/index.html"].decode()
    after = listed.split(SLUG)[1][:400]
    assert "sign-up closed" in after.lower()
