"""A program's own language: the language of its emails to people without a profile yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import i18n
from portal.catalog.documents import ContentError
from portal.catalog.programs import load_program
from portal.domain.program import PORTAL_LANGUAGES
from tests.conftest import CONTENT

DEMO = (CONTENT / "programs" / "demo.md").read_text(encoding="utf-8")


def demo_with(folder: Path, line: str) -> Path:
    """The demo program with one more setting line, saved as demo.md in `folder`."""
    path = folder / "demo.md"
    path.write_text(
        DEMO.replace("timezone: Europe/London\n", f"timezone: Europe/London\n{line}\n", 1)
    )
    return path


def test_the_domain_offers_the_languages_the_portal_speaks() -> None:
    assert tuple(i18n.LANGUAGES) == PORTAL_LANGUAGES


def test_a_program_is_in_english_unless_it_says_otherwise(tmp_path: Path) -> None:
    assert load_program(CONTENT / "programs" / "demo.md").language == "en"
    assert load_program(demo_with(tmp_path, "language: es")).language == "es"


@pytest.mark.parametrize("value", ["fr", "es-MX", "ES", '""'])
def test_a_language_the_portal_does_not_speak_is_refused_by_name(
    tmp_path: Path, value: str
) -> None:
    path = demo_with(tmp_path, f"language: {value}")
    with pytest.raises(ContentError) as caught:
        load_program(path)
    message = str(caught.value)
    assert "language" in message
    assert "not a language the portal speaks: one of en, es" in message
