"""Publishing the built site to S3 behind CloudFront (moto): only what changed, once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from portal.cli import main
from portal.services.site_publish import (
    PAGE_CACHE,
    PublishError,
    SitePublisher,
    built_files,
    page_key,
    publish_folder,
)
from portal.services.site_republish import Republished, SiteRepublisher
from tests.conftest import REGION

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # when the tests publish

PAGES = {
    "en/index.html": "<h1>Home</h1>",
    "en/faq/index.html": "<h1>FAQ</h1>",
    "en/programs/demo/index.html": "<h1>Demo</h1>",
    "en/404.html": "<h1>Not found</h1>",
    "es/index.html": "<h1>Inicio</h1>",
    "es/faq/index.html": "<h1>Preguntas</h1>",
    "es/programs/demo/index.html": "<h1>Demo</h1>",
    "es/404.html": "<h1>No encontrada</h1>",
}


@dataclass
class Site:
    """A bucket and a distribution in moto, the clients, and the calls counted."""

    bucket: str
    distribution: str
    s3: Any
    cloudfront: Any
    puts: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    def publisher(self) -> SitePublisher:
        return SitePublisher(
            self.bucket, self.distribution, REGION, self.s3, self.cloudfront, clock=lambda: NOON
        )

    def objects(self) -> dict[str, bytes]:
        listed = self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {
            item["Key"]: self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
            for item in listed
        }

    def invalidations(self) -> list[dict[str, Any]]:
        """Each invalidation asked for, oldest first: its CallerReference and paths."""
        listed = self.cloudfront.list_invalidations(DistributionId=self.distribution)
        found = [
            self.cloudfront.get_invalidation(DistributionId=self.distribution, Id=item["Id"])
            for item in listed["InvalidationList"].get("Items", [])
        ]
        return [answer["Invalidation"]["InvalidationBatch"] for answer in found]


def make_distribution(cloudfront: Any, bucket: str) -> str:
    answer = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": bucket,
            "Comment": "the site",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
            },
        }
    )
    return str(answer["Distribution"]["Id"])


@pytest.fixture
def site(aws: None) -> Iterator[Site]:
    bucket = f"site-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    made = Site(bucket, make_distribution(cloudfront, bucket), s3, cloudfront)
    # Counted as S3 is asked, whoever asks through this client.
    s3.meta.events.register(
        "provide-client-params.s3.PutObject", lambda params, **_: made.puts.append(params["Key"])
    )
    s3.meta.events.register(
        "provide-client-params.s3.DeleteObject",
        lambda params, **_: made.deletes.append(params["Key"]),
    )
    return made


def build(folder: Path, pages: dict[str, str] = PAGES) -> Path:
    for key, text in pages.items():
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_each_file_is_uploaded_once_with_its_content_type_and_cache_headers(
    site: Site, tmp_path: Path
) -> None:
    published = publish_folder(site.publisher(), build(tmp_path / "site"))

    assert sorted(site.puts) == sorted(PAGES)  # each once
    assert site.objects() == {key: text.encode() for key, text in PAGES.items()}
    for key in PAGES:
        head = site.s3.head_object(Bucket=site.bucket, Key=key)
        assert head["ContentType"] == "text/html; charset=utf-8"
        assert head["CacheControl"] == PAGE_CACHE == "public, max-age=60, must-revalidate"
    assert (
        published.counts()
        == f"{len(PAGES)} uploaded, 0 unchanged, 0 deleted; 13 path(s) invalidated"
    )
    [invalidation] = site.invalidations()
    assert invalidation["Paths"]["Items"] == list(published.plan.paths)
    assert set(published.plan.paths) == {
        *(f"/{key}" for key in PAGES),
        "/",
        "/faq",
        "/faq/",
        "/programs/demo",
        "/programs/demo/",
    }


def test_a_second_publish_with_nothing_changed_uploads_nothing(site: Site, tmp_path: Path) -> None:
    folder = build(tmp_path / "site")
    publish_folder(site.publisher(), folder)
    site.puts.clear()

    again = publish_folder(site.publisher(), folder)

    assert site.puts == []
    assert site.deletes == []
    assert again.counts() == f"0 uploaded, {len(PAGES)} unchanged, 0 deleted; 0 path(s) invalidated"
    assert len(site.invalidations()) == 1  # the first publish's only


def test_a_change_uploads_that_file_and_invalidates_its_paths(site: Site, tmp_path: Path) -> None:
    folder = build(tmp_path / "site")
    publish_folder(site.publisher(), folder)
    site.puts.clear()
    (folder / "es/faq/index.html").write_text("<h1>Preguntas frecuentes</h1>", encoding="utf-8")

    published = publish_folder(site.publisher(), folder)

    assert site.puts == ["es/faq/index.html"]
    assert site.objects()["es/faq/index.html"] == b"<h1>Preguntas frecuentes</h1>"
    # The viewer's path, and the path the viewer-request function rewrites it to.
    assert published.plan.paths == ("/es/faq/index.html", "/faq", "/faq/")
    assert site.invalidations()[-1]["Paths"]["Items"] == ["/es/faq/index.html", "/faq", "/faq/"]


def test_changing_the_same_page_again_is_invalidated_again(site: Site, tmp_path: Path) -> None:
    # A CallerReference of the changed keys alone would be the same for both edits, and
    # CloudFront would answer the second with the first invalidation, invalidating nothing.
    folder = build(tmp_path / "site")
    publish_folder(site.publisher(), folder)
    faq = folder / "en/faq/index.html"
    faq.write_text("<h1>FAQ, edited</h1>", encoding="utf-8")
    first = publish_folder(site.publisher(), folder)
    faq.write_text("<h1>FAQ, edited again</h1>", encoding="utf-8")
    second = publish_folder(site.publisher(), folder)

    assert first.plan.paths == second.plan.paths == ("/en/faq/index.html", "/faq", "/faq/")
    assert first.plan.caller_reference != second.plan.caller_reference
    assert len({batch["CallerReference"] for batch in site.invalidations()}) == 3


def test_a_page_no_longer_built_is_deleted_and_invalidated(site: Site, tmp_path: Path) -> None:
    folder = build(tmp_path / "site")
    publish_folder(site.publisher(), folder)
    site.puts.clear()
    for language in ("en", "es"):
        (folder / language / "programs/demo/index.html").unlink()

    published = publish_folder(site.publisher(), folder)

    assert site.puts == []
    assert published.plan.deletions == (
        "en/programs/demo/index.html",
        "es/programs/demo/index.html",
    )
    assert "en/programs/demo/index.html" not in site.objects()
    assert len(site.objects()) == len(PAGES) - 2
    assert site.invalidations()[-1]["Paths"]["Items"] == [
        "/en/programs/demo/index.html",
        "/es/programs/demo/index.html",
        "/programs/demo",
        "/programs/demo/",
    ]


def test_a_partial_publish_deletes_only_within_its_scope(site: Site, tmp_path: Path) -> None:
    publish_folder(site.publisher(), build(tmp_path / "site"))
    partial = build(
        tmp_path / "partial",
        {"en/index.html": "<h1>Home 2</h1>", "es/index.html": "<h1>Inicio</h1>"},
    )
    scope = {"en/index.html", "es/index.html", "en/programs/demo/index.html"}

    published = site.publisher().publish(built_files(partial), scope=scope)

    assert published.plan.uploads == ("en/index.html",)
    assert published.plan.deletions == ("en/programs/demo/index.html",)
    assert set(site.objects()) == set(PAGES) - {"en/programs/demo/index.html"}


def test_two_publishes_at_once_leave_the_same_bucket_and_one_invalidation(
    site: Site, tmp_path: Path
) -> None:
    folder = build(tmp_path / "site")
    # Both list the bucket before either uploads: the worst overlap, each sees every change.
    both_listed = threading.Barrier(2, timeout=30)

    def wait_for_the_other(**_: Any) -> None:
        both_listed.wait()

    site.s3.meta.events.register("after-call.s3.ListObjectsV2", wait_for_the_other)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(publish_folder(site.publisher(), folder))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    site.s3.meta.events.unregister("after-call.s3.ListObjectsV2", wait_for_the_other)

    assert errors == []
    assert site.objects() == {key: text.encode() for key, text in PAGES.items()}
    # moto records each request; CloudFront makes one invalidation of requests with the same
    # CallerReference and paths (and answers the second with the first).
    batches = site.invalidations()
    assert len(batches) == 2
    assert batches[0] == batches[1]
    assert results[0].plan == results[1].plan


def test_a_dry_run_changes_nothing(site: Site, tmp_path: Path) -> None:
    folder = build(tmp_path / "site")
    said: list[str] = []

    published = publish_folder(site.publisher(), folder, dry_run=True, say=said.append)

    assert site.puts == site.deletes == []
    assert site.objects() == {}
    assert site.invalidations() == []
    assert said == [f"would upload {key}" for key in sorted(PAGES)]
    assert published.counts() == (
        f"{len(PAGES)} would be uploaded, 0 unchanged, 0 would be deleted; "
        "13 path(s) would be invalidated"
    )


def test_many_changed_paths_are_invalidated_as_one_wildcard(site: Site, tmp_path: Path) -> None:
    pages = {
        **PAGES,
        **{f"{lang}/p{n}/index.html": f"{n}" for lang in ("en", "es") for n in range(30)},
    }
    published = publish_folder(site.publisher(), build(tmp_path / "site", pages))
    assert published.plan.paths == ("/*",)
    assert site.invalidations()[0]["Paths"]["Items"] == ["/*"]


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ({}, "no such folder"),
        ({"index.html": "x"}, "it has index.html"),  # one language's folder given as the site
        ({"en/index.html": "x", "assets/a.css": "x"}, "it has assets"),
        ({"en/index.html": "x", "es/faq/index.html": "x"}, "no home page for es"),
    ],
)
def test_a_folder_that_is_not_a_built_site_is_refused_and_nothing_changes(
    site: Site, tmp_path: Path, layout: dict[str, str], message: str
) -> None:
    publish_folder(site.publisher(), build(tmp_path / "site"))
    before = site.objects()
    folder = build(tmp_path / "other", layout) if layout else tmp_path / "missing"

    with pytest.raises(PublishError, match=message):
        publish_folder(site.publisher(), folder)

    assert site.objects() == before


def test_a_missing_bucket_is_named(site: Site, tmp_path: Path) -> None:
    publisher = SitePublisher(
        "no-such-bucket-here", site.distribution, REGION, site.s3, site.cloudfront
    )
    with pytest.raises(PublishError, match="NoSuchBucket") as caught:
        publish_folder(publisher, build(tmp_path / "site"))
    assert "bucket no-such-bucket-here" in str(caught.value)


# -- `portal site publish` ------------------------------------------------------------------


def run_publish(
    site: Site | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> Result:
    monkeypatch.setenv("PORTAL_STAGE", "test")
    monkeypatch.setenv("PORTAL_REGION", REGION)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    if site is not None:
        monkeypatch.setenv("PORTAL_SITE_BUCKET", site.bucket)
        monkeypatch.setenv("PORTAL_SITE_DISTRIBUTION", site.distribution)
    return CliRunner().invoke(main, ["site", "publish", *args])


def test_the_command_publishes_and_prints_counts(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = build(tmp_path / "site")
    result = run_publish(site, tmp_path, monkeypatch, "--from", str(folder))
    assert result.exit_code == 0, result.output
    assert f"Published to s3://{site.bucket} (distribution {site.distribution}):" in result.output
    assert f"{len(PAGES)} uploaded, 0 unchanged, 0 deleted; 13 path(s) invalidated" in result.output
    assert site.objects() == {key: text.encode() for key, text in PAGES.items()}

    again = run_publish(site, tmp_path, monkeypatch, "--from", str(folder))
    assert f"0 uploaded, {len(PAGES)} unchanged, 0 deleted; 0 path(s) invalidated" in again.output


def test_the_command_dry_run_lists_and_changes_nothing(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = build(tmp_path / "site")
    result = run_publish(site, tmp_path, monkeypatch, "--from", str(folder), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would upload en/faq/index.html" in result.output
    assert "Dry run, nothing changed" in result.output
    assert f"{len(PAGES)} would be uploaded, 0 unchanged, 0 would be deleted" in result.output
    assert site.objects() == {}
    assert site.invalidations() == []


def test_the_command_without_a_site_says_which_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PORTAL_SITE_BUCKET", "PORTAL_SITE_DISTRIBUTION"):
        monkeypatch.delenv(name, raising=False)
    result = run_publish(None, tmp_path, monkeypatch, "--from", str(build(tmp_path / "site")))
    assert result.exit_code == 1
    assert "PORTAL_SITE_BUCKET and PORTAL_SITE_DISTRIBUTION are not set" in result.output


def test_the_command_refuses_a_folder_that_is_not_a_built_site(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = run_publish(site, tmp_path, monkeypatch, "--from", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1
    assert "nowhere: no such folder (build the site first: portal site build)" in missing.output
    english_only = build(tmp_path / "site") / "en"
    one_language = run_publish(site, tmp_path, monkeypatch, "--from", str(english_only))
    assert one_language.exit_code == 1
    assert "is not a built site: it should hold only a folder per language" in one_language.output
    assert site.puts == site.deletes == []


# -- republishing a program's pages after a save --------------------------------------------


def fake_builder(pages: dict[str, str]) -> Any:
    """A builder that writes, for each path asked, the pages given for it (as build_site)."""
    asked: list[list[str]] = []

    def builder(out: Path, app: Any, paths: list[str]) -> list[Path]:
        asked.append(paths)
        wanted = {page_key(lang, path) for lang in ("en", "es") for path in paths}
        build(out, {key: text for key, text in pages.items() if key in wanted})
        return sorted(out.rglob("*.html"))

    builder.asked = asked  # type: ignore[attr-defined]
    return builder


def test_a_republish_uploads_the_programs_pages_and_deletes_only_its_own(
    site: Site, tmp_path: Path
) -> None:
    publish_folder(site.publisher(), build(tmp_path / "site"))
    site.puts.clear()
    rebuilt = {key: text for key, text in PAGES.items() if "demo" not in key}  # demo archived
    rebuilt["es/index.html"] = "<h1>Inicio, nuevo</h1>"
    builder = fake_builder(rebuilt)
    republisher = SiteRepublisher(site.publisher(), builder)

    assert republisher.republish(None, ["demo"]) is Republished.UPDATED

    assert builder.asked == [["/", "/programs/", "/programs/demo", "/programs/demo/agreement"]]
    assert site.puts == ["es/index.html"]
    assert sorted(site.deletes) == ["en/programs/demo/index.html", "es/programs/demo/index.html"]
    assert "en/faq/index.html" in site.objects()  # not rebuilt, not deleted
    assert republisher.republish(None, ["demo"]) is Republished.UNCHANGED


def test_a_failed_republish_is_logged_and_changes_nothing(
    site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    publish_folder(site.publisher(), build(tmp_path / "site"))
    before = site.objects()
    no_home = fake_builder({"en/programs/demo/index.html": "x"})  # a build without a home page

    assert (
        SiteRepublisher(site.publisher(), no_home).republish(None, ["demo"]) is Republished.FAILED
    )

    assert site.objects() == before
    assert "could not republish the public pages /, /programs/, /programs/demo" in caplog.text


def test_without_a_bucket_nothing_is_built_or_published() -> None:
    builder = fake_builder(PAGES)
    assert SiteRepublisher(None, builder).republish(None, ["demo"]) is Republished.SKIPPED
    assert builder.asked == []


def test_without_a_distribution_the_pages_are_uploaded_and_nothing_invalidated(
    site: Site, tmp_path: Path
) -> None:
    # Before the stack's distribution exists: the bucket alone is published to.
    publisher = SitePublisher(site.bucket, "", REGION, site.s3, site.cloudfront)
    published = publish_folder(publisher, build(tmp_path / "site"))
    assert sorted(site.puts) == sorted(PAGES)
    assert published.invalidation_id is None
    assert site.invalidations() == []


def test_a_change_back_and_forth_is_invalidated_each_time(site: Site, tmp_path: Path) -> None:
    # A program closed, opened and closed again: the third change puts back the first's
    # file, and must still be invalidated (CloudFront answers a CallerReference it has seen
    # with the old invalidation and does nothing).
    folder = build(tmp_path / "site")
    publish_folder(site.publisher(), folder)
    references = []
    for minute, text in enumerate(("<h1>Closed</h1>", "<h1>Demo</h1>", "<h1>Closed</h1>")):
        moment = datetime(2026, 12, 6, 13, minute, tzinfo=UTC)
        publisher = SitePublisher(
            site.bucket,
            site.distribution,
            REGION,
            site.s3,
            site.cloudfront,
            clock=lambda moment=moment: moment,
        )
        (folder / "en/programs/demo/index.html").write_text(text, encoding="utf-8")
        publish_folder(publisher, folder)
        references.append(site.invalidations()[-1]["CallerReference"])
    assert len(set(references)) == 3


def test_the_command_refuses_to_publish_a_local_build(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The local store's programs are not the stage's: publishing them would delete the
    # pages of the programs organizers made in the console.
    monkeypatch.setenv("PORTAL_STAGE", "local")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PORTAL_SITE_BUCKET", site.bucket)
    result = CliRunner().invoke(main, ["site", "publish", "--from", str(build(tmp_path / "site"))])
    assert result.exit_code != 0
    assert "this is the local stage: publish from the stage's environment" in result.output
    assert site.puts == []
