"""Mentoring agreements loaded from content/agreements/*.md, the one a program names."""

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


class Agreements:
    """A content folder's agreements, each read when asked: a missing one is logged, not fatal."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def of(self, program: Program) -> Agreement:
        """The agreement the program names; an empty one if it names none or a missing file."""
        if not program.agreement:
            return Agreement()
        try:
            document = read_document(self.folder / f"{program.agreement}.md")
        except (ContentError, FileNotFoundError):
            log.warning("program %s names a missing agreement", program.slug)
            return Agreement()
        return Agreement(str(document.meta.get("title", "")), document.body.strip())

    def available(self) -> dict[str, str]:
        """Every agreement of the folder a program can name: slug to title."""
        found: dict[str, str] = {}
        for path in sorted(self.folder.glob("*.md")):
            try:
                document = read_document(path)
            except ContentError:
                log.warning("agreement %s cannot be read", path.name)
                continue
            found[path.stem] = str(document.meta.get("title", "")) or path.stem
        return found
