"""Agreements: the one a program names is read with its title; a missing one is no agreement."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from portal.catalog.agreements import Agreement, Agreements
from portal.catalog.programs import load_program
from tests.conftest import CONTENT

DEMO = load_program(CONTENT / "programs" / "demo.md")


def test_the_demo_programs_agreement_is_read_with_its_title_and_text() -> None:
    agreement = Agreements(CONTENT / "agreements").of(DEMO)
    assert agreement.title == "Our mentoring agreement"
    assert agreement.text.startswith("This agreement is a simple set of promises")
    assert "title:" not in agreement.text  # the front matter is not part of the text


def test_a_program_naming_no_agreement_has_an_empty_one() -> None:
    program = DEMO.model_copy(update={"agreement": None})
    assert Agreements(CONTENT / "agreements").of(program) == Agreement("", "")


def test_a_program_naming_a_missing_agreement_has_an_empty_one_and_it_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert Agreements(tmp_path).of(DEMO) == Agreement()
    assert "program demo names a missing agreement" in caplog.text
