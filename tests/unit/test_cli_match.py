"""`portal match`: a dry run from a CSV or JSON file, as JSON or a table, with a scores file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from portal.catalog.programs import load_program
from portal.cli import main
from portal.domain.imports import as_rows, header_for
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.presenters.reasons import strengths, unmatched_text
from tests.conftest import CONTENT
from tests.factories import mentee, mentor, peer

DEMO = load_program(CONTENT / "programs" / "demo.md")
PEERS = load_program(CONTENT / "programs" / "peer-circles.md")

DEMO_PEOPLE = (
    mentor(
        "Ana",
        skills=["python", "sql"],
        languages=["English", "Spanish"],
        department="Data",
        availability=["mon-evening", "wed-evening"],
        seniority="senior",
        answers={"industry": "Tech", "meeting_style": ["Video call"]},
    ),
    mentor(
        "Bruno",
        skills=["leadership", "negotiation"],
        languages=["English", "Portuguese"],
        timezone="Europe/Lisbon",
        department="Sales",
        capacity=2,
        seniority="lead",
        answers={"industry": "Finance"},
    ),
    mentor("Hans", skills=["cloud"], languages=["German"], timezone="Europe/Berlin"),
    mentee(
        "Cleo",
        goals=["python", "data analysis"],
        department="Sales",
        availability=["mon-evening"],
        seniority="early",
        answers={"industry": "Tech", "meeting_style": ["Video call", "Chat"]},
    ),
    mentee("Dan", goals=["leadership"], languages=["Spanish", "English"], timezone="Europe/Madrid"),
    mentee("Eva", goals=["sql"], languages=["Portuguese"], timezone="America/Sao_Paulo"),
    mentee("Farah", goals=["python"], languages=["Hindi"], timezone="Asia/Kolkata"),
)
# The demo program requires an answer to its industry question.
DEMO_PEOPLE = tuple(replace(p, answers={"industry": "Tech", **p.answers}) for p in DEMO_PEOPLE)
PEER_PEOPLE = tuple(
    peer(
        name,
        timezone=zone,
        skills=skills,
        goals=goals,
        languages=languages,
        answers={"return_stage": "Applying and interviewing"},
    )
    for name, zone, skills, goals, languages in [
        ("Ana", "America/New_York", ["interviews"], ["networking"], ["English"]),
        ("Ben", "America/Chicago", ["networking"], ["interviews"], ["English", "Spanish"]),
        ("Cy", "America/New_York", ["returnships"], ["updating skills"], ["English"]),
        ("Dee", "America/Toronto", ["updating skills"], ["returnships"], ["English"]),
        ("Eli", "America/Bogota", ["changing careers"], ["networking"], ["Spanish"]),
    ]
)


@pytest.fixture(autouse=True)
def _test_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_STAGE", "test")
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PORTAL_CONTENT_DIR", raising=False)


def write_csv(path: Path, people: Iterable[Participant], program: Program) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header_for(program))
        writer.writeheader()
        writer.writerows(as_rows(people, program))
    return path


def portal_match(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["match", *map(str, args)])


def read_scores(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def demo_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "people.csv", DEMO_PEOPLE, DEMO)


# -- JSON -------------------------------------------------------------------------------------


def test_json_output_has_the_documented_shape(demo_csv: Path) -> None:
    result = portal_match(demo_csv, "--program", "demo", "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert set(data) == {"pairs", "unmatched", "summary"}
    mentors = {p.email for p in DEMO_PEOPLE if p.role.value == "mentor"}
    mentees = {p.email for p in DEMO_PEOPLE if p.role.value == "mentee"}
    # Ana and Cleo share a time zone and a goal; Dan speaks English with Bruno; Eva's only
    # mentor who passes the rules is Bruno; Farah and Hans share a language with nobody.
    assert [(pair["mentor"], pair["mentee"]) for pair in data["pairs"]] == [
        ("ana@example.org", "cleo@example.org"),
        ("bruno@example.org", "dan@example.org"),
    ]
    for pair in data["pairs"]:
        assert set(pair) == {"mentor", "mentee", "score", "reasons"}
        assert pair["mentor"] in mentors
        assert pair["mentee"] in mentees
        assert 0 <= pair["score"] <= 100
        assert pair["reasons"]
        # Reasons are data: a code and its parameters, never a sentence.
        assert all(isinstance(reason["code"], str) for reason in pair["reasons"])
    for left in data["unmatched"]:
        assert set(left) == {"email", "role", "reason"}
        assert left["role"] in ("mentor", "mentee")
        assert left["reason"]["code"]
    placed = {e for pair in data["pairs"] for e in (pair["mentor"], pair["mentee"])}
    assert placed | {u["email"] for u in data["unmatched"]} == mentors | mentees
    summary = data["summary"]
    for key in ("matched_pct", "mean_score", "min_score", "p10_score", "top5_pct"):
        assert isinstance(summary[key], int | float), key
    # The two allowed pairs left out would each cost one of them: Dan scores higher with
    # Bruno than with Ana, and Bruno higher with Dan than with Eva.
    assert summary["blocking_pairs"] == 0
    assert summary["format"] == "one-on-one"
    assert summary["objective"] == "participation"
    assert summary["participants"] == len(DEMO_PEOPLE)
    assert isinstance(summary["hints"], list)


def test_the_unmatched_are_told_why_in_json(demo_csv: Path) -> None:
    data = json.loads(portal_match(demo_csv, "--program", "demo", "--format", "json").stdout)
    reasons = {u["email"]: u["reason"] for u in data["unmatched"]}
    assert reasons["farah@example.org"] == {
        "code": "no_one_speaks",
        "other": "mentor",
        "languages": ["Hindi"],
    }
    assert reasons["hans@example.org"] == {
        "code": "no_one_speaks",
        "other": "mentee",
        "languages": ["German"],
    }
    assert any(
        hint["code"] == "recruit_mentors" and hint["language"] == "Hindi"
        for hint in data["summary"]["hints"]
    )


def test_the_table_says_the_reasons_in_words(demo_csv: Path) -> None:
    data = json.loads(portal_match(demo_csv, "--program", "demo", "--format", "json").stdout)
    table = portal_match(demo_csv, "--program", "demo").stdout
    assert "hans@example.org (mentor): no mentee speaks German" in table
    assert "one mentee who speaks Hindi" in table  # the recruiting hint, in words
    assert "{" not in table  # no reason as data
    first = data["pairs"][0]
    assert strengths(first["reasons"])[0] in table


def test_two_runs_print_the_same(demo_csv: Path) -> None:
    first = portal_match(demo_csv, "--program", "demo", "--format", "json")
    second = portal_match(demo_csv, "--program", "demo", "--format", "json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_a_json_input_file_is_read_as_json(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [dict(row) for row in as_rows(DEMO_PEOPLE, DEMO)]
    for row in rows:
        row["languages"] = row["languages"].split(";")
        row["capacity"] = int(row["capacity"])
    source = tmp_path / "people.json"
    source.write_text(json.dumps(rows), encoding="utf-8")
    from_json = portal_match(source, "--program", "demo", "--format", "json")
    from_csv = portal_match(
        write_csv(tmp_path / "people.csv", DEMO_PEOPLE, DEMO),
        "--program",
        "demo",
        "--format",
        "json",
    )
    assert from_json.exit_code == 0, from_json.output
    assert from_json.stdout == from_csv.stdout


def test_the_table_names_the_program_and_the_pairs(demo_csv: Path) -> None:
    result = portal_match(demo_csv, "--program", "demo")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{DEMO.title}: ")
    assert "Mentor" in result.stdout
    assert "farah@example.org (mentee): no mentor speaks Hindi" in result.stdout
    assert "Proved optimal: every compatible pair checked (1 solve-and-price pass)" in (
        result.stdout
    )


# -- scores -----------------------------------------------------------------------------------


def test_the_scores_file_has_every_mentor_mentee_pair(demo_csv: Path, tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    result = portal_match(demo_csv, "--program", "demo", "--format", "json", "--scores", scores)
    assert result.exit_code == 0, result.output
    rows = read_scores(scores)
    mentors = [p.email for p in DEMO_PEOPLE if p.role.value == "mentor"]
    mentees = [p.email for p in DEMO_PEOPLE if p.role.value == "mentee"]
    assert list(rows[0]) == ["mentor", "mentee", "score", "veto", "why_not"]
    assert len(rows) == len(mentors) * len(mentees)
    assert {(r["mentor"], r["mentee"]) for r in rows} == {(a, b) for a in mentors for b in mentees}
    for row in rows:
        assert bool(row["score"]) != bool(row["veto"]), row
        assert bool(row["veto"]) == bool(row["why_not"]), row
        if row["score"]:
            assert 0 <= float(row["score"]) <= 100
    by_pair = {(r["mentor"], r["mentee"]): r for r in rows}
    assert by_pair[("hans@example.org", "cleo@example.org")]["veto"] == "no_shared_language"
    assert by_pair[("hans@example.org", "cleo@example.org")]["why_not"] == "no shared language"
    # Every printed pair is allowed in the scores file, with the same score.
    for pair in json.loads(result.stdout)["pairs"]:
        assert float(by_pair[(pair["mentor"], pair["mentee"])]["score"]) == pair["score"]


def test_the_scores_file_for_peers_has_each_pair_once(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "peers.csv", PEER_PEOPLE, PEERS)
    scores = tmp_path / "scores.csv"
    result = portal_match(source, "--program", "peer-circles", "--scores", scores)
    assert result.exit_code == 0, result.output
    rows = read_scores(scores)
    n = len(PEER_PEOPLE)
    assert list(rows[0]) == ["peer_a", "peer_b", "score", "veto", "why_not"]
    assert len(rows) == n * (n - 1) // 2
    assert len({frozenset((r["peer_a"], r["peer_b"])) for r in rows}) == len(rows)
    assert all(r["peer_a"] != r["peer_b"] for r in rows)
    assert all(bool(r["score"]) != bool(r["veto"]) for r in rows)


# -- programs ---------------------------------------------------------------------------------


def test_a_peer_program_prints_peers(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "peers.csv", PEER_PEOPLE, PEERS)
    result = portal_match(source, "--program", "peer-circles", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["pairs"]) == 2  # five peers: two pairs, and one left over
    emails = {p.email for p in PEER_PEOPLE}
    seen: list[str] = []
    for pair in data["pairs"]:
        assert set(pair) == {"peers", "score", "reasons"}
        a, b = pair["peers"]
        assert a != b
        assert {a, b} <= emails
        seen += [a, b]
    assert len(seen) == len(set(seen))
    assert all(u["role"] == "peer" for u in data["unmatched"])
    assert data["summary"]["format"] == "peer"


PROGRAM_FILE = """\
---
title: Book club mentoring
slug: club
format: group
organizers: [club@example.org]
capacity: 3
topics: [python, sql, leadership]
languages: [English]
matching:
  objective: score
  weights:
    languages: must
    skills: high
---
A program kept outside the content folder.
"""


def test_the_program_may_be_a_file(tmp_path: Path) -> None:
    program_file = tmp_path / "club.md"
    program_file.write_text(PROGRAM_FILE, encoding="utf-8")
    club = load_program(program_file)
    people = [
        mentor("Ana", skills=["python", "sql"], capacity=3),
        *(mentee(name, goals=["python"]) for name in ("Ben", "Cy", "Dee", "Eve")),
    ]
    source = write_csv(tmp_path / "club.csv", people, club)
    result = portal_match(source, "--program", program_file, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["format"] == "group"
    assert data["summary"]["objective"] == "score"
    assert [p["mentor"] for p in data["pairs"]] == ["ana@example.org"] * 3
    [left] = data["unmatched"]
    assert left["reason"]["code"] == "compatible_full"
    assert left["reason"]["count"] == 1
    assert unmatched_text(left["reason"]).startswith("the only mentor who passes the rules is full")


SWAP_FILE = """\
---
title: Swap mentoring
slug: swap
format: one-on-one
organizers: [swap@example.org]
capacity: 1
topics: [python, sql, leadership]
languages: [English, Spanish]
matching:
  objective: participation
  weights:
    languages: must
    skills: high
    timezone: "off"
    availability: "off"
    seniority: "off"
  min_score: 0
---
Everyone placed, at a price.
"""


def test_a_pair_who_would_both_rather_be_together_is_a_blocking_pair(tmp_path: Path) -> None:
    program_file = tmp_path / "swap.md"
    program_file.write_text(SWAP_FILE, encoding="utf-8")
    people = [
        mentor("Ana", skills=["python", "sql"], languages=["English", "Spanish"]),
        mentor("Ben", skills=["sql"]),
        mentee("Cy", goals=["python", "sql"]),
        mentee("Dee", goals=["leadership"], languages=["Spanish"]),
    ]
    source = write_csv(tmp_path / "swap.csv", people, load_program(program_file))
    result = portal_match(source, "--program", program_file, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Dee speaks only Spanish, so only Ana can take her: to place everyone, Cy goes to Ben
    # (50 points), though Ana and Cy would score 100 together and Ana scores 0 with Dee.
    assert [(p["mentor"], p["mentee"], p["score"]) for p in data["pairs"]] == [
        ("ana@example.org", "dee@example.org", 0.0),
        ("ben@example.org", "cy@example.org", 50.0),
    ]
    summary = data["summary"]
    # Ana and Cy would both gain 50 points or more by leaving for each other.
    assert (
        summary["blocking_pairs"],
        summary["blocking_pairs_10"],
        summary["blocking_pairs_20"],
    ) == (1, 1, 1)
    assert summary["mentees_blocking_10_pct"] == 50.0  # Cy, one of the two mentees


def test_a_weak_pair_is_not_formed_below_the_default_min_score(tmp_path: Path) -> None:
    # The same people under the default floor (40 points): Ana and Dee would score 0, so
    # Dee waits, told why, and Ana takes Cy (100 points) rather than place everyone.
    program_file = tmp_path / "swap.md"
    program_file.write_text(SWAP_FILE.replace("  min_score: 0\n", ""), encoding="utf-8")
    assert load_program(program_file).matching.min_score == 40
    people = [
        mentor("Ana", skills=["python", "sql"], languages=["English", "Spanish"]),
        mentor("Ben", skills=["sql"]),
        mentee("Cy", goals=["python", "sql"]),
        mentee("Dee", goals=["leadership"], languages=["Spanish"]),
    ]
    source = write_csv(tmp_path / "swap.csv", people, load_program(program_file))
    result = portal_match(source, "--program", program_file, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(p["mentor"], p["mentee"], p["score"]) for p in data["pairs"]] == [
        ("ana@example.org", "cy@example.org", 100.0),
    ]
    waiting = {u["email"]: u["reason"] for u in data["unmatched"]}
    assert waiting["dee@example.org"] == {
        "code": "no_match_good_enough",
        "other": "mentor",
        "count": 1,
        "min_score": 40,
    }


# -- refusals ---------------------------------------------------------------------------------


def test_a_bad_row_is_reported_and_nothing_is_matched(tmp_path: Path) -> None:
    rows = as_rows(DEMO_PEOPLE, DEMO)
    rows[1]["timezone"] = "Europe/Lisbonne"
    source = tmp_path / "people.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header_for(DEMO))
        writer.writeheader()
        writer.writerows(rows)
    scores = tmp_path / "scores.csv"
    result = portal_match(source, "--program", "demo", "--format", "json", "--scores", scores)
    assert result.exit_code != 0
    assert "row 3, column timezone" in result.stderr
    assert "'Europe/Lisbonne'" in result.stderr
    assert result.stdout == ""
    assert not scores.exists()


def test_an_unknown_program_lists_the_known_ones(demo_csv: Path) -> None:
    result = portal_match(demo_csv, "--program", "nope", "--format", "json")
    assert result.exit_code == 2
    assert "no program 'nope'" in result.stderr
    assert "known: demo, leaders-group, peer-circles" in result.stderr
    assert result.stdout == ""


def test_a_missing_program_file_is_refused(demo_csv: Path, tmp_path: Path) -> None:
    result = portal_match(demo_csv, "--program", tmp_path / "missing.md")
    assert result.exit_code == 2
    assert "no such program file" in result.stderr


def test_a_missing_input_file_is_refused(tmp_path: Path) -> None:
    result = portal_match(tmp_path / "nobody.csv", "--program", "demo")
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert result.stdout == ""


def test_the_program_option_is_required(demo_csv: Path) -> None:
    result = portal_match(demo_csv)
    assert result.exit_code == 2
    assert "--program" in result.stderr


def test_a_scores_file_that_cannot_be_written_is_refused_without_a_result(
    demo_csv: Path, tmp_path: Path
) -> None:
    scores = tmp_path / "no-such-folder" / "scores.csv"
    result = portal_match(demo_csv, "--program", "demo", "--format", "json", "--scores", scores)
    assert result.exit_code == 2
    assert "--scores" in result.stderr
    assert "cannot write" in result.stderr
    assert result.stdout == ""
    assert not isinstance(result.exception, OSError)
