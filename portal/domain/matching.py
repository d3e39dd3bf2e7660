"""Matching a whole pool at once: exact, capacity-aware, explained.

Bipartite formats (one-on-one, group, reverse, flash) are a min-cost flow (OR-Tools);
peer programs a maximum-weight matching on a general graph (rustworkx). Each person keeps
their best candidates; a repair pass then searches the full compatibility graph for
augmenting paths, so pruning never costs a match the rules allow.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from portal.domain.participants import Participant, Role
from portal.domain.program import Format, Program
from portal.domain.scoring import SCALE, Scorer, Veto

CANDIDATES = 50  # best candidates kept per mentee before the exact solve
PEER_CANDIDATES = 20
BLOCK_PAIRS = 1_500_000  # pairs scored at once: bounds memory whatever the pool size
FULL_PEER_GRAPH_LIMIT = 3000  # peers up to which a short repair falls back to every pair
BLOCKING_MARGIN = 50  # 5 points, in tenths: both would gain at least this much
# `balanced` keeps every pair within this much of the highest floor the pool allows: a
# little room below it lets strong pairs form where the exact floor would break them up.
FLOOR_SLACK = 50
# `balanced` gives up at most this share of the best total score (issue: "for under 0.5% of
# total score"): it tries the cube of the scores first, then blends closer to the plain
# score, and keeps the first within budget (else the plain optimum). For peers, who have no
# floor, a blend must also keep the lowest score within FLOOR_SLACK of the plain optimum's.
BALANCED_BUDGET = 0.005
BALANCED_STEPS = (8, 4, 2, 1, 0)


@dataclass(frozen=True)
class MatchedPair:
    """Two people matched, with the score and the reasons in words."""

    mentor: str  # for peers: the first peer
    mentee: str  # for peers: the second peer
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    email: str
    role: str
    reason: str


@dataclass(frozen=True)
class Figures:
    participants: int
    mentors: int
    mentees: int
    pairs: int
    matched_pct: float  # people in a pair, of everyone
    mentees_matched_pct: float
    total_score: float
    mean_score: float
    min_score: float
    p10_score: float
    top5_pct: float  # matched mentees whose match is among their five best candidates
    blocking_pairs: int  # both would gain 5 points or more by leaving for each other
    blocking_pairs_10: int
    blocking_pairs_20: int
    mentees_blocking_10_pct: float
    capacity: int
    seats_used: int


@dataclass(frozen=True)
class MatchResult:
    format: str
    objective: str
    fairness: str
    pairs: tuple[MatchedPair, ...]
    unmatched: tuple[Unmatched, ...]
    hints: tuple[str, ...]
    figures: Figures


@dataclass(frozen=True)
class CandidatePair:
    """One scored pair, for the `--scores` file: a score, or the veto that rules it out."""

    mentor: str
    mentee: str
    score: float | None
    veto: str | None


@dataclass
class _Graph:
    rows: list[npt.NDArray[np.int32]] = field(default_factory=list)
    cols: list[npt.NDArray[np.int32]] = field(default_factory=list)
    weights: list[npt.NDArray[np.int32]] = field(default_factory=list)

    def add(
        self,
        rows: npt.NDArray[np.integer[Any]],
        cols: npt.NDArray[np.integer[Any]],
        weights: npt.NDArray[np.integer[Any]],
    ) -> None:
        self.rows.append(rows.astype(np.int32))
        self.cols.append(cols.astype(np.int32))
        self.weights.append(weights.astype(np.int32))

    def arrays(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        if not self.rows:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, empty
        rows, cols, weights = (
            np.concatenate(self.rows),
            np.concatenate(self.cols),
            np.concatenate(self.weights),
        )
        # Unique edges in a fixed order: the solver's answer depends only on the input.
        keys = rows.astype(np.int64) * (int(cols.max(initial=0)) + 1) + cols
        _, first = np.unique(keys, return_index=True)
        return rows[first], cols[first], weights[first]


def split_roles(
    program: Program, people: Iterable[Participant]
) -> tuple[list[Participant], list[Participant]]:
    """Mentors and mentees (for peers: everyone, twice the same list)."""
    everyone = list(people)
    if program.format is Format.PEER:
        return everyone, everyone
    mentors = [p for p in everyone if p.role is Role.MENTOR]
    mentees = [p for p in everyone if p.role is Role.MENTEE]
    return mentors, mentees


def match(
    program: Program,
    people: Sequence[Participant],
    *,
    now: datetime,
    history: Iterable[frozenset[str]] = (),
    candidates: int | None = None,
) -> MatchResult:
    """Match everyone in `people` under the program's rules; deterministic for the same input."""
    mentors, mentees = split_roles(program, people)
    scorer = Scorer(program, mentors, mentees, now=now, history=list(history))
    if program.format is Format.PEER:
        return _match_peers(program, scorer, candidates or PEER_CANDIDATES)
    return _match_bipartite(program, scorer, candidates or CANDIDATES)


def score_all_pairs(
    program: Program,
    people: Sequence[Participant],
    *,
    now: datetime,
    history: Iterable[frozenset[str]] = (),
) -> Iterable[CandidatePair]:
    """Every candidate pair with its score or veto reason (for checking the optimum by hand)."""
    mentors, mentees = split_roles(program, people)
    scorer = Scorer(program, mentors, mentees, now=now, history=list(history))
    peer = program.format is Format.PEER
    for rows in _blocks(len(mentees), len(mentors)):
        parts = scorer.components(rows)
        for k, row in enumerate(rows):
            mentee = mentees[int(row)]
            for column, mentor in enumerate(mentors):
                if peer and column <= int(row):
                    continue
                veto = int(parts.veto[k, column])
                yield CandidatePair(
                    mentor=mentor.email,
                    mentee=mentee.email,
                    score=None if veto else _points(int(parts.score[k, column])),
                    veto=scorer.veto_reason(veto, mentee, mentor) if veto else None,
                )


# -- candidates ---------------------------------------------------------------------------


def _blocks(n_rows: int, n_cols: int) -> Iterable[npt.NDArray[np.intp]]:
    size = max(1, BLOCK_PAIRS // max(n_cols, 1))
    for start in range(0, n_rows, size):
        yield np.arange(start, min(start + size, n_rows), dtype=np.intp)


@dataclass
class _Candidates:
    graph: _Graph
    compatible: npt.NDArray[np.int32]  # per row: how many columns pass every rule
    fifth_best: npt.NDArray[np.int32]  # per row: the 5th best compatible score (-1 if none)


def _candidates(scorer: Scorer, keep: int, symmetric: bool = False) -> _Candidates:
    n_rows, n_cols = len(scorer.rows), len(scorer.cols)
    graph = _Graph()
    compatible = np.zeros(n_rows, dtype=np.int32)
    fifth = np.full(n_rows, -1, dtype=np.int32)
    for rows in _blocks(n_rows, n_cols):
        parts = scorer.components(rows)
        masked = np.where(parts.veto == 0, parts.score, -1)
        compatible[rows] = (parts.veto == 0).sum(axis=1)
        if n_cols == 0:
            continue
        k = min(keep, n_cols)
        top = (
            np.argpartition(-masked, k - 1, axis=1)[:, :k]
            if k < n_cols
            else np.tile(np.arange(n_cols), (len(rows), 1))
        )
        values = np.take_along_axis(masked, top, axis=1)
        ok = values >= 0
        row_ids = np.repeat(rows[:, None], top.shape[1], axis=1)
        graph.add(row_ids[ok], top[ok], values[ok])
        f = min(5, n_cols)
        fifth[rows] = -np.partition(-masked, f - 1, axis=1)[:, f - 1]
    if symmetric:
        rows_, cols_, weights_ = graph.arrays()
        graph = _Graph()
        graph.add(np.minimum(rows_, cols_), np.maximum(rows_, cols_), weights_)
    return _Candidates(graph=graph, compatible=compatible, fifth_best=fifth)


# -- bipartite ----------------------------------------------------------------------------


def _capacities(program: Program, mentors: Sequence[Participant]) -> npt.NDArray[np.int64]:
    if program.format is Format.FLASH:
        return np.ones(len(mentors), dtype=np.int64)
    return np.array(
        [max(1, min(p.capacity or 1, program.capacity)) for p in mentors], dtype=np.int64
    )


def _solve_flow(
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


def _augmenting_edges(
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


def _match_bipartite(program: Program, scorer: Scorer, keep: int) -> MatchResult:
    mentors, mentees = scorer.cols.people, scorer.rows.people
    capacity = _capacities(program, mentors)
    candidates = _candidates(scorer, keep)
    rows, cols, weights = candidates.graph.arrays()
    most_first = program.matching.objective == "participation"

    def solve(
        rows: npt.NDArray[np.int32], cols: npt.NDArray[np.int32], objective: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int32]:
        return _solve_flow(len(mentees), len(mentors), capacity, rows, cols, objective, most_first)

    assignment = solve(rows, cols, weights.astype(np.int64))
    if most_first:
        for _ in range(10):
            extra = _augmenting_edges(scorer, assignment.copy(), capacity, candidates.compatible)
            if not extra:
                break
            extra_rows = np.array([r for r, _ in extra], dtype=np.int32)
            extra_cols = np.array([c for _, c in extra], dtype=np.int32)
            extra_scores = scorer.components(
                extra_rows.astype(np.intp), extra_cols.astype(np.intp), pairwise=True
            ).score
            graph = _Graph()
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
            fairer = solve(rows[kept], cols[kept], _balanced_weights(weights[kept], convexity))
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


def _balanced_weights(
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
    candidates: _Candidates,
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
                score=_points(score),
                reasons=reasons,
            )
        )
    pairs.sort(key=lambda p: (p.mentor, p.mentee))
    load = np.bincount(assignment[assignment >= 0], minlength=len(mentors))
    unmatched, hints = _explain_unmatched(
        program, scorer, assignment, pair_scores, load, capacity, candidates
    )
    blocking = _blocking_pairs(scorer, assignment, pair_scores, load, capacity)
    figures = _figures(
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


def _lowest_taken(
    assignment: npt.NDArray[np.int32], pair_scores: npt.NDArray[np.int32], n_cols: int
) -> npt.NDArray[np.int32]:
    """Per column, the lowest score among the rows assigned to it (above any score if none)."""
    lowest = np.full(n_cols, SCALE + 1, dtype=np.int32)
    matched = np.flatnonzero(assignment >= 0)
    np.minimum.at(lowest, assignment[matched], pair_scores[matched])
    return lowest


def _blocking_pairs(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
) -> tuple[int, int, int, int]:
    """Counts of pairs who would both gain 5, 10 and 20 points by leaving for each other, and
    the number of rows in a pair with a margin of 10."""
    n_cols = len(scorer.cols)
    current = np.where(assignment >= 0, pair_scores, 0).astype(np.int32)
    # A full mentor gains by swapping their weakest pair; one with room gains from any pair.
    worst = np.where(load >= capacity, _lowest_taken(assignment, pair_scores, n_cols), 0)
    counts = [0, 0, 0]
    rows_10 = 0
    for rows in _blocks(len(scorer.rows), n_cols):
        parts = scorer.components(rows)
        gain_row = parts.score - current[rows][:, None]
        gain_col = parts.score - worst[None, :]
        margin = np.minimum(gain_row, gain_col)
        margin[parts.veto != 0] = -1
        own = assignment[rows]
        has = own >= 0
        margin[np.flatnonzero(has), own[has]] = -1
        for k, threshold in enumerate((BLOCKING_MARGIN, 100, 200)):
            counts[k] += int((margin >= threshold).sum())
        rows_10 += int((margin >= 100).any(axis=1).sum())
    return counts[0], counts[1], counts[2], rows_10


def _explain_unmatched(
    program: Program,
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    candidates: _Candidates,
) -> tuple[list[Unmatched], list[str]]:
    mentors, mentees = scorer.cols.people, scorer.rows.people
    unmatched: list[Unmatched] = []
    short: list[Participant] = []
    lowest_taken = _lowest_taken(assignment, pair_scores, len(mentors))
    waiting = np.flatnonzero(assignment < 0)
    for rows in _chunks(waiting, max(1, BLOCK_PAIRS // max(len(mentors), 1))):
        parts = scorer.components(rows) if len(mentors) else None
        for k, row in enumerate(rows):
            person = mentees[int(row)]
            if parts is None:
                reason = "no mentor has a free place in this round"
            else:
                ok = np.flatnonzero(parts.veto[k] == 0)
                if len(ok) == 0:
                    reason = _no_candidate_reason(scorer, person, parts.veto[k], "mentor")
                    short.append(person)
                else:
                    mine = parts.score[k, ok]
                    outscored = bool((lowest_taken[ok] >= mine).all())
                    with_room = int((load[ok] < capacity[ok]).sum())
                    if with_room:
                        reason = (
                            f"{with_room} mentor{'s' if with_room != 1 else ''} who pass"
                            f"{'' if with_room != 1 else 'es'} the rules still "
                            f"{'have' if with_room != 1 else 'has'} room, but this round keeps "
                            "only pairs above the lowest score it could guarantee everyone"
                        )
                    elif len(ok) == 1:
                        reason = "the only mentor who passes the rules is full"
                    else:
                        reason = f"all {len(ok)} mentors who pass the rules are full"
                    if not with_room:
                        reason += (
                            ": the mentees they took scored higher with them"
                            if outscored
                            else ": matching you would have left someone else without a match"
                        )
                    short.append(person)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    idle = np.flatnonzero(load == 0).astype(np.intp)
    if len(idle) and not len(mentees):
        for col in idle.tolist():
            unmatched.append(
                Unmatched(
                    mentors[col].email,
                    mentors[col].role.value,
                    "no mentee is waiting for a mentor in this round",
                )
            )
    elif len(idle):
        vetoes = np.concatenate(
            [scorer.components(rows, idle).veto for rows in _blocks(len(mentees), len(idle))]
        )
        for k, col in enumerate(idle.tolist()):
            person = mentors[col]
            compatible = int((vetoes[:, k] == 0).sum())
            if compatible == 0:
                reason = _no_candidate_reason(
                    scorer, person, vetoes[:, k], "mentee", column_side=True
                )
            else:
                reason = (
                    "the only mentee who passes the rules was matched with a mentor "
                    "who suits them better"
                    if compatible == 1
                    else f"the {compatible} mentees who pass the rules were matched with mentors "
                    "who suit them better"
                )
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: (u.role, u.email))
    return unmatched, _shortage_hints(scorer, short)


def _chunks(values: npt.NDArray[np.intp], size: int) -> Iterable[npt.NDArray[np.intp]]:
    for start in range(0, len(values), size):
        yield values[start : start + size].astype(np.intp)


# Each rule in words, for one person and for several.
_NO_CANDIDATE = {
    Veto.LANGUAGE: ("shares no language", "share no language"),
    Veto.SKILLS: ("offers none of the goals sought", "offer none of the goals sought"),
    Veto.TIMEZONE_GAP: ("is too many time zones away", "are too many time zones away"),
    Veto.TIMEZONE: ("is too many time zones away", "are too many time zones away"),
    Veto.AVAILABILITY: ("shares no weekly availability", "share no weekly availability"),
    Veto.SENIORITY: (
        "is not further along in their career",
        "are not further along in their career",
    ),
    Veto.DEPARTMENT: ("is in the same department", "are in the same department"),
    Veto.REPORTING_LINE: ("is in the same reporting line", "are in the same reporting line"),
    Veto.PAIRED_BEFORE: ("was paired with them before", "were paired with them before"),
    Veto.SAME_PERSON: ("is the same person", "are the same person"),
}


def _no_candidate_reason(
    scorer: Scorer,
    person: Participant,
    vetoes: npt.NDArray[np.uint8],
    other: str,
    column_side: bool = False,
) -> str:
    """Name the rule that kept everyone out, the most binding first."""
    counts = Counter(int(v) for v in vetoes if v != Veto.SAME_PERSON)
    if not counts:
        return f"no {other}s have signed up yet"
    total = sum(counts.values())
    (top, _), *rest = counts.most_common()
    if not rest:
        if top == Veto.LANGUAGE:
            spoken = " or ".join(person.languages) or "a language you speak"
            return f"no {other} speaks {spoken}"
        if top == Veto.SKILLS:
            wanted = person.skills if column_side else person.goals
            if column_side:
                return (
                    f"no mentee seeks any of {', '.join(wanted)}"
                    if wanted
                    else "no mentee seeks what you offer"
                )
            return (
                f"no mentor offers any of {', '.join(wanted)}"
                if wanted
                else "no mentor offers your goals"
            )
        if top == Veto.TIMEZONE_GAP:
            limit = scorer.max_gap or 0
            return f"every {other} is more than {limit:g} h away in time zone"
        if top >= Veto.QUESTION:
            question = scorer.program.questions[top - Veto.QUESTION]
            return f"no {other} gave the same answer to “{question.label}”, which must match"
        return f"every {other} {_rule_words(top, 1)}"
    parts = [f"{count} {_rule_words(code, count)}" for code, count in counts.most_common(3)]
    return f"none of the {total} {other}s passes the rules: " + ", ".join(parts)


def _rule_words(code: int, count: int) -> str:
    if code >= Veto.QUESTION:
        return "answered a must-match question differently"
    one, several = _NO_CANDIDATE.get(Veto(code), ("breaks a rule", "break a rule"))
    return one if count == 1 else several


def _shortage_hints(scorer: Scorer, short: Sequence[Participant], limit: int = 5) -> list[str]:
    """What to recruit: groups of waiting mentees by language and goal, largest first."""
    if not short:
        return []
    mentors = scorer.cols.people
    spoken_by_most = {
        language
        for language in scorer.vocabulary.languages
        if sum(language in m.languages for m in mentors) >= 0.5 * max(len(mentors), 1)
    }
    remaining = list(short)
    hints: list[str] = []
    while remaining and len(hints) < limit:
        combos: Counter[tuple[str, str]] = Counter()
        for person in remaining:
            languages = [lang for lang in person.languages if lang not in spoken_by_most] or [""]
            for language in languages:
                for goal in person.goals or ("",):
                    combos[(language, goal)] += 1
        if not combos:
            break
        (language, goal), count = min(combos.items(), key=lambda item: (-item[1], item[0]))
        who = f"{count} mentee{'s' if count != 1 else ''}"
        traits = []
        if language:
            traits.append(f"speak{'s' if count == 1 else ''} {language}")
        if goal:
            traits.append(f"want{'s' if count == 1 else ''} {goal}")
        recruit = (
            "recruit mentors"
            + (f" offering {goal}" if goal else "")
            + (f" who speak {language}" if language else "")
        )
        verb = "has" if count == 1 else "have"
        described = f" who {' and '.join(traits)}" if traits else ""
        hints.append(f"{who}{described} {verb} no mentor: {recruit}")
        remaining = [
            p
            for p in remaining
            if not ((not language or language in p.languages) and (not goal or goal in p.goals))
        ]
    return hints


# -- peers ----------------------------------------------------------------------------------


def _match_peers(program: Program, scorer: Scorer, keep: int) -> MatchResult:
    import rustworkx as rx

    people = scorer.rows.people
    n = len(people)
    candidates = _candidates(scorer, keep, symmetric=True)
    participation = program.matching.objective == "participation"
    balanced = program.matching.fairness == "balanced"

    def solve(
        rows: npt.NDArray[np.int32],
        cols: npt.NDArray[np.int32],
        weights: npt.NDArray[np.int32],
        convexity: int = 0,
    ) -> npt.NDArray[np.int32]:
        graph = rx.PyGraph()
        graph.add_nodes_from(range(n))
        objective = _balanced_weights(weights, convexity) if convexity else weights.astype(np.int64)
        # +1 so that a 0-point pair still counts as a match to be made.
        graph.add_edges_from(
            [(int(a), int(b), int(w) + 1) for a, b, w in zip(rows, cols, objective, strict=True)]
        )
        chosen = rx.max_weight_matching(graph, max_cardinality=participation, weight_fn=lambda w: w)
        partner = np.full(n, -1, dtype=np.int32)
        for a, b in chosen:
            partner[a], partner[b] = b, a
        return partner

    rows, cols, weights = candidates.graph.arrays()
    partner = solve(rows, cols, weights)
    if participation:
        # Repair: people left alone who have compatible partners get their full lists.
        for _ in range(3):
            lonely = np.flatnonzero((partner < 0) & (candidates.compatible > 0))
            if len(lonely) == 0:
                break
            graph = _Graph()
            graph.add(rows, cols, weights)
            for row_block in _chunks(lonely, max(1, BLOCK_PAIRS // max(n, 1))):
                parts = scorer.components(row_block)
                for k, row in enumerate(row_block):
                    ok = np.flatnonzero(parts.veto[k] == 0).astype(np.int32)
                    r = np.full(len(ok), row, dtype=np.int32)
                    graph.add(np.minimum(r, ok), np.maximum(r, ok), parts.score[k, ok])
            before = int((partner >= 0).sum())
            rows, cols, weights = graph.arrays()
            partner = solve(rows, cols, weights)
            if int((partner >= 0).sum()) <= before:
                break
        lonely = np.flatnonzero((partner < 0) & (candidates.compatible > 0))
        if len(lonely) > 1 and n <= FULL_PEER_GRAPH_LIMIT:
            # Someone could still be paired: an augmenting path may run through pruned edges.
            # Solve on every compatible pair (affordable at this size) and keep it if larger.
            full = _Graph()
            for row_block in _blocks(n, n):
                parts = scorer.components(row_block)
                upper = (parts.veto == 0) & (row_block[:, None] < np.arange(n)[None, :])
                pair_rows, pair_cols = np.nonzero(upper)
                full.add(row_block[pair_rows], pair_cols, parts.score[pair_rows, pair_cols])
            full_rows, full_cols, full_weights = full.arrays()
            complete = solve(full_rows, full_cols, full_weights)
            if int((complete >= 0).sum()) > int((partner >= 0).sum()):
                partner = complete
                rows, cols, weights = full_rows, full_cols, full_weights
    if balanced:
        # On the graph the plain optimum came from: the same people matched, fairer pairs.
        plain_scores = _peer_pair_scores(scorer, partner)
        for convexity in BALANCED_STEPS[:-1]:
            fairer = solve(rows, cols, weights, convexity)
            scores = _peer_pair_scores(scorer, fairer)
            if (
                len(scores) >= len(plain_scores)
                and scores.sum() >= plain_scores.sum() * (1 - BALANCED_BUDGET)
                and (len(scores) == 0 or scores.min() >= plain_scores.min() - FLOOR_SLACK)
            ):
                partner = fairer
                break
    return _peer_result(program, scorer, partner, candidates)


def _peer_pair_scores(scorer: Scorer, partner: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """The scores (tenths) of the pairs in a peer matching, each pair once."""
    first = np.flatnonzero(partner > np.arange(len(partner))).astype(np.intp)
    if len(first) == 0:
        return np.zeros(0, dtype=np.int64)
    second = partner[first].astype(np.intp)
    return scorer.components(first, second, pairwise=True).score.astype(np.int64)


def _peer_result(
    program: Program, scorer: Scorer, partner: npt.NDArray[np.int32], candidates: _Candidates
) -> MatchResult:
    people = scorer.rows.people
    pairs: list[MatchedPair] = []
    pair_scores = np.full(len(people), -1, dtype=np.int32)
    firsts = np.flatnonzero(partner > np.arange(len(people))).astype(np.intp)
    seconds = partner[firsts].astype(np.intp)
    explained = scorer.explain_pairs(firsts, seconds)
    for a, b, (score, reasons, _) in zip(firsts.tolist(), seconds.tolist(), explained, strict=True):
        pair_scores[a] = pair_scores[b] = score
        first, second = sorted((people[a].email, people[b].email))
        pairs.append(
            MatchedPair(mentor=first, mentee=second, score=_points(score), reasons=reasons)
        )
    pairs.sort(key=lambda p: (p.mentor, p.mentee))
    unmatched = []
    alone = np.flatnonzero(partner < 0)
    for rows in _chunks(alone, max(1, BLOCK_PAIRS // max(len(people), 1))):
        parts = scorer.components(rows)
        for k, row in enumerate(rows):
            person = people[int(row)]
            ok = np.flatnonzero(parts.veto[k] == 0)
            if len(ok) == 0:
                reason = _no_candidate_reason(scorer, person, parts.veto[k], "peer")
            else:
                if len(ok) == 1:
                    reason = "the only peer who passes the rules was matched with someone else"
                else:
                    reason = f"all {len(ok)} peers who pass the rules were matched with others"
                if len(alone) % 2 == 1 and len(ok) >= 1:
                    reason += " (an odd number of people can leave one person out)"
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: u.email)
    current = np.where(partner >= 0, pair_scores, 0).astype(np.int32)
    counts = [0, 0, 0]
    rows_10 = 0
    for rows in _blocks(len(people), len(people)):
        parts = scorer.components(rows)
        margin = np.minimum(parts.score - current[rows][:, None], parts.score - current[None, :])
        margin[parts.veto != 0] = -1
        own = partner[rows]
        has = own >= 0
        margin[np.flatnonzero(has), own[has]] = -1
        upper = rows[:, None] < np.arange(len(people))[None, :]
        for k, threshold in enumerate((BLOCKING_MARGIN, 100, 200)):
            counts[k] += int(((margin >= threshold) & upper).sum())
        rows_10 += int((margin >= 100).any(axis=1).sum())
    matched_scores = pair_scores[(partner >= 0) & (np.arange(len(people)) < partner)]
    figures = _figures(
        participants=len(people),
        mentors=0,
        mentees=len(people),
        people_matched=int((partner >= 0).sum()),
        pair_scores=matched_scores,
        in_top5=int(((pair_scores >= candidates.fifth_best) & (partner >= 0)).sum()),
        blocking=(counts[0], counts[1], counts[2], rows_10),
        capacity=len(people),
        seats_used=int((partner >= 0).sum()),
    )
    return MatchResult(
        format=program.format.value,
        objective=program.matching.objective,
        fairness=program.matching.fairness,
        pairs=tuple(pairs),
        unmatched=tuple(unmatched),
        hints=(),
        figures=figures,
    )


# -- figures --------------------------------------------------------------------------------


def _points(tenths: int | float) -> float:
    return round(float(tenths) / (SCALE / 100), 1)


def _figures(
    *,
    participants: int,
    mentors: int,
    mentees: int,
    people_matched: int,
    pair_scores: npt.NDArray[np.int32],
    in_top5: int,
    blocking: tuple[int, int, int, int],
    capacity: int,
    seats_used: int,
) -> Figures:
    matched_rows = int((pair_scores >= 0).sum()) if mentors else people_matched
    scores = pair_scores[pair_scores >= 0].astype(np.float64)
    return Figures(
        participants=participants,
        mentors=mentors,
        mentees=mentees,
        pairs=len(scores),
        matched_pct=round(100.0 * people_matched / participants, 1) if participants else 0.0,
        mentees_matched_pct=round(100.0 * matched_rows / mentees, 1) if mentees else 0.0,
        total_score=_points(float(scores.sum())),
        mean_score=_points(float(scores.mean())) if len(scores) else 0.0,
        min_score=_points(float(scores.min())) if len(scores) else 0.0,
        p10_score=_points(float(np.percentile(scores, 10))) if len(scores) else 0.0,
        top5_pct=round(100.0 * in_top5 / matched_rows, 1) if matched_rows else 0.0,
        blocking_pairs=blocking[0],
        blocking_pairs_10=blocking[1],
        blocking_pairs_20=blocking[2],
        mentees_blocking_10_pct=round(100.0 * blocking[3] / mentees, 2) if mentees else 0.0,
        capacity=capacity,
        seats_used=seats_used,
    )
