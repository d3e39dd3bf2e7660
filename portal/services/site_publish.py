"""Publishing the built site (`portal site build`) to the stage's S3 bucket behind CloudFront.

Only files whose MD5 differs from the object's ETag are uploaded; objects no longer built are
deleted; the viewer paths of what changed are invalidated in CloudFront. Two publishes of the
same folder at once upload the same bytes and ask for the same invalidation (one
CallerReference), which CloudFront makes once.

The S3 actions called: ListObjectsV2 (s3:ListBucket), PutObject, DeleteObject; CloudFront:
CreateInvalidation. ETags are MD5s only for single-part uploads to a bucket encrypted with
S3-managed keys (SSE-S3): under SSE-KMS every file would be uploaded each time.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portal.i18n import LANGUAGES

log = logging.getLogger(__name__)

# Pages are cached briefly and revalidated: a republished page is seen within a minute of its
# invalidation, and a browser asks again after 60 seconds. 404 and error pages alike.
PAGE_CACHE = "public, max-age=60, must-revalidate"
# Content types by extension, fixed here: the mimetypes module reads the machine's own tables.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
OTHER_CONTENT = "application/octet-stream"
# More changed paths than this are invalidated as one "/*": CloudFront charges by path
# (a wildcard is one) and accepts at most 3,000 file paths in progress at once.
MOST_PATHS = 50
INDEX = "index.html"


class PublishError(Exception):
    """The folder is not a built site, or the bucket or distribution refused; says which."""


@dataclass(frozen=True)
class PublishPlan:
    """What a publish does: the keys to upload, left as they are and delete, and the paths
    to invalidate with their CallerReference."""

    uploads: tuple[str, ...]
    unchanged: tuple[str, ...]
    deletions: tuple[str, ...]
    paths: tuple[str, ...]
    caller_reference: str

    @property
    def changed(self) -> bool:
        """Whether anything would be uploaded or deleted."""
        return bool(self.uploads or self.deletions)


@dataclass(frozen=True)
class Published:
    """A publish's plan, done (or only listed, for a dry run), with the invalidation's id."""

    plan: PublishPlan
    dry_run: bool = False
    invalidation_id: str | None = None

    def counts(self) -> str:
        """The counts in one line, as the command prints them."""
        would = "would be " if self.dry_run else ""
        plan = self.plan
        return (
            f"{len(plan.uploads)} {would}uploaded, {len(plan.unchanged)} unchanged, "
            f"{len(plan.deletions)} {would}deleted; {len(plan.paths)} path(s) {would}invalidated"
        )


def md5_of(path: Path) -> str:
    """The file's MD5 in hex, as S3 gives it for a single-part upload."""
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def content_type(key: str) -> str:
    """The Content-Type a file is served with, from its extension."""
    return CONTENT_TYPES.get(Path(key).suffix.lower(), OTHER_CONTENT)


def page_key(language: str, path: str) -> str:
    """The key a viewer path's page has in a language: "/faq" -> "es/faq/index.html"."""
    inner = path.strip("/")
    return f"{language}/{inner}/{INDEX}" if inner else f"{language}/{INDEX}"


def invalidation_paths(keys: Iterable[str]) -> tuple[str, ...]:
    """The CloudFront paths to invalidate for changed keys: each key's own path (the cache
    key once the viewer-request function rewrote the URI) and, for a page, the viewer's path
    ("/faq" for "es/faq/index.html"), as CloudFront advises when a function rewrites URIs."""
    paths: set[str] = set()
    for key in keys:
        paths.add(f"/{key}")
        language, _, rest = key.partition("/")
        if language in LANGUAGES and (rest == INDEX or rest.endswith(f"/{INDEX}")):
            viewer = "/" + rest.removesuffix(INDEX).rstrip("/")
            paths.add(viewer)
            if viewer != "/":
                paths.add(viewer + "/")  # the site's own links end in "/" ("/programs/")
    ordered = tuple(sorted(paths))
    return ("/*",) if len(ordered) > MOST_PATHS else ordered


def caller_reference(changes: Mapping[str, str], moment: datetime) -> str:
    """A CallerReference that names the change and its minute: each changed key with its new
    MD5 (or its deletion) and the ETag it replaces. Two publishes making the same change in
    the same minute ask for the same invalidation; a later change of the same file is a new
    one, even one back to an earlier content (a program closed, opened and closed again),
    which CloudFront would otherwise take for the first and not invalidate again. Within a
    minute the pages' 60-second cache shows it anyway."""
    minute = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    text = "\n".join([minute, *(f"{key} {what}" for key, what in sorted(changes.items()))])
    return "site-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def built_files(folder: Path, *, whole: bool = True) -> dict[str, Path]:
    """The files of a built site by key; PublishError if the folder is not one.

    A whole site has a folder per offered language, each with its index.html; a partial build
    (a republish) has language folders only. Anything else at the top is refused: publishing
    one language's folder as the site would delete every other page.
    """
    if not folder.exists():
        raise PublishError(f"{folder}: no such folder (build the site first: portal site build)")
    if not folder.is_dir():
        raise PublishError(f"{folder}: is a file, not the folder of a built site")
    offered = ", ".join(sorted(LANGUAGES))
    strangers = sorted(p.name for p in folder.iterdir() if p.name not in LANGUAGES or p.is_file())
    if strangers:
        raise PublishError(
            f"{folder} is not a built site: it should hold only a folder per language "
            f"({offered}), and it has {', '.join(strangers)}"
        )
    if whole:
        missing = sorted(lang for lang in LANGUAGES if not (folder / lang / INDEX).is_file())
        if missing:
            raise PublishError(
                f"{folder} is not a whole built site: no home page for {', '.join(missing)} "
                f"(expected {', '.join(f'{lang}/{INDEX}' for lang in missing)}; "
                "build it again: portal site build)"
            )
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class SitePublisher:
    """One stage's bucket and distribution; the AWS clients are made when first needed."""

    bucket: str
    distribution: str
    region: str
    s3: Any = None
    cloudfront: Any = None
    # The minute an invalidation is asked in names it (tests pass a fixed one).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def _s3(self) -> Any:
        if self.s3 is None:
            import boto3  # here: a request that publishes nothing needs no S3 client

            self.s3 = boto3.client("s3", region_name=self.region)
        return self.s3

    def _cloudfront(self) -> Any:
        if self.cloudfront is None:
            import boto3

            self.cloudfront = boto3.client("cloudfront", region_name=self.region)
        return self.cloudfront

    def stored(self) -> dict[str, str]:
        """Every key in the bucket with its ETag (unquoted)."""
        etags: dict[str, str] = {}
        pages = self._s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        for page in pages:
            for item in page.get("Contents", []):
                etags[item["Key"]] = str(item["ETag"]).strip('"')
        return etags

    def plan(
        self, files: Mapping[str, Path], *, scope: Collection[str] | None = None
    ) -> PublishPlan:
        """What publishing these files does. `scope`: the only keys it may delete (those of
        the pages a republish rebuilt); None: every key in the bucket that was not built."""
        stored = self.stored()
        hashes = {key: md5_of(path) for key, path in files.items()}
        uploads = tuple(key for key in sorted(files) if stored.get(key) != hashes[key])
        unchanged = tuple(key for key in sorted(files) if key not in uploads)
        candidates = stored if scope is None else {k: v for k, v in stored.items() if k in scope}
        deletions = tuple(sorted(key for key in candidates if key not in files))
        changes = {key: f"{stored.get(key, '-')} {hashes[key]}" for key in uploads}
        changes.update({key: f"{stored[key]} deleted" for key in deletions})
        return PublishPlan(
            uploads=uploads,
            unchanged=unchanged,
            deletions=deletions,
            paths=invalidation_paths([*uploads, *deletions]),
            caller_reference=caller_reference(changes, self.clock()),
        )

    def publish(
        self,
        files: Mapping[str, Path],
        *,
        scope: Collection[str] | None = None,
        dry_run: bool = False,
        say: Callable[[str], None] = lambda line: None,
    ) -> Published:
        """Upload what changed, delete what is no longer built, then invalidate its paths."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            plan = self.plan(files, scope=scope)
            verb = "would upload" if dry_run else "upload"
            for key in plan.uploads:
                say(f"{verb} {key}")
                if not dry_run:
                    self._upload(key, files[key])
            for key in plan.deletions:
                say(f"{'would delete' if dry_run else 'delete'} {key}")
                if not dry_run:
                    self._s3().delete_object(Bucket=self.bucket, Key=key)
            if dry_run or not plan.paths or not self.distribution:
                # Without a distribution id, CloudFront's 60-second page cache refreshes them.
                return Published(plan, dry_run=dry_run)
            # After every upload and deletion: a fetch the invalidation causes finds the new.
            answer = self._cloudfront().create_invalidation(
                DistributionId=self.distribution,
                InvalidationBatch={
                    "Paths": {"Quantity": len(plan.paths), "Items": list(plan.paths)},
                    "CallerReference": plan.caller_reference,
                },
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise PublishError(
                f"AWS refused {exc.operation_name} (bucket {self.bucket}, distribution "
                f"{self.distribution}): {error.get('Code', '?')}: {error.get('Message', '')}"
            ) from exc
        except BotoCoreError as exc:
            raise PublishError(f"could not reach AWS: {exc}") from exc
        return Published(plan, invalidation_id=str(answer["Invalidation"]["Id"]))

    def _upload(self, key: str, path: Path) -> None:
        body = path.read_bytes()
        digest = hashlib.md5(body, usedforsecurity=False).digest()
        self._s3().put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType=content_type(key),
            CacheControl=PAGE_CACHE,
            # S3 refuses the upload if the bytes it received are not these.
            ContentMD5=base64.b64encode(digest).decode(),
        )


def publish_folder(
    publisher: SitePublisher,
    folder: Path,
    *,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> Published:
    """Publish a whole built site: what is in the bucket and not in the folder is deleted."""
    return publisher.publish(built_files(folder), dry_run=dry_run, say=say)
