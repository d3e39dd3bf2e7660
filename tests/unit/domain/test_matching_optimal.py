"""The engine's matching is exactly optimal, checked against an independent exact solve.

For populations of several shapes (the benchmark's ordinary kind, tie-heavy ERG-style ones,
seniority bands, mentors taking several mentees, reverse mentoring, peers), under both
objectives, the engine must reach the optimum that `bench/optimal_check.py` computes from
EVERY compatible pair: a HiGHS linear program for the bipartite formats (a b-matching LP has
integral optima), rustworkx's maximum-weight matching on the whole graph for peers. Under
`participation` that is the most pairs the rules allow, then the highest total; under
`score` the highest total, then the most pairs among equal totals. Totals are compared in
whole tenths of a point, exactly.

Tie-heavy populations are where cutting each person's candidates to the best K is
arbitrary: several cases here also ask the engine to keep only 5 or 10 candidates, which an
exact engine must still survive (its certificate prices every pair it left out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bench.optimal_check import Outcome, engine_outcome, optimum
from bench.population import NOW, bench_program, population
from portal.domain.matching import match, score_all_pairs
from portal.domain.participants import Participant, Role, Status
from portal.domain.program import Program
from tests.populations import tie_population, tie_program

BAND = {"min": 1, "max": 2}


def with_band(program: Program) -> Program:
    """The same program with the seniority band rule (mentor one or two levels ahead)."""
    data: dict[str, Any] = program.model_dump()
    data["matching"] = {**data["matching"], "seniority_gap": BAND}
    return Program.model_validate(data)


@dataclass(frozen=True)
class Shape:
    """A program and its people for one objective; `candidates` None is the engine's own."""

    build: Callable[[str], tuple[Program, list[Participant]]]
    candidates: int | None = None


def ordinary(fmt: str, size: int, *, capacity: int = 4, band: bool = False) -> Shape:
    def build(objective: str) -> tuple[Program, list[Participant]]:
        program = bench_program(fmt, objective=objective, capacity=capacity)
        if band:
            program = with_band(program)
        return program, population(program, size, seed=11)

    return Shape(build)


def ties(
    fmt: str, size: int, *, seed: int, candidates: int | None = None, **settings: Any
) -> Shape:
    def build(objective: str) -> tuple[Program, list[Participant]]:
        program = tie_program(fmt, objective=objective, **settings)
        return program, tie_population(program, size, seed=seed)

    return Shape(build, candidates)


SHAPES = {
    # The benchmark's kind: many criteria, scores spread out.
    "ordinary-one-on-one": ordinary("one-on-one", 400),
    "ordinary-group-of-3": ordinary("group", 400, capacity=3),
    "ordinary-reverse": ordinary("reverse", 400),
    "ordinary-seniority-band": ordinary("one-on-one", 400, band=True),
    "ordinary-peer": ordinary("peer", 300),
    "ordinary-one-on-one-10-candidates": Shape(ordinary("one-on-one", 400).build, 10),
    # Tie-heavy: two categorical answers, four score levels; seeds where the engine's own
    # cut to 50 candidates (20 for peers) bites.
    "ties-one-on-one": ties("one-on-one", 600, seed=1),
    "ties-seniority-band": ties("one-on-one", 400, seed=3, seniority_gap=BAND),
    "ties-peer": ties("peer", 400, seed=1),
    # Tie-heavy with short candidate lists, where these shapes keep enough candidates
    # at the engine's own cut.
    "ties-group-of-3-5-candidates": ties("group", 400, seed=1, candidates=5, capacity=3),
    "ties-reverse-10-candidates": ties("reverse", 400, seed=1, candidates=10),
    "ties-reverse-band-10-candidates": ties(
        "reverse", 400, seed=1, candidates=10, seniority_gap=BAND
    ),
}


def short_of(ours: Outcome, best: Outcome) -> str:
    return (
        f"engine {ours}, optimum {best}: {best.pairs - ours.pairs} pair(s) and "
        f"{(best.total - ours.total) / 10:.1f} points short"
    )


@pytest.mark.parametrize("objective", ["participation", "score"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_engine_reaches_the_exact_optimum(shape: str, objective: str) -> None:
    program, people = SHAPES[shape].build(objective)
    result = match(program, people, now=NOW, candidates=SHAPES[shape].candidates)
    ours, best = engine_outcome(result), optimum(program, people, now=NOW)
    assert best.pairs > 0, "the shape must leave something to match"
    if objective == "participation":
        # Everyone the rules allow is matched: as many pairs as the largest matching.
        assert ours.pairs == best.pairs, short_of(ours, best)
    assert ours.total == best.total, short_of(ours, best)
    assert ours.pairs == best.pairs, short_of(ours, best)
    # The round says it is exact: a bipartite one proved it by pricing every pair left out,
    # a small peer pool by solving on every pair.
    assert result.proof.certified
    if program.format.value == "peer":
        assert result.proof.passes == 0
    else:
        assert result.proof.passes >= 1


def test_a_cut_that_costs_points_is_repaired_by_pricing_and_says_so() -> None:
    # The tie-heavy population with each mentee's list cut to 5: the first solve falls
    # short; the priced pairs bring it to the optimum in more than one pass.
    program, people = SHAPES["ties-one-on-one"].build("participation")
    first = match(program, people, now=NOW, candidates=5)
    best = optimum(program, people, now=NOW)
    assert engine_outcome(first) == best
    assert first.proof.certified
    assert first.proof.passes >= 2


def person(name: str, role: Role, department: str, profession: str, identity: str) -> Participant:
    return Participant(
        program="ties",
        email=f"{name.lower()}@example.org",
        participant_id=name.lower(),
        role=role,
        name=name,
        timezone="Europe/London",
        languages=("English",),
        department=department,
        seniority="senior" if role is Role.MENTOR else "early",
        answers={"profession": profession, "identity": identity},
        status=Status.CONFIRMED,
    )


@pytest.mark.parametrize("objective", ["participation", "score"])
def test_the_reference_finds_the_optimum_a_greedy_choice_misses(objective: str) -> None:
    """Checked by hand: Ada's best mentor is Bea, the only mentor Cy may have (Cy and Dan
    share a department); the best matching gives Ada Dan, so both mentees are matched."""
    program = tie_program(objective=objective)
    people = [
        person("Bea", Role.MENTOR, "Department 1", "Policy", "Black"),
        person("Dan", Role.MENTOR, "Department 2", "Policy", "Asian"),
        person("Ada", Role.MENTEE, "Department 3", "Policy", "Black"),
        person("Cy", Role.MENTEE, "Department 2", "Policy", "Asian"),
    ]
    score = {
        (p.mentor, p.mentee): round(p.score * 10)
        for p in score_all_pairs(program, people, now=NOW)
        if p.score is not None
    }
    bea, dan = "bea@example.org", "dan@example.org"
    ada, cy = "ada@example.org", "cy@example.org"
    assert set(score) == {(bea, ada), (dan, ada), (bea, cy)}
    # Both mentees matched is worth more than Ada's best pair alone, under either objective.
    assert score[(dan, ada)] + score[(bea, cy)] > score[(bea, ada)]
    best = optimum(program, people, now=NOW)
    assert best == Outcome(pairs=2, total=score[(dan, ada)] + score[(bea, cy)])
    assert engine_outcome(match(program, people, now=NOW)) == best
