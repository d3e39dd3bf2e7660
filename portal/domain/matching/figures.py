"""The figures of a matching: totals, scores, and the pairs who would rather leave (blocking).

A blocking pair is two people, not matched with each other, who would both gain by leaving
their matches for each other; few of them means a matching close to stable.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from portal.domain.matching.candidates import blocks, bounded_blocks
from portal.domain.matching.results import Figures, points
from portal.domain.scoring import SCALE, Scorer

BLOCKING_MARGIN = 50  # 5 points, in tenths: both would gain at least this much


def summary_figures(
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
    """The figures of a matching, from its pair scores (tenths, -1 for a row left out)."""
    matched_rows = int((pair_scores >= 0).sum()) if mentors else people_matched
    scores = pair_scores[pair_scores >= 0].astype(np.float64)
    return Figures(
        participants=participants,
        mentors=mentors,
        mentees=mentees,
        pairs=len(scores),
        matched_pct=round(100.0 * people_matched / participants, 1) if participants else 0.0,
        mentees_matched_pct=round(100.0 * matched_rows / mentees, 1) if mentees else 0.0,
        total_score=points(float(scores.sum())),
        mean_score=points(float(scores.mean())) if len(scores) else 0.0,
        min_score=points(float(scores.min())) if len(scores) else 0.0,
        p10_score=points(float(np.percentile(scores, 10))) if len(scores) else 0.0,
        top5_pct=round(100.0 * in_top5 / matched_rows, 1) if matched_rows else 0.0,
        blocking_pairs=blocking[0],
        blocking_pairs_10=blocking[1],
        blocking_pairs_20=blocking[2],
        mentees_blocking_10_pct=round(100.0 * blocking[3] / mentees, 2) if mentees else 0.0,
        capacity=capacity,
        seats_used=seats_used,
    )


def lowest_taken(
    assignment: npt.NDArray[np.int32], pair_scores: npt.NDArray[np.int32], n_cols: int
) -> npt.NDArray[np.int32]:
    """Per column, the lowest score among the rows assigned to it (above any score if none)."""
    lowest = np.full(n_cols, SCALE + 1, dtype=np.int32)
    matched = np.flatnonzero(assignment >= 0)
    np.minimum.at(lowest, assignment[matched], pair_scores[matched])
    return lowest


def blocking_pairs(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    best: npt.NDArray[np.int32] | None = None,
) -> tuple[int, int, int, int]:
    """Counts of pairs who would both gain 5, 10 and 20 points by leaving for each other, and
    the number of rows in a pair with a margin of 10.

    With `best` (each row's best compatible score), only pairs that could block are scored:
    a row can gain at most best - its own score, and a column at most best - its weakest.
    """
    n_rows, n_cols = len(scorer.rows), len(scorer.cols)
    current = np.where(assignment >= 0, pair_scores, 0).astype(np.int32)
    # A full mentor gains by swapping their weakest pair; one with room gains from any pair.
    worst = np.where(load >= capacity, lowest_taken(assignment, pair_scores, n_cols), 0)
    if best is None:
        best = np.full(n_rows, SCALE, dtype=np.int32)
    reach = best.astype(np.int64)
    limit = np.where(reach - current >= BLOCKING_MARGIN, reach - BLOCKING_MARGIN + 1, 0)
    counts = [0, 0, 0]
    rows_10 = 0
    for rows, columns in bounded_blocks(limit, worst.astype(np.int64)):
        parts = scorer.components(rows, columns)
        gain_row = parts.score - current[rows][:, None]
        gain_col = parts.score - worst[columns][None, :]
        margin = np.minimum(gain_row, gain_col)
        margin[parts.veto != 0] = -1
        own = assignment[rows]
        position = np.full(n_cols, -1, dtype=np.intp)
        position[columns] = np.arange(len(columns))
        has = (own >= 0) & (position[np.maximum(own, 0)] >= 0)
        margin[np.flatnonzero(has), position[own[has]]] = -1
        for k, threshold in enumerate((BLOCKING_MARGIN, 100, 200)):
            counts[k] += int((margin >= threshold).sum())
        rows_10 += int((margin >= 100).any(axis=1).sum())
    return counts[0], counts[1], counts[2], rows_10


def peer_blocking_pairs(
    scorer: Scorer, partner: npt.NDArray[np.int32], pair_scores: npt.NDArray[np.int32]
) -> tuple[int, int, int, int]:
    """`blocking_pairs` for peers: each unordered pair once, a person's partner given by index."""
    n = len(scorer.rows)
    current = np.where(partner >= 0, pair_scores, 0).astype(np.int32)
    counts = [0, 0, 0]
    rows_10 = 0
    for rows in blocks(n, n):
        parts = scorer.components(rows)
        margin = np.minimum(parts.score - current[rows][:, None], parts.score - current[None, :])
        margin[parts.veto != 0] = -1
        own = partner[rows]
        has = own >= 0
        margin[np.flatnonzero(has), own[has]] = -1
        upper = rows[:, None] < np.arange(n)[None, :]
        for k, threshold in enumerate((BLOCKING_MARGIN, 100, 200)):
            counts[k] += int(((margin >= threshold) & upper).sum())
        rows_10 += int((margin >= 100).any(axis=1).sum())
    return counts[0], counts[1], counts[2], rows_10
