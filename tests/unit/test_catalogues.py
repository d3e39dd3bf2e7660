"""The catalogues: every word of the portal translated into every language it offers.

`pybabel compile --statistics` miscounts, so completeness is checked here with polib, and
the words the sources hold are gathered the way `make messages` gathers them (babel.cfg).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from portal import i18n

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = sorted(code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(i18n.TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"))


@cache
def words_in_sources() -> frozenset[str]:
    """Every msgid (and plural msgid) the templates and code mark for translation."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        if isinstance(message, tuple):
            found.update(part for part in message if part)
        elif message:
            found.add(message)
    return frozenset(found)


def test_every_language_offered_has_a_catalogue() -> None:
    on_disk = {path.parent.parent.name for path in i18n.TRANSLATIONS.glob("*/LC_MESSAGES/*.po")}
    assert on_disk == set(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalogue_has_no_untranslated_or_fuzzy_entry(language: str) -> None:
    po = catalogue(language)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    print(f"{language}: {po.percent_translated()}% of {len(po)} entries translated")
    assert not untranslated, f"{len(untranslated)} untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (to review) in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalogue_holds_exactly_the_words_of_the_sources(language: str) -> None:
    po = catalogue(language)
    held = {entry.msgid for entry in po if not entry.obsolete}
    held |= {entry.msgid_plural for entry in po if entry.msgid_plural and not entry.obsolete}
    missing = sorted(words_in_sources() - held)
    stale = sorted(held - words_in_sources())
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
    assert not stale, f"run `make messages`: no longer in the sources: {stale[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_keeps_every_placeholder(language: str) -> None:
    """A translation that loses or misspells `%(name)s` would fail when shown."""
    wrong = []
    for entry in catalogue(language).translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            forms = list(entry.msgstr_plural.values())
            wanted |= set(PLACEHOLDER.findall(entry.msgid_plural))
            # A form may leave the count out ("one" in place of %(num)s).
            wanted.discard("num")
        else:
            forms = [entry.msgstr]
        for form in forms:
            if set(PLACEHOLDER.findall(form)) - {"num"} != wanted - {"num"}:
                wrong.append((entry.msgid, form))
    assert not wrong, f"placeholders differ in {language}: {wrong[:5]}"
