"""The certificate of an exact bipartite round: dual potentials, and every left-out pair priced.

The solver sees only each mentee's best candidates. Linear-programming duality says when that
cannot have cost anything: a mentor-mentee b-matching has an integral linear program, and an
assignment is optimal over *every* pair as soon as some potentials u (one per mentee, at
least 0) and v (one per mentor, at least 0) satisfy

    u[mentee] + v[mentor] >= value(pair)        for every compatible pair,

with equality on the pairs formed, u = 0 for a mentee left waiting and v = 0 for a mentor
with a place left (complementary slackness). `potentials` computes such u and v for the
assignment the solver found on the candidate graph (longest paths over the mentors: the
solver's optimum guarantees there is no positive cycle); `price` then checks every pair left
out of that graph against them, and returns those whose reduced cost
value - u - v is positive: the only pairs that could improve the total. Adding them and
solving again until none is left proves the round exact (see flow.match_bipartite).

Most pairs never need scoring again: a pair left out of a mentee's list scores no more than
the lowest score kept in it, so only mentors whose v is below that bound minus u can price
positive, and the pricing scores only those (rows sorted by their bound, in blocks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portal.domain.matching.candidates import bounded_blocks
from portal.domain.scoring import Scorer

Int64Array = npt.NDArray[np.int64]
# value(scores, rows): what each pair is worth to the round's objective (int64, increasing
# in the score; a pair that may not be formed is worth less than nothing, NOT_ALLOWED).
Values = Callable[[npt.NDArray[np.int32], npt.NDArray[np.intp]], Int64Array]
NOT_ALLOWED = np.iinfo(np.int64).min // 4
MAX_PASSES = 25  # pricing passes before a round gives up proving itself exact (never seen)


class NotOptimal(RuntimeError):
    """The assignment has no potentials: it is not optimal even on its own candidate graph."""


@dataclass(frozen=True)
class Potentials:
    """Dual values: per mentee (row) and per mentor (column)."""

    rows: Int64Array
    cols: Int64Array


def potentials(
    n_cols: int,
    capacity: npt.NDArray[np.int64],
    assignment: npt.NDArray[np.int32],
    rows: npt.NDArray[np.int32],
    cols: npt.NDArray[np.int32],
    values: Int64Array,
) -> Potentials:
    """Potentials proving `assignment` optimal over the edges rows[k] -> cols[k].

    The mentor potentials are the longest paths from a root: a waiting mentee's edge to c
    asks v[c] >= value; a matched mentee r (with mentor a) asks, for each other candidate c,
    v[c] >= v[a] + value(r, c) - value(r, a) (r could move to c if a's place were worth
    that much). Raises NotOptimal if the assignment could be improved on these edges.
    """
    n_rows = len(assignment)
    own_col = assignment[rows]
    own = np.zeros(n_rows, dtype=np.int64)
    is_own = own_col == cols
    own[rows[is_own]] = values[is_own]
    v = np.zeros(n_cols, dtype=np.int64)
    waiting = own_col < 0
    if waiting.any():
        np.maximum.at(v, cols[waiting], np.maximum(values[waiting], 0))
    moves = ~waiting & ~is_own
    order = np.argsort(cols[moves], kind="stable")
    source = own_col[moves][order].astype(np.intp)
    target = cols[moves][order].astype(np.intp)
    gain = (values[moves] - own[rows[moves]])[order]
    if len(target):
        starts = np.flatnonzero(np.concatenate([[True], target[1:] != target[:-1]]))
        heads = target[starts]
        for _ in range(n_cols + 1):
            best = np.maximum.reduceat(v[source] + gain, starts)
            better = best > v[heads]
            if not better.any():
                break
            v[heads[better]] = best[better]
        else:
            raise NotOptimal("a cycle of moves would raise the total")
    load = np.bincount(assignment[assignment >= 0], minlength=n_cols)
    if (v[load < capacity] != 0).any():
        raise NotOptimal("a mentor with a place left is worth more than nothing")
    u = np.zeros(n_rows, dtype=np.int64)
    matched = np.flatnonzero(assignment >= 0)
    u[matched] = own[matched] - v[assignment[matched]]
    if (u < 0).any():
        raise NotOptimal("a mentee is worth more left waiting")
    return Potentials(rows=u, cols=v)


@dataclass(frozen=True)
class Priced:
    """Pairs left out with a positive reduced cost, and how many pairs the pricing scored."""

    rows: npt.NDArray[np.int32]
    cols: npt.NDArray[np.int32]
    scores: npt.NDArray[np.int32]
    improving: int  # how many of them have a positive reduced cost
    scored: int


def price(
    scorer: Scorer,
    duals: Potentials,
    value: Values,
    bound: npt.NDArray[np.int32],
    per_row: int,
    slack: int = 0,
) -> Priced:
    """Every compatible pair whose reduced cost is above -`slack` (at most `per_row` per
    mentee, the largest first), and how many of them are positive: only those could raise
    the total.

    `bound[r]` is the highest score any pair of row r outside the candidate graph can have
    (-1 when none is outside it): a row whose bound is worth no more than u[r] - slack
    prices nothing, and a mentor whose v is at least that bound minus u[r] plus slack is not
    scored. A pair already in the graph never has a positive reduced cost (the potentials
    cover it), but with a slack it may be returned again; merging removes the duplicate.
    """
    n_rows = len(bound)
    has = np.flatnonzero(bound >= 0).astype(np.intp)
    limit = np.full(n_rows, np.iinfo(np.int64).min, dtype=np.int64)
    limit[has] = value(bound[has], has) - duals.rows[has] + slack
    found_rows: list[npt.NDArray[np.int32]] = []
    found_cols: list[npt.NDArray[np.int32]] = []
    found_scores: list[npt.NDArray[np.int32]] = []
    scored = improving = 0
    for block, columns in bounded_blocks(limit, duals.cols):
        parts = scorer.components(block, columns)
        scored += parts.score.size
        reduced = (
            value(parts.score, block[:, None])
            - duals.rows[block][:, None]
            - duals.cols[columns][None, :]
        )
        reduced[parts.veto != 0] = NOT_ALLOWED
        improving += int((reduced > 0).sum())
        for k, row in enumerate(block.tolist()):
            positive = np.flatnonzero(reduced[k] > -slack)
            if not len(positive):
                continue
            if len(positive) > per_row:
                positive = positive[np.argsort(-reduced[k, positive], kind="stable")[:per_row]]
            found_rows.append(np.full(len(positive), row, dtype=np.int32))
            found_cols.append(columns[positive].astype(np.int32))
            found_scores.append(parts.score[k, positive].astype(np.int32))
    return Priced(
        rows=_join(found_rows),
        cols=_join(found_cols),
        scores=_join(found_scores),
        improving=improving,
        scored=scored,
    )


def _join(parts: Iterable[npt.NDArray[np.int32]]) -> npt.NDArray[np.int32]:
    listed = list(parts)
    return np.concatenate(listed) if listed else np.zeros(0, dtype=np.int32)
