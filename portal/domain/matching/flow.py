"""One-on-one, group, reverse and flash rounds: an exact min-cost flow (OR-Tools).

Mentees are rows, mentors columns with their capacity. The flow runs on each mentee's best
candidates; under `participation` a repair pass then looks for augmenting paths over the
full compatibility graph, so pruning never costs a match the rules allow. `balanced`
fairness re-solves on a convex objective within a small budget of the best total.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from portal.domain.matches import capacity
from portal.domain.matching.candidates import Candidates, Graph, keep_best
from portal.domain.matching.explain import explain_unmatched
from portal.domain.matching.figures import blocking_pairs, summary_figures
from portal.domain.matching.results import MatchedPair, MatchResult, points
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.domain.scoring import Scorer

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


def augmenting_edges(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    capacity: npt.NDArray[np.int64],
    compatible_count: npt.NDArray[np.int32],
) -> list[tuple[int, int]]:
    """Edges outside the candidate lists that let more people be matched (Berge's theorem).

    Searches alternating paths over the full compatibility graph from every unmatched row;
    returns the edges of the paths found (applied to `assignment` as it goes).
    """
    n_cols = len(scorer.cols)
    load = np.bincount(assignment[assignment >= 0], minlength=n_cols).astype(np.int64)
    members: dict[int, list[int]] = defaultdict(list)
    for row, col in enumerate(assignment):
        if col >= 0:
            members[int(col)].append(row)
    cache: dict[int, npt.NDArray[np.intp]] = {}

    def compatible_columns(row: int) -> npt.NDArray[np.intp]:
        if row not in cache:
            parts = scorer.components(np.array([row], dtype=np.intp))
            cache[row] = np.flatnonzero(parts.veto[0] == 0)
        return cache[row]

    found: list[tuple[int, int]] = []
    dead: set[int] = set()
    for start in np.flatnonzero((assignment < 0) & (compatible_count > 0)).tolist():
        parent_col: dict[int, int] = {}  # column -> row that reached it
        parent_row: dict[int, int] = {start: -1}  # row -> column it was reached through
        queue = deque([start])
        end_col = -1
        while queue and end_col < 0:
            row = queue.popleft()
            for col in compatible_columns(row).tolist():
                if col in parent_col:
                    continue
                parent_col[col] = row
                if load[col] < capacity[col]:
                    end_col = col
                    break
                for other in members[col]:
                    if other not in parent_row and other not in dead:
                        parent_row[other] = col
                        queue.append(other)
        if end_col < 0:
            dead.update(parent_row)
            continue
        # Flip the path: each row on it moves to the column that reached it.
        col = end_col
        load[col] += 1
        while col >= 0:
            row = parent_col[col]
            previous = parent_row[row]
            found.append((row, col))
            if previous >= 0:
                members[previous].remove(row)
            members[col].append(row)
            assignment[row] = col
            col = previous
        dead.clear()  # the matching changed: rows that led nowhere may lead somewhere now
    return found


def match_bipartite(program: Program, scorer: Scorer, keep: int) -> MatchResult:
    """The best assignment of mentees (rows) to mentors (columns) under the program's rules."""
    mentors, mentees = scorer.cols.people, scorer.rows.people
    capacity = capacities(program, mentors)
    candidates = keep_best(scorer, keep)
    rows, cols, weights = candidates.graph.arrays()
    most_first = program.matching.objective == "participation"

    def solve(
        rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32], objective: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int32]:
        return solve_flow(len(mentees), len(mentors), capacity, rows, cols, objective, most_first)

    assignment = solve(rows, cols, weights.astype(np.int64))
    if most_first:
        for _ in range(10):
            extra = augmenting_edges(scorer, assignment.copy(), capacity, candidates.compatible)
            if not extra:
                break
            extra_rows = np.array([r for r, _ in extra], dtype=np.int32)
            extra_cols = np.array([c for _, c in extra], dtype=np.int32)
            extra_scores = scorer.components(
                extra_rows.astype(np.intp), extra_cols.astype(np.intp), pairwise=True
            ).score
            graph = Graph()
            graph.add(rows, cols, weights)
            graph.add(extra_rows, extra_cols, extra_scores)
            rows, cols, weights = graph.arrays()
            assignment = solve(rows, cols, weights.astype(np.int64))
    if program.matching.fairness == "balanced":
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
        kept = weights >= floor - FLOOR_SLACK
        best = _assignment_total(assignment, rows, cols, weights)
        for convexity in BALANCED_STEPS:
            fairer = solve(rows[kept], cols[kept], balanced_weights(weights[kept], convexity))
            if _assignment_total(fairer, rows, cols, weights) >= best * (1 - BALANCED_BUDGET):
                assignment = fairer
                break
    return _bipartite_result(program, scorer, assignment, capacity, candidates)


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
    unmatched, hints = explain_unmatched(scorer, assignment, pair_scores, load, capacity)
    blocking = blocking_pairs(scorer, assignment, pair_scores, load, capacity)
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
    )
