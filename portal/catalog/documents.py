"""Reading Markdown files with YAML front matter, shared by pages, programs and agreements."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from frontmatter.default_handlers import YAMLHandler

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


class ContentError(Exception):
    """A content file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Document:
    path: Path
    meta: dict[str, Any]
    body: str


def read_document(path: Path) -> Document:
    """Split a Markdown file into its front matter and body."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(f"{path}: is not UTF-8 text") from None
    if not text.strip():
        raise ContentError(
            f"{path}: is empty; it must start with front matter between two '---' lines"
        )
    if not text.lstrip().startswith("---"):
        raise ContentError(f"{path}: must start with front matter between two '---' lines")
    handler = YAMLHandler()
    try:
        front, body = handler.split(text.strip())
    except ValueError:
        # python-frontmatter would read the whole file as the body and the settings as missing.
        raise ContentError(f"{path}: the front matter has no closing '---' line") from None
    try:
        meta = handler.load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(
            f"{path}: the front matter is not valid YAML{where}: {problem}"
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError(
            f"{path}: the front matter must be settings written as 'key: value' lines, "
            f"not {'a list' if isinstance(meta, list) else 'a single value'}"
        )
    return Document(path=path, meta=dict(meta), body=body.strip())


@cache
def _markdown() -> MarkdownIt:
    # Imported here: most requests show no Markdown, and a cold start need not load it.
    from markdown_it import MarkdownIt

    # Raw HTML stays escaped: content is written by organizers, rendered for everyone.
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "strikethrough", "replacements", "smartquotes"]
    )


# The same text gives the same HTML: a process that loads the content again (each test, a
# program edited and reloaded) renders only what changed.
@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to safe HTML (raw HTML in the source is escaped, not passed through)."""
    html: str = _markdown().render(text)  # markdown-it-py types render() as Any
    return html
