"""The candidates: the pool scored in blocks, each person's best kept for the exact solve.

Scoring every pair at once would hold n x m scores; blocks of at most BLOCK_PAIRS pairs
bound the memory whatever the pool's size, and each row keeps its `keep` best compatible
columns as the edges the solvers work on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from portal.domain.matching.results import CandidatePair, points
from portal.domain.matching.tallies import tallies
from portal.domain.participants import Participant, Role
from portal.domain.program import Format, Program
from portal.domain.scoring import Scorer

CANDIDATES = 50  # best candidates kept per mentee before the exact solve
PEER_CANDIDATES = 20
BLOCK_PAIRS = 250_000  # pairs scored at once: bounds memory whatever the pool size (and
# small enough that a block's arrays stay in the cache: faster than larger blocks)


@dataclass
class Graph:
    """Weighted edges row -> column, gathered block by block."""

    rows: list[npt.NDArray[np.int32]] = field(default_factory=list)
    cols: list[npt.NDArray[np.int32]] = field(default_factory=list)
    weights: list[npt.NDArray[np.int32]] = field(default_factory=list)

    def add(
        self,
        rows: npt.NDArray[np.integer[Any]],
        cols: npt.NDArray[np.integer[Any]],
        weights: npt.NDArray[np.integer[Any]],
    ) -> None:
        """Add the edges rows[k] -> cols[k] of weight weights[k]."""
        self.rows.append(rows.astype(np.int32))
        self.cols.append(cols.astype(np.int32))
        self.weights.append(weights.astype(np.int32))

    def arrays(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """Every edge once (the first weight given), as rows, columns and weights."""
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
    for rows in blocks(len(mentees), len(mentors)):
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
                    score=None if veto else points(int(parts.score[k, column])),
                    veto=scorer.veto_reason(veto, mentee, mentor) if veto else None,
                )


def blocks(n_rows: int, n_cols: int) -> Iterable[npt.NDArray[np.intp]]:
    """Row indexes in blocks of at most BLOCK_PAIRS pairs against `n_cols` columns."""
    size = max(1, BLOCK_PAIRS // max(n_cols, 1))
    for start in range(0, n_rows, size):
        yield np.arange(start, min(start + size, n_rows), dtype=np.intp)


@dataclass
class Candidates:
    """Each row's best candidates as a graph, with what the figures need of the full lists."""

    graph: Graph
    compatible: npt.NDArray[np.int32]  # per row: how many columns pass every rule
    fifth_best: npt.NDArray[np.int32]  # per row: the 5th best compatible score (-1 if none)
    best: npt.NDArray[np.int32]  # per row: the best compatible score (-1 if none)
    # Per row: the highest score a compatible pair left out of the graph can have (the
    # lowest score kept), or -1 when every compatible pair is in the graph.
    bound: npt.NDArray[np.int32]
    # Per column: how many rows pass every rule with it.
    col_compatible: npt.NDArray[np.int64]
    # The rows no column passes, with the tally of the vetoes that kept each out (so that
    # explaining why they wait needs no second pass over their pairs).
    nobody: dict[int, Counter[int]]


def keep_best(scorer: Scorer, keep: int, symmetric: bool = False) -> Candidates:
    """Each row's `keep` best compatible columns.

    `symmetric` (peers): each edge once, and every column tied with the `keep`-th best score
    is kept too, so that the cut is never arbitrary among equals.
    """
    n_rows, n_cols = len(scorer.rows), len(scorer.cols)
    graph = Graph()
    compatible = np.zeros(n_rows, dtype=np.int32)
    fifth = np.full(n_rows, -1, dtype=np.int32)
    best = np.full(n_rows, -1, dtype=np.int32)
    bound = np.full(n_rows, -1, dtype=np.int32)
    col_compatible = np.zeros(n_cols, dtype=np.int64)
    nobody: dict[int, Counter[int]] = {}
    k = min(keep, n_cols)
    for rows in blocks(n_rows, n_cols):
        if k == 0:
            break
        parts = scorer.components(rows)
        allowed = parts.veto == 0
        masked = np.where(allowed, parts.score, -1)
        compatible[rows] = allowed.sum(axis=1)
        col_compatible += np.count_nonzero(allowed, axis=0)
        alone = np.flatnonzero(compatible[rows] == 0)
        if len(alone):
            nobody.update(zip(rows[alone].tolist(), tallies(parts.veto[alone]), strict=True))
        top = (
            np.argpartition(-masked, k - 1, axis=1)[:, :k]
            if k < n_cols
            else np.tile(np.arange(n_cols), (len(rows), 1))
        )
        values = np.take_along_axis(masked, top, axis=1)
        ranked = -np.sort(-values, axis=1)  # each row's kept scores, best first
        best[rows] = ranked[:, 0]
        fifth[rows] = ranked[:, min(5, k) - 1]
        cut = ranked[:, k - 1]
        left_out = compatible[rows] > k
        bound[rows[left_out]] = cut[left_out]
        if symmetric and left_out.any():
            # Ties at the cut: every column scoring the k-th best score is kept.
            tied_rows, tied_cols = np.nonzero(
                left_out[:, None] & (masked == cut[:, None]) & (cut[:, None] >= 0)
            )
            graph.add(rows[tied_rows], tied_cols, masked[tied_rows, tied_cols])
        ok = values >= 0
        row_ids = np.repeat(rows[:, None], top.shape[1], axis=1)
        graph.add(row_ids[ok], top[ok], values[ok])
    if symmetric:
        rows_, cols_, weights_ = graph.arrays()
        graph = Graph()
        graph.add(np.minimum(rows_, cols_), np.maximum(rows_, cols_), weights_)
    return Candidates(
        graph=graph,
        compatible=compatible,
        fifth_best=fifth,
        best=best,
        bound=bound,
        col_compatible=col_compatible,
        nobody=nobody,
    )


def chunks(values: npt.NDArray[np.intp], size: int) -> Iterable[npt.NDArray[np.intp]]:
    """`values` in slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size].astype(np.intp)


def bounded_blocks(
    limit: npt.NDArray[np.int64], key: npt.NDArray[np.int64]
) -> Iterable[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """Blocks of rows with the columns each needs: column c for row r when key[c] < limit[r].

    Rows go in decreasing limit, each block with the columns below its first (largest)
    limit, at most BLOCK_PAIRS pairs a block; rows whose limit no key is below are skipped.
    Columns come in increasing order.
    """
    rows = np.flatnonzero(limit > key.min()) if len(key) else np.zeros(0, np.intp)
    rows = rows[np.argsort(-limit[rows], kind="stable")].astype(np.intp)
    by_key = np.argsort(key, kind="stable")
    sorted_keys = key[by_key]
    start = 0
    while start < len(rows):
        reach = int(np.searchsorted(sorted_keys, limit[rows[start]], side="left"))
        columns = np.sort(by_key[:reach]).astype(np.intp)
        block = rows[start : start + max(1, BLOCK_PAIRS // max(len(columns), 1))]
        start += len(block)
        yield block, columns
