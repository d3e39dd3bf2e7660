"""`portal match` on populations kept in files outside the project gives exactly the optimum.

The program and its people are written to a temporary folder, as an organizer would keep
them; the command's JSON is compared with an independent exact solve on the same files
(`bench/optimal_check.py`: an LP on every compatible pair, or rustworkx for peers), and
`bench/optimal_check.py` itself is run on them as anyone checking a population would.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bench import optimal_check
from bench.optimal_check import Outcome, main, optimum, tenths
from bench.population import NOW
from portal.catalog.programs import load_program
from portal.cli import main as portal
from portal.domain.imports import as_rows, header_for, parse_participants
from portal.domain.matching import MatchResult, match
from portal.domain.program import Program
from tests.populations import tie_population, tie_program_data

AT = NOW.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(autouse=True)
def _test_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_STAGE", "test")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PORTAL_CONTENT_DIR", raising=False)


def write_files(
    folder: Path, settings: dict[str, Any], size: int, seed: int, kind: str
) -> tuple[Path, Path]:
    """A program file and a file of people (CSV or JSON) in `folder`."""
    program_file = folder / f"{settings['slug']}.md"
    program_file.write_text(
        f"---\n{yaml.safe_dump(settings, sort_keys=False)}---\nA network's mentoring.\n",
        encoding="utf-8",
    )
    program = load_program(program_file)
    rows = as_rows(tie_population(program, size, seed=seed), program)
    people_file = folder / f"people.{kind}"
    if kind == "json":
        people_file.write_text(json.dumps(rows), encoding="utf-8")
    else:
        with people_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header_for(program))
            writer.writeheader()
            writer.writerows(rows)
    return program_file, people_file


CASES = {
    # Tie-heavy ERG-style populations where the engine's own candidate cut bites today.
    "ties-one-on-one-csv": (tie_program_data(), 600, 1, "csv"),
    "ties-one-on-one-score-json": (tie_program_data(objective="score"), 600, 2, "json"),
    "ties-seniority-band-csv": (
        tie_program_data(seniority_gap={"min": 1, "max": 2}),
        400,
        3,
        "csv",
    ),
    "ties-peer-json": (tie_program_data("peer"), 400, 1, "json"),
    # Mentors with several places and reverse mentoring: exact today, and must stay so.
    "ties-group-of-3-csv": (tie_program_data("group", capacity=3), 400, 1, "csv"),
    "ties-reverse-score-csv": (tie_program_data("reverse", objective="score"), 400, 1, "csv"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_portal_match_gives_the_exact_optimum(tmp_path: Path, case: str) -> None:
    settings, size, seed, kind = CASES[case]
    program_file, people_file = write_files(tmp_path, settings, size, seed, kind)
    ran = CliRunner().invoke(
        portal,
        ["match", str(people_file), "--program", str(program_file), "--format=json", f"--at={AT}"],
    )
    assert ran.exit_code == 0, ran.output
    data = json.loads(ran.stdout)
    ours = Outcome(
        pairs=len(data["pairs"]), total=sum(tenths(pair["score"]) for pair in data["pairs"])
    )
    # The same files, read as the command reads them, solved independently.
    program = load_program(program_file)
    people = parse_participants(people_file.read_text(encoding="utf-8"), program, kind=kind)
    best = optimum(program, people, now=NOW)
    assert best.pairs > 0
    assert data["summary"]["pairs"] == ours.pairs
    # Everyone the rules allow is matched (participation), and no point is left on the table.
    assert (ours.pairs, ours.total) == (best.pairs, best.total), f"engine {ours}, optimum {best}"
    assert tenths(data["summary"]["total_score"]) == best.total
    # And the command says it proved it.
    assert data["summary"]["certified"] is True
    # Peers this few are solved on every pair (no pricing); others priced at least once.
    passes = data["summary"]["pricing_passes"]
    assert passes == 0 if program.format.value == "peer" else passes >= 1


def test_the_check_script_says_whether_the_engine_is_optimal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program_file, people_file = write_files(
        tmp_path, tie_program_data("group", capacity=3), 400, 1, "csv"
    )
    args = ["--people", str(people_file), "--program", str(program_file), "--at", AT]
    assert main(args) == 0
    said = capsys.readouterr().out
    assert "engine:   212 pairs, total 19940.0" in said
    assert "optimum:  212 pairs, total 19940.0" in said
    assert "agree" in said


def test_the_check_script_exits_1_when_the_engine_falls_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    program_file, people_file = write_files(tmp_path, tie_program_data(), 200, 1, "csv")

    def short_match(*args: Any, **kwargs: Any) -> MatchResult:
        # An engine that leaves its weakest pair out.
        result = match(*args, **kwargs)
        return replace(result, pairs=tuple(sorted(result.pairs, key=lambda p: -p.score)[:-1]))

    monkeypatch.setattr(optimal_check, "match", short_match)
    code = main(["--people", str(people_file), "--program", str(program_file), "--at", AT])
    said = capsys.readouterr().out
    assert code == 1
    assert "DISAGREE: the engine is 1 pair(s) and" in said


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--people", "missing.csv", "--program", "PROGRAM"],
            "--people: missing.csv: no such file",
        ),
        (["--people", "PEOPLE", "--program", "nowhere.md"], "--program: nowhere.md: no such"),
        (["--people", "PEOPLE", "--program", "PROGRAM", "--at", "March"], "--at: 'March' is not"),
        (
            ["--people", "PEOPLE", "--program", "PROGRAM", "--candidates", "0"],
            "--candidates: 0 must be 1 or more",
        ),
        (["--people", "BROKEN", "--program", "PROGRAM"], "1 problem(s)"),
    ],
)
def test_the_check_script_names_what_is_wrong(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    program_file, people_file = write_files(tmp_path, tie_program_data(), 20, 1, "csv")
    broken = tmp_path / "broken.csv"
    broken.write_text(
        people_file.read_text(encoding="utf-8").replace("@example.org", "-at-example", 1),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    swap = {"PROGRAM": str(program_file), "PEOPLE": str(people_file), "BROKEN": str(broken)}
    assert main([swap.get(a, a) for a in args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("objective", ["participation", "score"])
def test_the_check_counts_the_waiting_bonus_as_the_engine_does(objective: str) -> None:
    # With priority for people who waited, the best matching may give up score for it: the
    # check's optimum weighs the same bonuses, and agrees with the engine.
    data = tie_program_data(objective=objective)
    data["matching"]["waiting_bonus"] = {"points": 20, "cap": 30}
    program = Program.model_validate(data)
    people = [
        replace(person, rounds_waited=k % 3)
        for k, person in enumerate(tie_population(program, 60, seed=4))
    ]
    ours, best = optimal_check.check(program, people, now=NOW)
    assert best.bonus > 0
    assert ours.key() == best.key()


def test_the_check_script_refuses_a_balanced_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tie_program_data()
    data["matching"]["fairness"] = "balanced"
    program_file, people_file = write_files(tmp_path, data, 20, 1, "csv")
    assert main(["--people", str(people_file), "--program", str(program_file)]) == 2
    assert "fairness: balanced" in capsys.readouterr().err
