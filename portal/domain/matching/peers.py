"""Peer rounds: a maximum-weight matching on the general graph of peers (rustworkx).

A pool of up to EXACT_PEER_LIMIT peers is solved on every compatible pair, so the round is
exact. A larger one keeps each peer's best candidates, with every candidate tied at the cut,
and under `participation` people left alone get their full lists; general graphs give no
dual potentials to prove such a round exact (bench/matching.py reports its gap to the
optimum). `balanced` fairness re-solves on a convex objective within a budget.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from portal.domain.matching.candidates import (
    BLOCK_PAIRS,
    Candidates,
    Graph,
    blocks,
    chunks,
    keep_best,
)
from portal.domain.matching.explain import explain_alone_peers
from portal.domain.matching.figures import peer_blocking_pairs, summary_figures
from portal.domain.matching.flow import (
    BALANCED_BUDGET,
    BALANCED_STEPS,
    FLOOR_SLACK,
    balanced_weights,
)
from portal.domain.matching.results import MatchedPair, MatchResult, Proof, points
from portal.domain.program import Program
from portal.domain.scoring import Scorer

# Peers up to which a round solves on every compatible pair (a few seconds at most), and so
# is exact; a larger pool solves on each peer's best candidates, ties at the cut kept.
EXACT_PEER_LIMIT = 1200


def match_peers(program: Program, scorer: Scorer, keep: int) -> MatchResult:
    """The best pairing of peers under the program\'s rules, each person in one pair at most."""
    import rustworkx as rx

    people = scorer.rows.people
    n = len(people)
    candidates = keep_best(scorer, keep, symmetric=True)
    participation = program.matching.objective == "participation"
    balanced = program.matching.fairness == "balanced"
    bonus = scorer.row_bonus.astype(np.int64)

    def solve(
        rows: npt.NDArray[np.int32],
        cols: npt.NDArray[np.int32],
        weights: npt.NDArray[np.int32],
        convexity: int = 0,
    ) -> npt.NDArray[np.int32]:
        graph = rx.PyGraph()
        graph.add_nodes_from(range(n))
        scale = 1000 if convexity else 1  # the blend's scale: a score of w is worth w * 1000
        objective = balanced_weights(weights, convexity) if convexity else weights.astype(np.int64)
        objective = objective + (bonus[rows] + bonus[cols]) * scale
        # Under `participation` the solver puts the most pairs first; +1 so that a 0-point
        # pair still counts. Under `score` the total comes first and, among equal totals,
        # more pairs: each pair is worth its score times (n + 1), plus 1.
        objective = objective + 1 if participation else objective * (n + 1) + 1
        graph.add_edges_from(
            [(int(a), int(b), int(w)) for a, b, w in zip(rows, cols, objective, strict=True)]
        )
        chosen = rx.max_weight_matching(graph, max_cardinality=participation, weight_fn=lambda w: w)
        partner = np.full(n, -1, dtype=np.int32)
        for a, b in chosen:
            partner[a], partner[b] = b, a
        return partner

    if n <= EXACT_PEER_LIMIT:
        # Small enough to solve on every compatible pair: exact by construction.
        rows, cols, weights = _every_pair(scorer)
        partner = solve(rows, cols, weights)
        proof = Proof(certified=True, passes=0)  # no pricing: every pair was solved on
    else:
        rows, cols, weights = candidates.graph.arrays()
        partner = solve(rows, cols, weights)
        proof = Proof(certified=False, passes=0)
        if participation:
            # Repair: people left alone who have compatible partners get their full lists.
            for _ in range(3):
                lonely = np.flatnonzero((partner < 0) & (candidates.compatible > 0))
                if len(lonely) == 0:
                    break
                graph = Graph()
                graph.add(rows, cols, weights)
                for row_block in chunks(lonely, max(1, BLOCK_PAIRS // max(n, 1))):
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
    return _peer_result(program, scorer, partner, candidates, proof)


def _every_pair(
    scorer: Scorer,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Every compatible pair of peers, each once (first < second), with its score."""
    n = len(scorer.rows)
    full = Graph()
    for row_block in blocks(n, n):
        parts = scorer.components(row_block)
        upper = (parts.veto == 0) & (row_block[:, None] < np.arange(n)[None, :])
        pair_rows, pair_cols = np.nonzero(upper)
        full.add(row_block[pair_rows], pair_cols, parts.score[pair_rows, pair_cols])
    return full.arrays()


def _peer_pair_scores(scorer: Scorer, partner: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """The scores (tenths) of the pairs in a peer matching, each pair once."""
    first = np.flatnonzero(partner > np.arange(len(partner))).astype(np.intp)
    if len(first) == 0:
        return np.zeros(0, dtype=np.int64)
    second = partner[first].astype(np.intp)
    return scorer.components(first, second, pairwise=True).score.astype(np.int64)


def _peer_result(
    program: Program,
    scorer: Scorer,
    partner: npt.NDArray[np.int32],
    candidates: Candidates,
    proof: Proof,
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
        pairs.append(MatchedPair(mentor=first, mentee=second, score=points(score), reasons=reasons))
    pairs.sort(key=lambda p: (p.mentor, p.mentee))
    unmatched = explain_alone_peers(scorer, partner, candidates=candidates)
    matched_scores = pair_scores[(partner >= 0) & (np.arange(len(people)) < partner)]
    figures = summary_figures(
        participants=len(people),
        mentors=0,
        mentees=len(people),
        people_matched=int((partner >= 0).sum()),
        pair_scores=matched_scores,
        in_top5=int(((pair_scores >= candidates.fifth_best) & (partner >= 0)).sum()),
        blocking=peer_blocking_pairs(scorer, partner, pair_scores),
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
        proof=proof,
    )
