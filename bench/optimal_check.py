"""Is the engine's matching exactly optimal? An independent check on any population.

    python bench/optimal_check.py --people people.csv --program program.md [--at 2026-03-02]

It takes the inputs `portal match` takes (a CSV or JSON file of participants and a program
slug or file), runs the engine, and computes the optimum on its own from EVERY compatible
pair (`portal.domain.matching.score_all_pairs`, no candidate lists, no pruning):

- bipartite formats (one-on-one, group, reverse, flash): a linear program solved by HiGHS
  (scipy.optimize.linprog), one variable per compatible pair, each mentee in at most one
  pair, each mentor in at most their capacity. The constraint matrix of a bipartite
  b-matching is totally unimodular, so the LP's optimal vertex is a matching (checked);
- peers: rustworkx's maximum-weight matching on the whole compatibility graph.

The objective is the program's: `participation` is most pairs first, then the highest total;
`score` is the highest total, then (the engine's tie rule) the most pairs among equal totals.
Both are folded into one integer weight per pair, so one solve gives the lexicographic optimum.
Totals are compared exactly, in tenths of a point (the engine's scores are whole tenths).

It prints both results and whether they agree; the exit status is 0 when they agree, 1 when
they do not, 2 when the arguments or the files are wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.catalog.documents import ContentError
from portal.catalog.programs import resolve_program
from portal.domain.imports import ImportProblem, parse_participants
from portal.domain.matches import capacity
from portal.domain.matching import MatchResult, match, score_all_pairs, split_roles
from portal.domain.participants import Participant
from portal.domain.program import Format, Program
from portal.domain.scoring.scorer import waiting_bonus

PROGRAMS = Path(__file__).resolve().parent.parent / "content" / "programs"


@dataclass(frozen=True)
class Outcome:
    """A matching's size, total score and total waiting bonus (tenths of a point)."""

    pairs: int
    total: int
    bonus: int = 0

    def key(self) -> tuple[int, int]:
        """What the objective compares: the pairs, and the scores plus the waiting bonuses
        (two optima may split that sum differently between scores and bonuses)."""
        return self.pairs, self.total + self.bonus

    def __str__(self) -> str:
        text = f"{self.pairs} pairs, total {self.total / 10:.1f}"
        return f"{text}, waiting bonus {self.bonus / 10:.1f}" if self.bonus else text


def tenths(score: float) -> int:
    """A score in points (one decimal) as whole tenths."""
    return round(score * 10)


def engine_outcome(result: MatchResult, bonus: Mapping[str, int] | None = None) -> Outcome:
    """What the engine's matching achieves, from its pairs (`bonus`: each person's waiting
    bonus in tenths, by address)."""
    bonus = bonus or {}
    peer = result.format == "peer"
    return Outcome(
        pairs=len(result.pairs),
        total=sum(tenths(p.score) for p in result.pairs),
        bonus=sum(
            bonus.get(p.mentee, 0) + (bonus.get(p.mentor, 0) if peer else 0) for p in result.pairs
        ),
    )


def bonuses(program: Program, people: Sequence[Participant]) -> dict[str, int]:
    """Each mentee's (peer's) waiting bonus in tenths, by address; mentors have none."""
    _, rows = split_roles(program, people)
    return dict(zip((p.email for p in rows), waiting_bonus(program, rows).tolist(), strict=True))


def compatible_pairs(
    program: Program, people: Sequence[Participant], *, now: datetime
) -> list[tuple[str, str, int]]:
    """Every pair the rules allow as (mentor or first peer, mentee or second peer, tenths)."""
    return [
        (pair.mentor, pair.mentee, tenths(pair.score))
        for pair in score_all_pairs(program, people, now=now)
        if pair.score is not None
    ]


def optimum(program: Program, people: Sequence[Participant], *, now: datetime) -> Outcome:
    """The best matching the rules allow, computed on every compatible pair."""
    pairs = compatible_pairs(program, people, now=now)
    if program.format is Format.PEER:
        return _peer_optimum(program, people, pairs)
    return _bipartite_optimum(program, people, pairs)


def _lexicographic(
    scores: npt.NDArray[np.int64], most_pairs_first: bool, max_pairs: int
) -> npt.NDArray[np.int64]:
    """One integer weight per pair, so that the heaviest matching is the objective's best."""
    if most_pairs_first:
        # Each pair is worth more than any total score: most pairs first, then the total.
        return scores + (int(scores.clip(min=0).sum()) + 1)
    # The total first: all the pairs together are worth less than one tenth of a point.
    return scores * (max_pairs + 1) + 1


def _bipartite_optimum(
    program: Program, people: Sequence[Participant], pairs: list[tuple[str, str, int]]
) -> Outcome:
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    mentors, mentees = split_roles(program, people)
    if not pairs:
        return Outcome(0, 0)
    mentor_at = {p.email: k for k, p in enumerate(mentors)}
    mentee_at = {p.email: k for k, p in enumerate(mentees)}
    cols = np.array([mentor_at[a] for a, _, _ in pairs], dtype=np.int64)
    rows = np.array([mentee_at[b] for _, b, _ in pairs], dtype=np.int64)
    scores = np.array([s for _, _, s in pairs], dtype=np.int64)
    bonus_of = bonuses(program, people)
    bonus = np.array([bonus_of[b] for _, b, _ in pairs], dtype=np.int64)
    n = len(pairs)
    weights = _lexicographic(
        scores + bonus, program.matching.objective == "participation", len(mentees)
    )
    # Constraint rows: one per mentee (at most one pair), then one per mentor (capacity).
    a_ub = coo_matrix(
        (
            np.ones(2 * n),
            (np.concatenate([rows, len(mentees) + cols]), np.concatenate([np.arange(n)] * 2)),
        ),
        shape=(len(mentees) + len(mentors), n),
    ).tocsr()
    b_ub = np.concatenate(
        [np.ones(len(mentees)), [capacity(program, mentor) for mentor in mentors]]
    )
    # Dual simplex: the answer is a vertex, integral by total unimodularity.
    solved = linprog(
        -weights.astype(np.float64), A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs-ds"
    )
    if solved.status != 0:
        raise RuntimeError(f"the linear program failed: {solved.message}")
    x = np.asarray(solved.x)
    chosen = np.rint(x).astype(np.int64)
    if np.abs(x - chosen).max(initial=0) > 1e-6:
        raise RuntimeError("the linear program's optimum is not integral")
    if int((weights * chosen).sum()) != round(-solved.fun):
        raise RuntimeError("the rounded matching does not reach the linear program's optimum")
    return Outcome(
        pairs=int(chosen.sum()),
        total=int((scores * chosen).sum()),
        bonus=int((bonus * chosen).sum()),
    )


def _peer_optimum(
    program: Program, people: Sequence[Participant], pairs: list[tuple[str, str, int]]
) -> Outcome:
    import rustworkx as rx

    at = {p.email: k for k, p in enumerate(people)}
    bonus_of = bonuses(program, people)
    bonus = np.array([bonus_of[a] + bonus_of[b] for a, b, _ in pairs], dtype=np.int64)
    scores = np.array([s for _, _, s in pairs], dtype=np.int64)
    participation = program.matching.objective == "participation"
    # Under `participation` rustworkx maximises the number of pairs itself; under `score`
    # the weight folds the tie rule (more pairs among equal totals) into the score.
    worth = scores + bonus
    weights = worth if participation else _lexicographic(worth, False, len(people) // 2)
    graph = rx.PyGraph()
    graph.add_nodes_from(range(len(people)))
    graph.add_edges_from(
        [(at[a], at[b], int(w)) for (a, b, _), w in zip(pairs, weights, strict=True)]
    )
    score_of = {(at[a], at[b]): s for a, b, s in pairs}
    chosen = rx.max_weight_matching(graph, max_cardinality=participation, weight_fn=int)
    total = sum(score_of.get((a, b), score_of.get((b, a), 0)) for a, b in chosen)
    by_index = {at[email]: tenths_ for email, tenths_ in bonus_of.items()}
    return Outcome(
        pairs=len(chosen), total=total, bonus=sum(by_index[a] + by_index[b] for a, b in chosen)
    )


def check(
    program: Program,
    people: Sequence[Participant],
    *,
    now: datetime,
    candidates: int | None = None,
) -> tuple[Outcome, Outcome]:
    """(the engine's outcome, the independent optimum) for the same people and moment."""
    result = match(program, people, now=now, candidates=candidates)
    return engine_outcome(result, bonuses(program, people)), optimum(program, people, now=now)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare the engine's matching with an independent exact optimum."
    )
    parser.add_argument(
        "--people", required=True, type=Path, help="a CSV or JSON file of participants"
    )
    parser.add_argument(
        "--program", required=True, help="a program file, or a slug from content/programs"
    )
    parser.add_argument(
        "--at",
        help="the moment availability is compared at, YYYY-MM-DD or YYYY-MM-DDTHH:MM in UTC "
        "(default: now), as `portal match --at`",
    )
    parser.add_argument(
        "--candidates",
        type=int,
        help="candidates the engine keeps per person before solving (default: the engine's)",
    )
    return parser.parse_args(argv)


def _moment(text: str | None) -> datetime:
    """The moment `--at` names (UTC), or now."""
    if text is None:
        return datetime.now(UTC)
    for pattern in ("%Y-%m-%d", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"--at: {text!r} is not a date YYYY-MM-DD or YYYY-MM-DDTHH:MM")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check; 0 when the engine is optimal, 1 when not, 2 on bad input."""
    args = _arguments(argv)

    def fail(message: str) -> int:
        print(f"optimal_check: {message}", file=sys.stderr)
        return 2

    try:
        now = _moment(args.at)
    except ValueError as exc:
        return fail(str(exc))
    if args.candidates is not None and args.candidates < 1:
        return fail(f"--candidates: {args.candidates} must be 1 or more")
    try:
        program = resolve_program(args.program, PROGRAMS)
    except ContentError as exc:
        return fail(f"--program: {exc}")
    source: Path = args.people
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return fail(f"--people: {source}: no such file")
    except IsADirectoryError:
        return fail(f"--people: {source}: is a folder, not a file")
    except UnicodeDecodeError:
        return fail(f"--people: {source}: is not UTF-8 text")
    kind = "json" if source.suffix.lower() == ".json" else "csv"
    try:
        people = parse_participants(text, program, kind=kind)
    except ImportProblem as problem:
        print(
            f"optimal_check: --people: {source}: {len(problem.errors)} problem(s):", file=sys.stderr
        )
        for line in problem.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    if program.matching.fairness == "balanced":
        return fail(
            "--program: fairness: balanced trades up to half a percent of the total score for "
            "fairer pairs by design, so there is no single optimum to compare with; check the "
            "program with fairness: none"
        )
    ours, best = check(program, people, now=now, candidates=args.candidates)
    print(f"program:  {program.slug} ({program.format.value}, {program.matching.objective})")
    print(f"people:   {len(people)}")
    print(f"engine:   {ours}")
    print(f"optimum:  {best}  (independent: every compatible pair, no pruning)")
    if ours.key() == best.key():
        print("agree: the engine's matching is exactly optimal")
        return 0
    short = (best.total + best.bonus - ours.total - ours.bonus) / 10
    print(
        f"DISAGREE: the engine is {best.pairs - ours.pairs} pair(s) and "
        f"{short:.1f} points (scores and waiting bonuses) short of the optimum"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
