"""One-on-one, group, reverse and flash rounds: an exact min-cost flow (OR-Tools).

Mentees are rows, mentors columns with their capacity. The flow runs on each mentee's best
candidates; the pairs left out are then priced against the solution's dual potentials
(pricing.py) and the flow solved again until none could raise the total, so the result is
the optimum over every compatible pair, and says so (`Proof`). `balanced` fairness
re-solves on a convex objective within a small budget of the best total, priced the same
way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portal.domain.matches import capacity
from portal.domain.matching.candidates import Candidates, Graph, keep_best
from portal.domain.matching.explain import explain_unmatched
from portal.domain.matching.figures import blocking_pairs, summary_figures
from portal.domain.matching.pricing import (
    MAX_PASSES,
    NOT_ALLOWED,
    Int64Array,
    Values,
    potentials,
    price,
)
from portal.domain.matching.results import MatchedPair, MatchResult, Proof, points
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.domain.scoring import SCALE, Scorer

# `balanced` keeps every pair within this much of the highest floor the pool allows: a
# little room below it lets strong pairs form where the exact floor would break them up.
FLOOR_SLACK = 50
# `balanced` gives up at most this share of the best total score (issue: "for under 0.5% of
# total score"): it tries the cube of the scores first, then blends closer to the plain
# score, and keeps the first within budget (else the plain optimum). For peers, who have no
# floor, a blend must also keep the lowest score within FLOOR_SLACK of the plain optimum's.
BALANCED_BUDGET = 0.005
BALANCED_STEPS = (8, 4, 2, 1, 0)


def capacities(program: Program, mentors: Sequence[Participant]) -> npt.NDArray[np.int64]:
    """How many mentees each mentor may take in this round (a round's pool gives each mentor
    the places they have left as their `capacity`: see domain.matches.matching_pool)."""
    return np.array([capacity(program, p) for p in mentors], dtype=np.int64)


def solve_flow(
    n_rows: int,
    n_cols: int,
    capacity: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    weights: npt.NDArray[np.int64],
    most_matches_first: bool,
) -> npt.NDArray[np.int32]:
    """Assignment row -> column (-1 unmatched) of greatest total weight, exact.

    With `most_matches_first` the number of matches is maximised before the total.
    """
    from ortools.graph.python import min_cost_flow

    assignment = np.full(n_rows, -1, dtype=np.int32)
    if n_rows == 0 or n_cols == 0 or len(rows) == 0:
        return assignment
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, n_rows + n_cols + 1
    row_nodes = np.arange(1, n_rows + 1, dtype=np.int64)
    col_nodes = np.arange(n_rows + 1, n_rows + n_cols + 1, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.zeros(n_rows, dtype=np.int64),
        row_nodes,
        np.ones(n_rows, dtype=np.int64),
        np.zeros(n_rows, dtype=np.int64),
    )
    first_pair_arc = n_rows
    value = weights.astype(np.int64)
    if not most_matches_first:
        # Best total first; among equal totals, more pairs (a 0-point pair still beats none).
        value = value * (n_rows + 1) + 1
    flow.add_arcs_with_capacity_and_unit_cost(
        rows.astype(np.int64) + 1,
        cols.astype(np.int64) + n_rows + 1,
        np.ones(len(rows), dtype=np.int64),
        -value,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        col_nodes, np.full(n_cols, sink, dtype=np.int64), capacity, np.zeros(n_cols, dtype=np.int64)
    )
    if not most_matches_first:
        # Staying unmatched costs nothing, so only matches that add score are made.
        flow.add_arcs_with_capacity_and_unit_cost(
            row_nodes,
            np.full(n_rows, sink, dtype=np.int64),
            np.ones(n_rows, dtype=np.int64),
            np.zeros(n_rows, dtype=np.int64),
        )
    flow.set_node_supply(source, n_rows)
    flow.set_node_supply(sink, -n_rows)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    arcs = np.arange(first_pair_arc, first_pair_arc + len(rows))
    used = flow.flows(arcs) > 0
    assignment[rows[used]] = cols[used]
    return assignment


# Pairs within this many tenths of a point of improving the total are added along with those
# that would: they are the likeliest to matter after the next solve, so fewer passes are needed.
SLACK = 5


@dataclass(frozen=True)
class Objective:
    """What a pair is worth: to the solver (`weight`) and in the linear program the
    certificate is about (`value`, which puts more pairs first under `participation`)."""

    weight: Values
    value: Values
    unit: int  # what one tenth of a point is worth in `value`


def objectives(program: Program, scorer: Scorer) -> Objective:
    """The round's plain objective: the score plus any waiting bonus of the mentee."""
    return _objective(program, scorer, lambda scores: scores.astype(np.int64), scale=1)


def balanced_objective(program: Program, scorer: Scorer, floor: int, convexity: int) -> Objective:
    """`balanced` fairness: the convex blend of the score, for pairs at or above `floor`."""

    def blend(scores: npt.NDArray[np.int32]) -> Int64Array:
        return np.where(scores >= floor, balanced_weights(scores, convexity), NOT_ALLOWED)

    # On the blend's scale, a score of w is worth w * 1000.
    return _objective(program, scorer, blend, scale=1000)


def _objective(
    program: Program,
    scorer: Scorer,
    worth: Callable[[npt.NDArray[np.int32]], Int64Array],
    scale: int,
) -> Objective:
    """An objective from what a pair's score is worth (`worth`, NOT_ALLOWED for a pair that
    may not be formed, at most SCALE * `scale`), the mentee's waiting bonus on that scale
    added; under `participation` one more pair outweighs any total."""
    n_rows = len(scorer.rows)
    bonus = scorer.row_bonus.astype(np.int64) * scale
    most_first = program.matching.objective == "participation"
    # More than any total the scores and bonuses can reach: one more pair always wins.
    big = (SCALE * scale + int(bonus.max(initial=0))) * (n_rows + 1) + 1

    def weight(scores: npt.NDArray[np.int32], rows: npt.NDArray[np.intp]) -> Int64Array:
        base = worth(scores)
        return np.where(base == NOT_ALLOWED, NOT_ALLOWED, base + bonus[rows])

    def value(scores: npt.NDArray[np.int32], rows: npt.NDArray[np.intp]) -> Int64Array:
        solver = weight(scores, rows)
        lifted = solver + big if most_first else solver * (n_rows + 1) + 1
        return np.where(solver == NOT_ALLOWED, NOT_ALLOWED, lifted)

    return Objective(weight=weight, value=value, unit=1 if most_first else n_rows + 1)


@dataclass
class Solved:
    """An assignment, the graph it was solved on, and how it was proved exact."""

    assignment: npt.NDArray[np.int32]
    rows: npt.NDArray[np.int32]
    cols: npt.NDArray[np.int32]
    scores: npt.NDArray[np.int32]
    passes: int
    certified: bool


def solve_exact(
    program: Program,
    scorer: Scorer,
    capacity: npt.NDArray[np.int64],
    candidates: Candidates,
    graph: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]],
    objective: Objective,
    keep: int,
) -> Solved:
    """Solve on the candidate graph, then price every pair left out and solve again until
    none could raise the total: the result is the optimum over every compatible pair."""
    n_rows, n_cols = len(scorer.rows), len(scorer.cols)
    most_first = program.matching.objective == "participation"
    rows, cols, scores = graph
    passes = 0
    while True:
        ids = rows.astype(np.intp)
        weights = objective.weight(scores, ids)
        usable = weights != NOT_ALLOWED
        assignment = solve_flow(
            n_rows, n_cols, capacity, rows[usable], cols[usable], weights[usable], most_first
        )
        passes += 1
        duals = potentials(
            n_cols,
            capacity,
            assignment,
            rows[usable],
            cols[usable],
            objective.value(scores[usable], ids[usable]),
        )
        priced = price(
            scorer, duals, objective.value, candidates.bound, keep, SLACK * objective.unit
        )
        if not priced.improving or passes >= MAX_PASSES:
            return Solved(assignment, rows, cols, scores, passes, certified=not priced.improving)
        merged = Graph()
        merged.add(rows, cols, scores)
        merged.add(priced.rows, priced.cols, priced.scores)
        rows, cols, scores = merged.arrays()


def match_bipartite(program: Program, scorer: Scorer, keep: int) -> MatchResult:
    """The best assignment of mentees (rows) to mentors (columns) under the program's rules."""
    mentors, mentees = scorer.cols.people, scorer.rows.people
    capacity = capacities(program, mentors)
    candidates = keep_best(scorer, keep)
    most_first = program.matching.objective == "participation"
    plain = objectives(program, scorer)
    solved = solve_exact(
        program, scorer, capacity, candidates, candidates.graph.arrays(), plain, keep
    )
    assignment, passes, certified = solved.assignment, solved.passes, solved.certified
    if program.matching.fairness == "balanced":
        rows, cols, weights = solved.rows, solved.cols, solved.scores
        floor = 0
        if most_first:
            floor = _highest_floor(
                len(mentees),
                len(mentors),
                capacity,
                rows,
                cols,
                weights,
                int((assignment >= 0).sum()),
            )
        best = _assignment_total(assignment, rows, cols, weights)
        for convexity in BALANCED_STEPS:
            blend = balanced_objective(program, scorer, floor - FLOOR_SLACK, convexity)
            fairer = solve_exact(
                program, scorer, capacity, candidates, (rows, cols, weights), blend, keep
            )
            passes += fairer.passes
            if _assignment_total(fairer.assignment, fairer.rows, fairer.cols, fairer.scores) >= (
                best * (1 - BALANCED_BUDGET)
            ):
                assignment, certified = fairer.assignment, fairer.certified
                break
    return _bipartite_result(
        program, scorer, assignment, capacity, candidates, Proof(certified, passes)
    )


def _assignment_total(
    assignment: npt.NDArray[np.int32],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    weights: npt.NDArray[np.int32],
) -> int:
    """The total score (tenths) of an assignment row -> column over the graph's edges."""
    chosen = assignment[rows] == cols
    return int(weights[chosen].astype(np.int64).sum())


def _max_matches(
    n_rows: int,
    n_cols: int,
    capacity: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
) -> int:
    """How many pairs the edges allow at most (a max flow)."""
    from ortools.graph.python import max_flow

    if len(rows) == 0:
        return 0
    flow = max_flow.SimpleMaxFlow()
    source, sink = 0, n_rows + n_cols + 1
    flow.add_arcs_with_capacity(
        np.zeros(n_rows, dtype=np.int64),
        np.arange(1, n_rows + 1, dtype=np.int64),
        np.ones(n_rows, dtype=np.int64),
    )
    flow.add_arcs_with_capacity(
        rows.astype(np.int64) + 1,
        cols.astype(np.int64) + n_rows + 1,
        np.ones(len(rows), dtype=np.int64),
    )
    flow.add_arcs_with_capacity(
        np.arange(n_rows + 1, n_rows + n_cols + 1, dtype=np.int64),
        np.full(n_cols, sink, dtype=np.int64),
        capacity,
    )
    if flow.solve(source, sink) != flow.OPTIMAL:
        raise RuntimeError("max flow failed")
    return int(flow.optimal_flow())


def _highest_floor(
    n_rows: int,
    n_cols: int,
    capacity: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    weights: npt.NDArray[np.int32],
    pairs: int,
) -> int:
    """The highest score such that pairs scoring at least that still match `pairs` people.

    Raising the floor lifts the worst-off pair as far as it can go without matching fewer.
    """
    levels = np.unique(weights)
    low, high = 0, len(levels) - 1  # levels[low] is always feasible
    while low < high:
        middle = (low + high + 1) // 2
        kept = weights >= levels[middle]
        if _max_matches(n_rows, n_cols, capacity, rows[kept], cols[kept]) >= pairs:
            low = middle
        else:
            high = middle - 1
    return int(levels[low]) if len(levels) else 0


def balanced_weights(
    weights: npt.NDArray[np.int32], convexity: int = BALANCED_STEPS[0]
) -> npt.NDArray[np.int64]:
    """Between the score (convexity 0) and its cube (the highest): strong pairs outweigh
    several middling ones.

    A convex objective comes close to stability: few people would both rather be matched
    with each other (blocking pairs), for a small cost in total score (see bench/matching.py).
    """
    w = weights.astype(np.int64)
    cube = (w * w * w) // 1000
    top = BALANCED_STEPS[0]
    return ((top - convexity) * w * 1000 + convexity * cube) // top


def _bipartite_result(
    program: Program,
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    capacity: npt.NDArray[np.int64],
    candidates: Candidates,
    proof: Proof,
) -> MatchResult:
    mentors, mentees = scorer.cols.people, scorer.rows.people
    pairs: list[MatchedPair] = []
    pair_scores = np.full(len(mentees), -1, dtype=np.int32)
    matched_rows = np.flatnonzero(assignment >= 0).astype(np.intp)
    explained = scorer.explain_pairs(matched_rows, assignment[matched_rows].astype(np.intp))
    for row, (score, reasons, _) in zip(matched_rows.tolist(), explained, strict=True):
        col = int(assignment[row])
        pair_scores[row] = score
        pairs.append(
            MatchedPair(
                mentor=mentors[col].email,
                mentee=mentees[row].email,
                score=points(score),
                reasons=reasons,
            )
        )
    pairs.sort(key=lambda p: (p.mentor, p.mentee))
    load = np.bincount(assignment[assignment >= 0], minlength=len(mentors))
    unmatched, hints = explain_unmatched(
        scorer, assignment, pair_scores, load, capacity, candidates=candidates
    )
    blocking = blocking_pairs(scorer, assignment, pair_scores, load, capacity, candidates.best)
    figures = summary_figures(
        participants=len(mentors) + len(mentees),
        mentors=len(mentors),
        mentees=len(mentees),
        people_matched=int((assignment >= 0).sum()) + int((load > 0).sum()),
        pair_scores=pair_scores[assignment >= 0],
        in_top5=int(((pair_scores >= candidates.fifth_best) & (assignment >= 0)).sum()),
        blocking=blocking,
        capacity=int(capacity.sum()),
        seats_used=int(load.sum()),
    )
    return MatchResult(
        format=program.format.value,
        objective=program.matching.objective,
        fairness=program.matching.fairness,
        pairs=tuple(pairs),
        unmatched=tuple(unmatched),
        hints=tuple(hints),
        figures=figures,
        proof=proof,
    )
