"""Content pages in other languages: `<page>.<language>.md` beside the original."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.catalog.documents import ContentError
from portal.catalog.pages import PageCatalog

ORIGINAL = "---\ntitle: Privacy notice\norder: 5\nnav: true\nlabel: Privacy\n---\nWe keep little.\n"
SPANISH = "---\ntitle: Aviso de privacidad\nlabel: Privacidad\n---\nGuardamos poco.\n"


def folder(path: Path, **files: str) -> Path:
    """A content folder holding `files` (keyword names with "_" for the last ".")."""
    path.mkdir(exist_ok=True)
    for name, text in files.items():
        stem, _, extension = name.rpartition("_")
        (path / f"{stem}.{extension}").write_text(text, encoding="utf-8")
    return path


def test_a_page_is_given_in_the_language_it_is_written_in(tmp_path: Path) -> None:
    pages = PageCatalog.from_folder(
        folder(tmp_path, privacy_md=ORIGINAL, **{"privacy.es_md": SPANISH})
    )
    spanish = pages.get("privacy", "es")
    assert spanish is not None
    assert spanish.language == "es"
    assert spanish.title == "Aviso de privacidad"
    assert "Guardamos poco." in spanish.html
    # Where it sits is the original's.
    assert (spanish.slug, spanish.order, spanish.nav) == ("privacy", 5, True)
    assert [p.label for p in pages.navigation("es")] == ["Privacidad"]
    assert pages.languages("privacy") == ["en", "es"]


def test_a_page_not_written_in_a_language_is_given_in_english(tmp_path: Path) -> None:
    pages = PageCatalog.from_folder(folder(tmp_path, privacy_md=ORIGINAL))
    page = pages.get("privacy", "es")
    assert page is not None
    assert page.language == "en"
    assert page.title == "Privacy notice"
    assert pages.languages("privacy") == ["en"]


def test_the_version_a_sign_up_records_changes_with_any_language(tmp_path: Path) -> None:
    english_only = PageCatalog.from_folder(folder(tmp_path / "a", privacy_md=ORIGINAL))
    both = PageCatalog.from_folder(
        folder(tmp_path / "b", privacy_md=ORIGINAL, **{"privacy.es_md": SPANISH})
    )
    changed = PageCatalog.from_folder(
        folder(
            tmp_path / "c",
            privacy_md=ORIGINAL,
            **{"privacy.es_md": SPANISH.replace("poco", "muy poco")},
        )
    )
    versions = {
        english_only.version("privacy"),
        both.version("privacy"),
        changed.version("privacy"),
    }
    assert len(versions) == 3


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("privacy.fr.md", SPANISH, "'fr' is not a language pages are translated into (one of: es)"),
        ("privacy.en.md", SPANISH, "'en' is not a language pages are translated into"),
        ("terms.es.md", SPANISH, "translates terms.md, which is not a page"),
        (
            "privacy.es.md",
            SPANISH.replace("label:", "order: 3\nlabel:"),
            "order: a translation sets only",
        ),
        ("privacy.es.md", "---\nlabel: Privacidad\n---\nGuardamos poco.\n", "title: is required"),
    ],
)
def test_a_bad_translation_is_refused_naming_the_file_and_what_is_wrong(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    (tmp_path / "privacy.md").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        PageCatalog.from_folder(tmp_path)
    assert name in str(refused.value)
    assert message in str(refused.value)
