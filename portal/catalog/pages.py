"""Content pages loaded from content/pages/*.md, each in English and, where a translation
exists beside it (`<page>.<language>.md`, e.g. `privacy.es.md`), in other languages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from portal import i18n
from portal.catalog.documents import ContentError, read_document, render_markdown

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_KNOWN_KEYS = {"title", "slug", "order", "nav", "label", "description"}
# A translation says only its words: where the page sits and its address are the original's.
_TRANSLATION_KEYS = {"title", "label", "description"}


@dataclass(frozen=True)
class Page:
    title: str
    slug: str
    order: int
    nav: bool
    description: str
    # The words in Markdown; `html` renders them when first shown.
    body: str
    # Changes whenever the page's words do: what a sign-up records of the privacy notice.
    version: str = ""
    # Its name in the header's navigation, if shorter than the title (one row on a phone).
    label: str = ""
    # The language its words are in (a translation's, or English for the original).
    language: str = i18n.DEFAULT_LANGUAGE

    @cached_property
    def html(self) -> str:
        """The page's words as HTML, rendered when first shown: a cold start renders only
        the page it serves, not every page in every language."""
        return render_markdown(self.body)


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
        body=document.body,
        version=_version(title, document.body),
        label=label.strip() or title.strip(),
    )


def load_translation(path: Path, original: Page, language: str) -> Page:
    """Read `<page>.<language>.md`: the original page's place, in the translation's words."""
    document = read_document(path)
    meta = document.meta
    unknown = sorted(set(meta) - _TRANSLATION_KEYS)
    if unknown:
        raise ContentError(
            f"{path}: {unknown[0]}: a translation sets only "
            f"{', '.join(sorted(_TRANSLATION_KEYS))} (the rest is {original.slug}'s)"
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(f"{path}: title: is required")
    label = meta.get("label", "")
    if not isinstance(label, str) or len(label) > 20:
        raise ContentError(f"{path}: label: must be text of at most 20 characters")
    description = meta.get("description", original.description)
    if not isinstance(description, str) or len(description) > 300:
        raise ContentError(f"{path}: description: must be text of at most 300 characters")
    return replace(
        original,
        title=title.strip(),
        label=label.strip() or title.strip(),
        description=description.strip(),
        body=document.body,
        version=_version(title, document.body),
        language=language,
    )


def _combined(page: Page, translations: list[Page]) -> str:
    """One version for a page in all its languages: the original's alone if none."""
    if not translations:
        return page.version
    words = " ".join([page.version, *sorted(t.language + t.version for t in translations)])
    return hashlib.sha256(words.encode()).hexdigest()[:12]


def _version(title: str, body: str) -> str:
    """The first 12 hex digits of the SHA-256 of the title and text, spaces normalised."""
    words = " ".join(f"{title}\n{body}".split())
    return hashlib.sha256(words.encode()).hexdigest()[:12]


class PageCatalog:
    """The site's pages, read and checked at start-up, with their translations (each rendered
    when first shown)."""

    def __init__(self, pages: list[Page], translations: Sequence[Page] = ()) -> None:
        self._by_slug: dict[str, Page] = {}
        for page in pages:
            if page.slug in self._by_slug:
                raise ContentError(f"two pages have the slug {page.slug!r}")
            self._by_slug[page.slug] = page
        self._translated: dict[tuple[str, str], Page] = {
            (page.slug, page.language): page for page in translations
        }
        # What a sign-up records of the privacy notice: one version for the notice in every
        # language, changed when the words of any of them change.
        self._versions = {
            slug: _combined(page, [t for (s, _), t in self._translated.items() if s == slug])
            for slug, page in self._by_slug.items()
        }

    @classmethod
    def from_folder(cls, folder: Path) -> PageCatalog:
        errors: list[str] = []
        pages: list[Page] = []
        seen: dict[str, Path] = {}
        translated: list[Path] = []
        for path in sorted(folder.glob("*.md")):
            if "." in path.stem:
                translated.append(path)
                continue
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
        by_name = {path.stem: page for path, page in zip(seen.values(), pages, strict=True)}
        translations: list[Page] = []
        for path in translated:
            name, _, language = path.stem.partition(".")
            if language not in i18n.LANGUAGES or language == i18n.DEFAULT_LANGUAGE:
                offered = ", ".join(c for c in i18n.LANGUAGES if c != i18n.DEFAULT_LANGUAGE)
                errors.append(
                    f"{path}: {language!r} is not a language pages are translated into "
                    f"(one of: {offered})"
                )
            elif name not in by_name:
                errors.append(f"{path}: translates {name}.md, which is not a page")
            else:
                try:
                    translations.append(load_translation(path, by_name[name], language))
                except ContentError as exc:
                    errors.append(str(exc))
        if errors:
            raise ContentError("\n".join(errors))
        return cls(pages, translations)

    def get(self, slug: str, language: str | None = None) -> Page | None:
        """The page in `language` if it is written in it, else the original (English)."""
        page = self._by_slug.get(slug)
        if page is None or language is None:
            return page
        return self._translated.get((slug, language), page)

    def version(self, slug: str) -> str:
        """The version of a page's words, in every language ("" if there is no such page)."""
        return self._versions.get(slug, "")

    def navigation(self, language: str | None = None) -> list[Page]:
        return [page for page in self.in_order(language) if page.nav]

    def in_order(self, language: str | None = None) -> list[Page]:
        """Every page, by its order then title (the footer lists them all), in `language`."""
        pages = sorted(self._by_slug.values(), key=lambda p: (p.order, p.title))
        return [self.get(page.slug, language) or page for page in pages]

    def languages(self, slug: str) -> list[str]:
        """The languages a page is written in: English, then its translations'."""
        found = [language for (s, language) in self._translated if s == slug]
        return [i18n.DEFAULT_LANGUAGE, *sorted(found)] if slug in self._by_slug else []

    def __iter__(self) -> Iterator[Page]:
        return iter(self._by_slug.values())
