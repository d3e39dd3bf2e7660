"""A program's public page in other languages: `<slug>.<language>.md` beside the program."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal.catalog.programs import ProgramCatalog, ProgramError, load_program
from tests.conftest import CONTENT

DEMO = CONTENT / "programs" / "demo.md"


def copy_demo(folder: Path, translation: str | None = None, name: str = "demo.es.md") -> Path:
    folder.mkdir(exist_ok=True)
    shutil.copy(DEMO, folder / "demo.md")
    if translation is not None:
        (folder / name).write_text(translation, encoding="utf-8")
    return folder / "demo.md"


def test_a_translation_gives_the_page_in_its_language(tmp_path: Path) -> None:
    program = load_program(copy_demo(tmp_path, "---\nsummary: Un resumen.\n---\nTexto.\n"))
    assert program.page_languages == ("en", "es")
    summary, text, written_in = program.page_in("es")
    assert (summary, text.strip(), written_in) == ("Un resumen.", "Texto.", "es")
    # An English reader gets the program's own page.
    assert program.page_in("en") == (program.summary, program.body, "en")


def test_without_a_translation_the_page_is_in_the_programs_language(tmp_path: Path) -> None:
    program = load_program(copy_demo(tmp_path))
    assert program.page_languages == ("en",)
    assert program.page_in("es") == (program.summary, program.body, "en")


def test_the_folder_reads_a_translation_with_its_program_not_as_one(tmp_path: Path) -> None:
    copy_demo(tmp_path, "---\nsummary: Resumen.\n---\nTexto.\n")
    programs = ProgramCatalog.read_folder(tmp_path)
    assert [p.slug for p in programs] == ["demo"]
    assert programs[0].page_in("es")[1].strip() == "Texto."


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("demo.fr.md", "---\nsummary: Résumé.\n---\nTexte.\n", "'fr' is not a language"),
        ("demo.es.md", "---\ntitle: Otro\n---\nTexto.\n", "title: a translation sets only"),
        ("demo.es.md", "---\nsummary: [1, 2]\n---\nTexto.\n", "summary: must be text"),
        ("demo.en.md", "---\nsummary: Summary.\n---\nText.\n", "'en' is the program's own"),
    ],
)
def test_a_bad_translation_is_refused_naming_what_is_wrong(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(ProgramError) as refused:
        load_program(copy_demo(tmp_path, text, name))
    assert message in str(refused.value)


def test_checking_a_translation_file_points_to_its_program(tmp_path: Path) -> None:
    copy_demo(tmp_path, "---\nsummary: Resumen.\n---\nTexto.\n")
    with pytest.raises(ProgramError) as refused:
        load_program(tmp_path / "demo.es.md")
    assert "is a translation of demo.md's page" in str(refused.value)
