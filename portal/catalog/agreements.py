"""Mentoring agreements loaded from content/agreements/*.md, the one a program names, in the
reader's language where a translation is beside it (`<slug>.<language>.md`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from portal.catalog.documents import ContentError, read_document
from portal.domain.program import Program

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Agreement:
    """A program's agreement: its title and its Markdown text (both empty when it has none)."""

    title: str = ""
    text: str = ""
    # The language it is written in (a translation's, else the original's: English).
    language: str = "en"


class Agreements:
    """A content folder's agreements, each read when asked: a missing one is logged, not fatal."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def of(self, program: Program, language: str | None = None) -> Agreement:
        """The agreement the program names, in `language` if it is translated into it; an
        empty one if it names none or a missing file."""
        if not program.agreement:
            return Agreement()
        if language:
            translated = self.folder / f"{program.agreement}.{language}.md"
            try:
                document = read_document(translated)
            except FileNotFoundError:
                pass
            except ContentError:
                log.warning("agreement %s cannot be read", translated.name)
            else:
                return Agreement(
                    str(document.meta.get("title", "")), document.body.strip(), language
                )
        try:
            document = read_document(self.folder / f"{program.agreement}.md")
        except (ContentError, FileNotFoundError):
            log.warning("program %s names a missing agreement", program.slug)
            return Agreement()
        return Agreement(str(document.meta.get("title", "")), document.body.strip())

    def available(self, language: str | None = None) -> dict[str, str]:
        """Every agreement of the folder a program can name: slug to title (in `language`
        where the agreement is translated into it)."""
        found: dict[str, str] = {}
        for path in sorted(self.folder.glob("*.md")):
            if "." in path.stem:
                continue  # a translation of one
            try:
                document = read_document(path)
            except ContentError:
                log.warning("agreement %s cannot be read", path.name)
                continue
            title = str(document.meta.get("title", "")) or path.stem
            translated = path.with_name(f"{path.stem}.{language}.md")
            if language and translated.is_file():
                try:
                    title = str(read_document(translated).meta.get("title", "")) or title
                except ContentError:
                    log.warning("agreement %s cannot be read", translated.name)
            found[path.stem] = title
        return found
