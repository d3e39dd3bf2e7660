"""`portal program check`: program files checked with the start's own loader and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portal.catalog.documents import ContentError
from portal.catalog.programs import ProgramCatalog
from portal.catalog.tracks import TrackCatalog
from portal.cli import main
from tests.conftest import CONTENT

PROGRAMS = CONTENT / "programs"
SHIPPED = sorted(PROGRAMS.glob("*.md"))
DEMO = (PROGRAMS / "demo.md").read_text(encoding="utf-8")


def check(*arguments: str | Path) -> Result:
    """`portal program check` run with these arguments against the project's content folder."""
    args = ["program", "check", *(str(a) for a in arguments), "--content", str(CONTENT)]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def demo_with(folder: Path, old: str, new: str) -> Path:
    """The demo program with one edit, saved as demo.md in its own folder."""
    assert old in DEMO, f"the demo program no longer contains {old!r}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo.md"
    path.write_text(DEMO.replace(old, new, 1), encoding="utf-8")
    return path


def start(folder: Path) -> None:
    """What the start does with a programs folder (portal.container.build_services)."""
    programs = ProgramCatalog.from_folder(folder)
    TrackCatalog.from_folder(CONTENT / "tracks").check_programs(programs, folder)


def start_refusal(folder: Path) -> str:
    """What the start says about the programs in this folder."""
    with pytest.raises(ContentError) as caught:
        start(folder)
    return str(caught.value)


def test_the_shipped_programs_are_the_ones_expected() -> None:
    # demo.es.md is the demo program's page in Spanish, read with demo.md.
    assert [path.stem for path in SHIPPED] == ["demo.es", "demo", "leaders-group", "peer-circles"]


def test_the_documented_check_of_every_shipped_file_passes() -> None:
    # README: `portal program check content/programs/*.md` before a deploy; the shell's
    # glob names the page translations too.
    result = check(*SHIPPED)
    assert result.exit_code == 0, result.output
    assert f"{PROGRAMS / 'demo.es.md'}: OK (a translation of demo.md's page)" in result.output
    assert result.output.splitlines()[-1] == "4 of 4 files are valid."


def test_a_translation_is_checked_with_its_program(tmp_path: Path) -> None:
    orphan = tmp_path / "nothing.es.md"
    orphan.write_text("---\nsummary: Hola\n---\n\nTexto.\n", encoding="utf-8")
    result = check(orphan)
    assert result.exit_code == 1
    assert result.output == (
        f"{orphan}: translates nothing.md, which is not a program file beside it\n"
    )
    demo_with(tmp_path, "title:", "title:")
    bad = tmp_path / "demo.es.md"
    bad.write_text("---\ntitle: Demo\n---\n\nTexto.\n", encoding="utf-8")
    result = check(bad)
    assert result.exit_code == 1
    assert f"{bad}: title: a translation sets only its summary and its text" in result.output


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_each_shipped_program_passes(path: Path) -> None:
    result = check(path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{path}: OK (")


def test_the_summary_names_format_approval_and_questions() -> None:
    result = check(PROGRAMS / "demo.md", PROGRAMS / "leaders-group.md")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{PROGRAMS / 'demo.md'}: OK (one-on-one, approval auto, 2 questions)",
        f"{PROGRAMS / 'leaders-group.md'}: OK (group, approval mentee-choice, 1 question)",
        "2 of 2 files are valid.",
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("skills: high", "skills: hihg", id="mistyped-weight"),
        pytest.param("retention_days: 365", "retension_days: 365", id="mistyped-key"),
        pytest.param('"cron(0 9 ? * MON *)"', '"cron(0 9 * MON)"', id="bad-cron"),
        pytest.param("track: first-12-weeks", "track: first-twelve-weeks", id="unknown-track"),
        pytest.param("slug: demo", "slug: demo-2", id="slug-not-the-file-name"),
        pytest.param("capacity: 1", "capacity: [1", id="yaml-that-does-not-parse"),
    ],
)
def test_a_bad_program_gets_the_message_the_start_gives(tmp_path: Path, old: str, new: str) -> None:
    path = demo_with(tmp_path, old, new)
    expected = start_refusal(tmp_path)
    result = check(path)
    assert result.exit_code == 1
    assert result.output == expected + "\n"


def test_one_bad_file_among_good_ones_exits_1_and_says_which(tmp_path: Path) -> None:
    bad = demo_with(tmp_path, "skills: high", "skills: hihg")
    result = check(PROGRAMS / "peer-circles.md", bad)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{PROGRAMS / 'peer-circles.md'}: OK (peer,")
    assert lines[1] == f"{bad}: matching.weights.skills: " + (
        "Input should be 'must', 'high', 'medium', 'low' or 'off'"
    )
    assert lines[-1] == "1 of 2 files are valid."


def test_two_files_with_one_slug_are_reported(tmp_path: Path) -> None:
    copy = demo_with(tmp_path / "next-cohort", "title:", "title:")
    result = check(PROGRAMS / "demo.md", copy)
    assert result.exit_code == 1
    assert f"{copy}: slug: 'demo' is also the slug of {PROGRAMS / 'demo.md'}" in result.output


def test_the_same_file_named_twice_is_checked_once() -> None:
    result = check(PROGRAMS / "demo.md", PROGRAMS / "demo.md")
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK (") == 1


def bad_file(tmp_path: Path, case: str) -> Path:
    """A file that cannot be a program, in one of the ways a person can get it wrong."""
    if case == "missing":
        return tmp_path / "missing.md"
    if case == "folder":
        folder = tmp_path / "folder.md"
        folder.mkdir()
        return folder
    path = tmp_path / ("notes.txt" if case == "not-md" else f"{case}.md")
    contents = {
        "not-md": DEMO.encode("utf-8"),
        "not-utf8": DEMO.replace("Demo", "D\u00e9mo").encode("latin-1"),
        "empty": b"",
        "bad-yaml": b"---\ntitle: [Demo\nslug: bad-yaml\n---\nText\n",
        "no-closing-line": b"---\ntitle: Demo\nslug: no-closing-line\n",
        "a-list": b"---\n- title\n- slug\n---\nText\n",
    }[case]
    path.write_bytes(contents)
    return path


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("missing", "no such file"),
        ("folder", "is a folder, not a program file"),
        ("not-md", "is not a program file (program files end in .md)"),
        ("not-utf8", "is not UTF-8 text"),
        ("empty", "is empty; it must start with front matter between two '---' lines"),
        (
            "bad-yaml",
            "the front matter is not valid YAML (line 3): did not find expected ',' or ']'",
        ),
        ("no-closing-line", "the front matter has no closing '---' line"),
        ("a-list", "the front matter must be settings written as 'key: value' lines, not a list"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_line_naming_it(
    tmp_path: Path, case: str, problem: str
) -> None:
    path = bad_file(tmp_path, case)
    result = check(path)
    assert result.exit_code == 1
    assert result.output == f"{path}: {problem}\n"


@pytest.mark.parametrize("case", ["empty", "no-closing-line", "a-list"])
def test_the_start_refuses_those_files_with_the_same_line(tmp_path: Path, case: str) -> None:
    path = bad_file(tmp_path, case)
    assert check(path).output == start_refusal(tmp_path) + "\n"


def test_a_missing_agreement_is_a_warning_as_the_start_runs_without_it(tmp_path: Path) -> None:
    path = demo_with(tmp_path, "agreement: standard", "agreement: standrad")
    result = check(path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        f"{path}: warning: agreement: 'standrad' is not an agreement in "
        f"{CONTENT / 'agreements'} (known: standard); "
        "the portal starts, but pairs are shown no agreement"
    )


def test_no_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["program", "check"])
    assert result.exit_code == 2
    assert "Missing argument 'FILES...'" in result.output


def test_it_needs_no_database_and_defaults_to_the_project_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stage with no tables anywhere: the check reads files only.
    monkeypatch.setenv("PORTAL_STAGE", "aws")
    monkeypatch.setenv("PORTAL_DYNAMODB_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("PORTAL_CONTENT_DIR", raising=False)
    result = CliRunner().invoke(main, ["program", "check", str(PROGRAMS / "demo.md")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{PROGRAMS / 'demo.md'}: OK (")
