"""Matching benchmark: time, memory and quality against the exact optimum and a greedy baseline.

    python bench/matching.py            # 500, 2,000 and 10,000 bipartite; 2,000 peer;
                                        # ERG (tie-heavy) 2,000 and 10,000
    python bench/matching.py --large    # also 50,000 bipartite
    python bench/matching.py --case one-on-one:2000   # one case (what the driver runs)

Each case runs in a fresh process so that its peak memory (ru_maxrss) is its own. The
optimum is computed independently: scipy's HiGHS linear program on the whole compatibility
graph (a bipartite b-matching LP has integral optima) where it fits, else OR-Tools on every
compatible pair without pruning. The greedy baseline takes the best remaining pair first,
as most mentoring tools do.

The `erg` cases are tie-heavy: an ERG-style one-on-one program whose score comes from two
categorical answers only (same profession, shared identity), so a pair scores one of four
values (neither, identity, profession, both); same department excluded and the mentor at
least one grade above (seniority `must`). With hundreds of candidates tied at each score,
a cut to each mentee's best candidates is arbitrary; `zero_pairs` counts the pairs with 0
points, ours and the optimum's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.population import NOW, bench_program, erg_population, erg_program, population
from portal.domain.matching import match, split_roles
from portal.domain.matching.candidates import blocks
from portal.domain.matching.figures import blocking_pairs
from portal.domain.matching.flow import capacities, solve_flow
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.domain.scoring import Scorer

TARGETS = {
    "one-on-one:10000": {"seconds": 20, "peak_mb": 1536},
    "one-on-one:50000": {"seconds": 30, "peak_mb": 1024},
    "peer:2000": {"seconds": 10},
}
CASES = [
    "one-on-one:500",
    "one-on-one:2000",
    "one-on-one:10000",
    "peer:2000",
    "erg:2000",
    "erg:10000",
]
DENSE_LIMIT = 5_000_000  # matrix cells up to which the dense assignment solver is used


def _setting(
    fmt: str, size: int, objective: str, fairness: str = "none"
) -> tuple[Program, list[Participant]]:
    """The program and its people for a case: `erg` is the tie-heavy one-on-one program."""
    if fmt == "erg":
        program = erg_program(objective=objective, fairness=fairness)
        return program, erg_population(program, size)
    program = bench_program(fmt, objective=objective, fairness=fairness)
    return program, population(program, size)


def _all_compatible(scorer: Scorer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols, scores = [], [], []
    for block in blocks(len(scorer.rows), len(scorer.cols)):
        parts = scorer.components(block)
        r, c = np.nonzero(parts.veto == 0)
        rows.append(block[r].astype(np.int32))
        cols.append(c.astype(np.int32))
        scores.append(parts.score[r, c].astype(np.int32))
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(scores)


def _lsa_optimum(
    n_rows: int, n_cols: int, capacity: np.ndarray, rows, cols, scores, most_first: bool
) -> tuple[int, float, int]:
    """(pairs, total in tenths, pairs scoring 0) of the optimum by linear_sum_assignment.

    An algorithm independent of ours (Jonker-Volgenant on a dense matrix). With
    `most_first`, each pair is worth a bonus larger than any total score, so the number of
    pairs comes first.
    """
    from scipy.optimize import linear_sum_assignment

    seats_of = np.repeat(np.arange(n_cols), capacity)
    first_seat = np.concatenate([[0], np.cumsum(capacity)[:-1]])
    bonus = float(1000 * (n_rows + 1)) if most_first else 0.0
    value = np.zeros((n_rows, len(seats_of)), dtype=np.float64)
    for seat in range(int(capacity.max(initial=0))):
        has = capacity[cols] > seat
        value[rows[has], first_seat[cols[has]] + seat] = scores[has] + bonus + 1e-3
    chosen_rows, chosen_seats = linear_sum_assignment(value, maximize=True)
    picked = value[chosen_rows, chosen_seats] > 0  # compatible pairs only
    pair_scores = np.round(value[chosen_rows, chosen_seats][picked] - bonus - 1e-3)
    return int(picked.sum()), float(pair_scores.sum()), int((pair_scores == 0).sum())


def _flow_optimum(
    n_rows: int, n_cols: int, capacity: np.ndarray, rows, cols, scores, most_first: bool
) -> tuple[int, float, int]:
    assignment = solve_flow(
        n_rows, n_cols, capacity, rows, cols, scores.astype(np.int64), most_first
    )
    lookup = {(int(r), int(c)): int(s) for r, c, s in zip(rows, cols, scores, strict=True)}
    pair_scores = [lookup[(r, int(assignment[r]))] for r in np.flatnonzero(assignment >= 0)]
    zero = sum(1 for score in pair_scores if score == 0)
    return int((assignment >= 0).sum()), float(sum(pair_scores)), zero


def _greedy(scorer: Scorer, capacity: np.ndarray, rows, cols, scores) -> np.ndarray:
    """Best pair first: what a stable matching with one shared score reduces to."""
    order = np.lexsort((cols, rows, -scores))
    assignment = np.full(len(scorer.rows), -1, dtype=np.int32)
    load = np.zeros(len(scorer.cols), dtype=np.int64)
    for k in order.tolist():
        r, c = int(rows[k]), int(cols[k])
        if assignment[r] < 0 and load[c] < capacity[c]:
            assignment[r] = c
            load[c] += 1
    return assignment


def _assignment_figures(
    scorer: Scorer, assignment: np.ndarray, capacity: np.ndarray
) -> dict[str, Any]:
    matched = np.flatnonzero(assignment >= 0).astype(np.intp)
    scores = np.full(len(scorer.rows), -1, dtype=np.int32)
    scores[matched] = scorer.components(
        matched, assignment[matched].astype(np.intp), pairwise=True
    ).score
    load = np.bincount(assignment[matched], minlength=len(scorer.cols))
    b5, b10, b20, rows10 = blocking_pairs(scorer, assignment, scores, load, capacity)
    values = scores[matched] / 10
    return {
        "pairs": len(matched),
        "total": float(values.sum()),
        "min": float(values.min()) if len(values) else 0.0,
        "blocking": b5,
        "blocking_10": b10,
        "blocking_20": b20,
        "mentees_blocking_10_pct": round(100 * rows10 / max(len(scorer.rows), 1), 2),
    }


def run_engine(name: str) -> dict[str, Any]:
    """Our engine alone, so that the peak memory is its own."""
    fmt, size_text = name.split(":")
    size = int(size_text)
    report: dict[str, Any] = {"case": name}
    for objective, fairness in (
        ("participation", "none"),
        ("score", "none"),
        ("participation", "balanced"),
    ):
        if fmt == "peer" and fairness == "balanced":
            continue
        if size >= 50_000 and (objective, fairness) != ("participation", "none"):
            continue
        program, people = _setting(fmt, size, objective, fairness)
        started = time.perf_counter()
        result = match(program, people, now=NOW)
        seconds = time.perf_counter() - started
        figures = result.figures
        report[f"{objective}/{fairness}"] = {
            "seconds": round(seconds, 2),
            "pairs": figures.pairs,
            "matched_pct": figures.matched_pct,
            "mentees_matched_pct": figures.mentees_matched_pct,
            "total": figures.total_score,
            "mean": figures.mean_score,
            "min": figures.min_score,
            "p10": figures.p10_score,
            "top5_pct": figures.top5_pct,
            "blocking": figures.blocking_pairs,
            "blocking_10": figures.blocking_pairs_10,
            "blocking_20": figures.blocking_pairs_20,
            "mentees_blocking_10_pct": figures.mentees_blocking_10_pct,
            "zero_pairs": sum(1 for pair in result.pairs if pair.score == 0),
            "certified": result.proof.certified,
            "passes": result.proof.passes,
        }
    report["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


def run_reference(name: str) -> dict[str, Any]:
    """The exact optimum by an independent solver, and the greedy baseline, on the same scores."""
    fmt, size_text = name.split(":")
    report: dict[str, Any] = {}
    if fmt == "peer":
        return _peer_reference(int(size_text))
    if int(size_text) >= 50_000:
        return report
    for objective in ("participation", "score"):
        started = time.perf_counter()
        program, people = _setting(fmt, int(size_text), objective)
        mentors, mentees = split_roles(program, people)
        scorer = Scorer(program, mentors, mentees, now=NOW)
        capacity = capacities(program, mentors)
        rows, cols, scores = _all_compatible(scorer)
        most_first = objective == "participation"
        if len(mentees) * int(capacity.sum()) <= DENSE_LIMIT:
            pairs, total, zero = _lsa_optimum(
                len(mentees), len(mentors), capacity, rows, cols, scores, most_first
            )
            method = "scipy linear_sum_assignment, all pairs"
        else:
            pairs, total, zero = _flow_optimum(
                len(mentees), len(mentors), capacity, rows, cols, scores, most_first
            )
            method = "OR-Tools min-cost flow, all pairs, no pruning"
        report[f"{objective}/none"] = {
            "method": method,
            "pairs": pairs,
            "total": round(total / 10, 1),
            "zero_pairs": zero,
            "seconds": round(time.perf_counter() - started, 1),
        }
        if most_first:
            report["greedy"] = _assignment_figures(
                scorer, _greedy(scorer, capacity, rows, cols, scores), capacity
            )
    report["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return report


def _peer_reference(size: int) -> dict[str, Any]:
    """The optimum of a peer round: rustworkx on every compatible pair, no pruning."""
    import rustworkx as rx

    report: dict[str, Any] = {}
    for objective in ("participation", "score"):
        program = bench_program("peer", objective=objective)
        people = population(program, size)
        scorer = Scorer(program, people, people, now=NOW)
        rows, cols, scores = _all_compatible(scorer)
        upper = rows < cols
        graph = rx.PyGraph()
        graph.add_nodes_from(range(size))
        graph.add_edges_from(
            [
                (int(a), int(b), int(w) + 1)
                for a, b, w in zip(rows[upper], cols[upper], scores[upper], strict=True)
            ]
        )
        chosen = rx.max_weight_matching(
            graph, max_cardinality=objective == "participation", weight_fn=lambda w: w
        )
        total = sum(graph.get_edge_data(a, b) - 1 for a, b in chosen)
        report[f"{objective}/none"] = {
            "method": "rustworkx max_weight_matching, all pairs, no pruning",
            "pairs": len(chosen),
            "total": round(total / 10, 1),
        }
    return report


def run_case(name: str) -> dict[str, Any]:
    """Engine and reference, each in a fresh process."""
    report = _subprocess(name, "engine")
    reference = _subprocess(name, "reference")
    for key, optimum in reference.items():
        if key == "greedy":
            report["greedy"] = optimum
            continue
        if key == "peak_mb":
            report["reference_peak_mb"] = optimum
            continue
        ours = report[key]
        ours["optimum"] = optimum
        ours["pct_of_optimum"] = (
            round(100 * ours["total"] / optimum["total"], 3) if optimum["total"] else 100.0
        )
        if key.startswith("participation"):
            ours["max_pairs_rules_allow"] = optimum["pairs"]
    return report


def _subprocess(name: str, part: str) -> dict[str, Any]:
    output = subprocess.run(  # noqa: S603 - this script, in a fresh process
        [sys.executable, __file__, "--case", name, "--part", part],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _mark(ok: bool) -> str:
    return "MET " if ok else "MISS"


def check(report: dict[str, Any]) -> list[str]:
    """The issue's targets, each as a line that says whether it was met."""
    lines = []
    main = report.get("participation/none", {})
    target = TARGETS.get(report["case"], {})
    if "seconds" in target:
        ok = main["seconds"] <= target["seconds"]
        lines.append(
            f"{'MET ' if ok else 'MISS'} time {main['seconds']} s <= {target['seconds']} s"
        )
    if "peak_mb" in target:
        ok = report["peak_mb"] <= target["peak_mb"]
        lines.append(
            f"{'MET ' if ok else 'MISS'} peak {report['peak_mb']} MB <= {target['peak_mb']} MB"
        )
    for key in ("participation/none", "score/none", "participation/balanced"):
        figures = report.get(key, {})
        if "certified" in figures and not report["case"].startswith("peer"):
            ok = figures["certified"]
            lines.append(
                f"{_mark(ok)} {key}: certified exact in {figures['passes']} pricing pass(es)"
                if ok
                else f"MISS {key}: not certified after {figures['passes']} passes"
            )
    for key in ("participation/none", "score/none"):
        figures = report.get(key, {})
        if "pct_of_optimum" in figures:
            ok = figures["pct_of_optimum"] >= 99.9
            pct = figures["pct_of_optimum"]
            lines.append(f"{_mark(ok)} {key}: {pct}% of the optimum (>= 99.9%)")
    for key in ("participation/none", "score/none"):
        figures = report.get(key, {})
        if "zero_pairs" in figures.get("optimum", {}):
            ok = figures["zero_pairs"] <= figures["optimum"]["zero_pairs"]
            lines.append(
                f"{_mark(ok)} {key}: {figures['zero_pairs']} pairs with 0 points "
                f"(the optimum found has {figures['optimum']['zero_pairs']})"
            )
    if "max_pairs_rules_allow" in main:
        ok = main["pairs"] == main["max_pairs_rules_allow"]
        possible = main["max_pairs_rules_allow"]
        lines.append(f"{_mark(ok)} participation: {main['pairs']} pairs of {possible} possible")
    # The greedy and balanced targets were set for the benchmark population. On the
    # tie-heavy ERG population (four score levels) greedy is already close to the optimum,
    # and a blocking pair's margin is 40 or 60 points or none: they are printed as
    # information there, not as targets.
    info = report["case"].startswith("erg")

    def verdict(ok: bool) -> str:
        return "info" if info else _mark(ok)

    greedy = report.get("greedy")
    if greedy:
        gain = 100 * (main["total"] / greedy["total"] - 1)
        lines.append(f"{verdict(gain >= 2)} vs greedy: {gain:+.2f}% total score (>= +2%)")
        ok = main["min"] > greedy["min"]
        lines.append(f"{verdict(ok)} vs greedy: minimum {main['min']} > {greedy['min']}")
    balanced = report.get("participation/balanced")
    if balanced:
        loss = 100 * (1 - balanced["total"] / main["total"])
        ok = (
            balanced["blocking_20"] == 0 and balanced["mentees_blocking_10_pct"] <= 1 and loss < 0.5
        )
        lines.append(
            f"{verdict(ok)} balanced: {balanced['blocking_20']} blocking pairs >= 20 points, "
            f"{balanced['mentees_blocking_10_pct']}% of mentees in one >= 10, "
            f"total {loss:.2f}% lower"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--case", help="run one case, e.g. one-on-one:2000")
    parser.add_argument("--part", choices=["engine", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--large", action="store_true", help="also run 50,000 participants")
    args = parser.parse_args()
    if args.case and args.part:
        print(
            json.dumps(run_engine(args.case) if args.part == "engine" else run_reference(args.case))
        )
        return
    cases = [args.case] if args.case else list(CASES)
    if args.large:
        cases.append("one-on-one:50000")
    for case in cases:
        report = run_case(case)
        reference_peak = report.get("reference_peak_mb")
        also = f"; reference {reference_peak} MB" if reference_peak else ""
        print(f"\n== {case} (peak {report['peak_mb']} MB, engine only{also})")
        for key, figures in report.items():
            if isinstance(figures, dict) and key != "reference_peak_mb":
                print(f"  {key:24} {json.dumps(figures)}")
        for line in check(report):
            print(f"  {line}", flush=True)


if __name__ == "__main__":
    main()
