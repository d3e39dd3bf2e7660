"""Republishing a program's public pages after a console save, from the process that saved.

The pages are built by the site builder (`portal.services.site.build_site`, passed in as
`builder`) into a temporary folder and published with `SitePublisher`: the program's page and
agreement, the programs list and the home page, in every language. A failure is logged and
told; the save it follows stands.
"""

from __future__ import annotations

import contextvars
import logging
import tempfile
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Any

from portal.i18n import LANGUAGES
from portal.services.site_publish import SitePublisher, built_files, page_key

log = logging.getLogger(__name__)

# (folder, Flask app, viewer paths) -> the files written: the shape of build_site.
Builder = Callable[[Path, Any, list[str]], list[Path]]


class Republished(Enum):
    """What a republish did."""

    SKIPPED = "skipped"  # no site bucket in this stage: the app serves every page itself
    UPDATED = "updated"  # pages uploaded or deleted, and invalidated
    UNCHANGED = "unchanged"  # the rebuilt pages were those already published
    FAILED = "failed"  # logged; the pages stay as they were until the next publish


def program_paths(slugs: Iterable[str]) -> list[str]:
    """The viewer paths a change to these programs shows on: their pages, the list, home."""
    paths = ["/", "/programs/"]
    for slug in sorted(set(slugs)):
        paths += [f"/programs/{slug}", f"/programs/{slug}/agreement"]
    return paths


class SiteRepublisher:
    """Rebuilds and publishes the pages a program change shows on; nothing without a bucket."""

    def __init__(
        self,
        publisher: SitePublisher | None,
        builder: Builder,
        refresh: Callable[[], None] = lambda: None,
    ) -> None:
        self.publisher = publisher
        self.builder = builder
        # Reads every program again before a build: the home page and the list show them
        # all, and a save in another warm function (whose catalog may be 30 s old) would
        # otherwise publish its older view of them over a newer one.
        self.refresh = refresh

    @property
    def enabled(self) -> bool:
        """Whether this stage publishes a static site (PORTAL_SITE_BUCKET is set)."""
        return self.publisher is not None

    def republish(self, app: Any, slugs: Iterable[str]) -> Republished:
        """Rebuild and publish the pages of these programs, the programs list and home."""
        if self.publisher is None:
            return Republished.SKIPPED
        paths = program_paths(slugs)
        # Only these pages' keys may be deleted: a program page no longer built (archived)
        # goes; every other page of the bucket stays.
        scope = {page_key(language, path) for language in LANGUAGES for path in paths}
        try:
            self.refresh()
            with tempfile.TemporaryDirectory(prefix="portal-site-") as folder:
                out = Path(folder) / "site"
                # In an empty context: inside the organizer's request, a request the builder
                # makes would share its app context, and with it `g` (the language Flask-Babel
                # chose for the organizer, who is signed in), and pages would be built as theirs.
                contextvars.Context().run(self.builder, out, app, paths)
                # whole=True: the home page is always rebuilt, so a build without it is broken
                # and must not delete anything.
                published = self.publisher.publish(built_files(out, whole=True), scope=scope)
        except Exception:  # any failure: the save stands and the organizer is told
            log.exception("could not republish the public pages %s", ", ".join(paths))
            return Republished.FAILED
        log.info("republished %s: %s", ", ".join(paths), published.counts())
        return Republished.UPDATED if published.plan.changed else Republished.UNCHANGED
