"""Content pages loaded from content/pages/*.md."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.catalog.documents import ContentError, read_document, render_markdown

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_KNOWN_KEYS = {"title", "slug", "order", "nav", "label", "description"}


@dataclass(frozen=True)
class Page:
    title: str
    slug: str
    order: int
    nav: bool
    description: str
    html: str
    # Changes whenever the page's words do: what a sign-up records of the privacy notice.
    version: str = ""
    # Its name in the header's navigation, if shorter than the title (one row on a phone).
    label: str = ""


def load_page(path: Path) -> Page:
    """Read one page; raise ContentError naming the file and the bad key."""
    document = read_document(path)
    meta = document.meta
    unknown = sorted(set(meta) - _KNOWN_KEYS)
    if unknown:
        raise ContentError(f"{path}: {unknown[0]}: is not a known setting (check the spelling)")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(f"{path}: title: is required")
    slug = meta.get("slug", path.stem)
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ContentError(f"{path}: slug: must be lowercase letters, digits and hyphens")
    order = meta.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        raise ContentError(f"{path}: order: must be a whole number")
    nav = meta.get("nav", False)
    if not isinstance(nav, bool):
        raise ContentError(f"{path}: nav: must be true or false")
    label = meta.get("label", "")
    if not isinstance(label, str) or len(label) > 20:
        raise ContentError(f"{path}: label: must be text of at most 20 characters")
    description = meta.get("description", "")
    if not isinstance(description, str) or len(description) > 300:
        raise ContentError(f"{path}: description: must be text of at most 300 characters")
    return Page(
        title=title.strip(),
        slug=slug,
        order=order,
        nav=nav,
        description=description.strip(),
        html=render_markdown(document.body),
        version=_version(title, document.body),
        label=label.strip() or title.strip(),
    )


def _version(title: str, body: str) -> str:
    """The first 12 hex digits of the SHA-256 of the title and text, spaces normalised."""
    words = " ".join(f"{title}\n{body}".split())
    return hashlib.sha256(words.encode()).hexdigest()[:12]


class PageCatalog:
    """The site's pages, rendered once at start-up."""

    def __init__(self, pages: list[Page]) -> None:
        self._by_slug: dict[str, Page] = {}
        for page in pages:
            if page.slug in self._by_slug:
                raise ContentError(f"two pages have the slug {page.slug!r}")
            self._by_slug[page.slug] = page

    @classmethod
    def from_folder(cls, folder: Path) -> PageCatalog:
        errors: list[str] = []
        pages: list[Page] = []
        seen: dict[str, Path] = {}
        for path in sorted(folder.glob("*.md")):
            try:
                page = load_page(path)
            except ContentError as exc:
                errors.append(str(exc))
                continue
            if page.slug in seen:
                errors.append(f"{path}: slug: {page.slug!r} is already used by {seen[page.slug]}")
                continue
            seen[page.slug] = path
            pages.append(page)
        if errors:
            raise ContentError("\n".join(errors))
        return cls(pages)

    def get(self, slug: str) -> Page | None:
        return self._by_slug.get(slug)

    def version(self, slug: str) -> str:
        """The version of a page's words ("" if there is no such page)."""
        page = self._by_slug.get(slug)
        return page.version if page is not None else ""

    def navigation(self) -> list[Page]:
        return sorted(
            (p for p in self._by_slug.values() if p.nav), key=lambda p: (p.order, p.title)
        )

    def in_order(self) -> list[Page]:
        """Every page, by its order then title (the footer lists them all)."""
        return sorted(self._by_slug.values(), key=lambda p: (p.order, p.title))

    def __iter__(self) -> Iterator[Page]:
        return iter(self._by_slug.values())
