"""Whether English is left in a page or an email meant for a Spanish reader.

The check the languages issue asks for: no string of the English catalogue (the msgids) is
left in what a Spanish reader sees. Short msgids ("Email", "Programs") are also Spanish or
brand words, or parts of longer text, so only those of `MIN_LENGTH` characters or more are
looked for; a msgid whose translation is the same text (a name, a placeholder-only line) is
not English left over.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import polib

from portal import i18n

MIN_LENGTH = 12
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
_TAG = re.compile(r"<[^>]+>")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style|title)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


@cache
def english_phrases(language: str = "es") -> tuple[str, ...]:
    """The fixed words of each English msgid long enough to be telling, as plain text.

    A msgid with placeholders gives its longest fixed piece between them.
    """
    catalogue = polib.pofile(str(i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"))
    phrases: set[str] = set()
    for entry in catalogue:
        if entry.obsolete or entry.msgstr == entry.msgid:
            continue
        for msgid in (entry.msgid, entry.msgid_plural):
            if not msgid:
                continue
            text = " ".join(html.unescape(_TAG.sub(" ", msgid)).split())
            longest = max((part.strip() for part in _PLACEHOLDER.split(text)), key=len)
            if len(longest) >= MIN_LENGTH:
                phrases.add(longest)
    return tuple(sorted(phrases))


def visible_text(markup: str) -> str:
    """The text a reader sees in HTML (tags, scripts and styles removed, spaces collapsed)."""
    markup = _SCRIPT_OR_STYLE.sub(" ", markup)
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


@cache
def program_titles() -> tuple[str, ...]:
    """The shipped programs' titles: their organizers' own words, in one language ("Group
    mentoring: New managers" holds the catalogue's "Group mentoring", a template's name)."""
    from portal.catalog.programs import ProgramCatalog

    folder = Path(__file__).resolve().parent.parent / "content" / "programs"
    return tuple(program.title for program in ProgramCatalog.read_folder(folder))


def english_left(text: str, language: str = "es") -> list[str]:
    """The English catalogue phrases found in `text` (plain text; see `visible_text`), as
    whole words: "on Mentor Portal" is not found in "con Mentor Portal". The shipped
    programs' titles are left out: what organizers write is shown as they wrote it."""
    flat = " ".join(text.split())
    for title in program_titles():
        flat = flat.replace(title, " ")
    return [
        phrase
        for phrase in english_phrases(language)
        if phrase in flat and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", flat)
    ]
