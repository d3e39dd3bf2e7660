"""`portal program export` and `portal program import`: stored programs to files and back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from portal.cli import main
from portal.container import Services
from portal.persistence.programs import ProgramStore
from tests.conftest import FakeClock, table_snapshot

ADMIN = "admin@example.org"


def run(*arguments: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in arguments], catch_exceptions=False)


def stored(services: Services, slug: str = "spring-circles") -> None:
    services.program_admin.store.save(
        slug,
        services.program_admin.validate(
            {
                "title": "Spring circles",
                "slug": slug,
                "format": "group",
                "organizers": ["lead@example.org"],
                "topics": ["delegation", "feedback"],
                "capacity": 4,
                "body": "## What this program is\n\nSmall groups.",
            }
        ).model_dump(mode="json"),
        expected=0,
        saved_at=services.clock(),
        saved_by=ADMIN,
        change="created",
    )
    services.programs.refresh()


def test_export_then_import_under_a_new_name_is_a_dry_run_until_applied(
    services: Services, cli_env: None, tmp_path: Path
) -> None:
    stored(services)
    exported = run("program", "export", "spring-circles")
    assert exported.exit_code == 0, exported.output
    assert exported.output.startswith("---\ntitle: Spring circles\nslug: spring-circles\n")
    copy = tmp_path / "autumn-circles.md"
    copy.write_text(exported.output.replace("spring-circles", "autumn-circles"))
    before = table_snapshot()

    dry = run("program", "import", copy)

    assert dry.exit_code == 0, dry.output
    assert f"{copy}: would create autumn-circles as version 1" in dry.output
    assert "1 would be created, 0 would be updated, 0 unchanged (a dry run" in dry.output
    assert table_snapshot() == before

    applied = run("program", "import", copy, "--apply", "--by", ADMIN)

    assert applied.exit_code == 0, applied.output
    assert "1 created, 0 updated, 0 unchanged." in applied.output
    live = ProgramStore().get("autumn-circles")
    assert live is not None
    assert live.version == 1
    assert live.saved_by == ADMIN
    assert live.document["capacity"] == 4
    again = run("program", "import", copy, "--apply")
    assert "0 created, 0 updated, 1 unchanged." in again.output
    assert [v.version for v in ProgramStore().versions("autumn-circles")] == [1]


def test_an_edited_file_becomes_the_next_version_naming_what_changed(
    services: Services, cli_env: None, tmp_path: Path, clock: FakeClock
) -> None:
    stored(services)
    path = tmp_path / "spring-circles.md"
    assert run("program", "export", "spring-circles", "-o", path).exit_code == 0
    path.write_text(path.read_text().replace("capacity: 4", "capacity: 3"))

    dry = run("program", "import", path)
    assert "would update spring-circles to version 2, changing capacity" in dry.output

    clock.advance(minutes=1)
    applied = run("program", "import", path, "--apply")
    assert applied.exit_code == 0, applied.output
    assert [v.version for v in ProgramStore().versions("spring-circles")] == [2, 1]
    old = run("program", "export", "spring-circles", "--version", "1")
    assert "capacity: 4" in old.output


def test_a_bad_file_or_a_files_slug_stores_nothing(
    services: Services, cli_env: None, tmp_path: Path
) -> None:
    stored(services)
    bad = tmp_path / "spring-circles.md"
    assert run("program", "export", "spring-circles", "-o", bad).exit_code == 0
    bad.write_text(bad.read_text().replace("capacity: 4", "capacity: 0"))
    demo = tmp_path / "demo.md"
    assert run("program", "export", "demo", "-o", demo).exit_code == 0
    before = table_snapshot()

    refused = run("program", "import", bad, "--apply")

    assert refused.exit_code == 1
    assert f"{bad}: capacity: Input should be greater than or equal to 1" in refused.output
    assert "1 file(s) have problems: nothing was stored." in refused.output

    clash = run("program", "import", demo, "--apply")

    assert clash.exit_code == 1
    assert "is defined by the file content/programs/demo.md" in clash.output
    assert "Nothing was stored." in clash.output
    assert table_snapshot() == before


def test_export_names_what_is_wrong_with_its_arguments(services: Services, cli_env: None) -> None:
    stored(services)
    unknown = CliRunner().invoke(main, ["program", "export", "nope"])
    assert unknown.exit_code == 2
    assert "no program 'nope' is stored, nor a file" in unknown.output
    assert "(files: demo, leaders-group, peer-circles)" in unknown.output
    version = CliRunner().invoke(main, ["program", "export", "spring-circles", "--version", "9"])
    assert version.exit_code == 2
    assert "'spring-circles' has no version 9 (versions: 1 to 1)" in version.output
    of_file = CliRunner().invoke(main, ["program", "export", "demo", "--version", "1"])
    assert "versions: none: it is a file's program" in of_file.output


def test_export_works_while_the_start_refuses_a_clash(
    services: Services, cli_env: None, clock: FakeClock
) -> None:
    demo = services.programs.get("demo")
    assert demo is not None
    ProgramStore().save(
        "demo",
        demo.model_copy(update={"summary": "Stored in the console"}).model_dump(mode="json"),
        expected=0,
        saved_at=clock(),
        saved_by=ADMIN,
        change="created",
    )
    refused = CliRunner().invoke(main, ["participants", "--program", "demo"])
    assert refused.exit_code == 1
    assert "'demo' is both a file (content/programs/demo.md)" in refused.output

    exported = run("program", "export", "demo")

    assert exported.exit_code == 0, exported.output
    assert "summary: Stored in the console" in exported.output


def test_a_program_with_its_page_in_spanish_exports_as_files_that_load_back(
    services: Services, cli_env: None, tmp_path: Path
) -> None:
    from portal.catalog.programs import load_program

    demo = services.programs.get("demo")
    assert demo is not None
    assert "es" in demo.translations
    path = tmp_path / "demo.md"

    exported = run("program", "export", "demo", "-o", path)

    assert exported.exit_code == 0, exported.output
    assert "translations" not in path.read_text()
    assert (tmp_path / "demo.es.md").read_text().startswith("---\nsummary: ")
    assert load_program(path) == demo
    printed = run("program", "export", "demo")
    assert "translations" not in printed.output
    assert "Not printed: the page in 'es'; -o FILE writes it beside FILE." in printed.output
