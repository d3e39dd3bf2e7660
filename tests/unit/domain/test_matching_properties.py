"""Properties of matching random pools, checked against rules and optima computed independently.

The must rules are re-implemented here from the Participant fields (not read from the engine's
vetoes), the largest matching comes from scipy's bipartite matching on a graph with one column
per mentor seat (or from the rank of a Tutte matrix for peers), and the best total from scipy's
linear_sum_assignment on the engine's own scores.
"""

from __future__ import annotations

import random
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from bench.population import NOW as BENCH_NOW
from bench.population import bench_program, population
from portal.domain.matching import MatchResult, match, score_all_pairs, split_roles
from portal.domain.participants import SENIORITY_KEYS, SLOTS, Participant, Role, Status
from portal.domain.program import Format, Program
from tests.factories import NOW, TOPICS

LANGUAGES = ("English", "Spanish", "Hindi")
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Pacific/Auckland",
)
DEPARTMENTS = ("", "Sales", "IT", "HR")
SOME_SLOTS = tuple(s for s in SLOTS if s.startswith(("mon", "tue", "sat")))
BIPARTITE = ("one-on-one", "group", "reverse", "flash")
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- pools ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    program: Program
    people: tuple[Participant, ...]
    history: tuple[frozenset[str], ...]


@st.composite
def pools(draw: st.DrawFn, formats: Sequence[str], fairness: Sequence[str] = ("none",)) -> Pool:
    fmt = draw(st.sampled_from(formats))
    peer = fmt == "peer"
    weights = {
        "languages": "must",
        "skills": draw(st.sampled_from(["must", "high", "low"])),
        "timezone": draw(st.sampled_from(["medium", "off"])),
        "availability": draw(st.sampled_from(["medium", "low"])),
        "seniority": draw(st.sampled_from(["off", "low"] if peer else ["must", "low", "off"])),
    }
    prog = Program.model_validate(
        {
            "title": "Property",
            "slug": "property",
            "format": fmt,
            "organizers": ["organizer@example.org"],
            "capacity": 1 if peer else draw(st.integers(1, 3)),
            "approval": "auto",
            "topics": list(TOPICS),
            "languages": list(LANGUAGES),
            "matching": {
                "objective": draw(st.sampled_from(["participation", "score"])),
                "fairness": draw(st.sampled_from(list(fairness))),
                "weights": weights,
                "exclude_same_department": True,
                "max_timezone_gap_hours": draw(st.sampled_from([None, 3, 6])),
                "no_repeat_pairs": draw(st.booleans()),
                # The optima here are over the rules alone; the floor has a property of its own.
                "min_score": 0,
            },
        }
    )
    size = draw(st.integers(2, 25))
    people = []
    for index in range(size):
        role = Role.PEER if peer else draw(st.sampled_from([Role.MENTOR, Role.MENTEE]))
        email = f"p{index:02d}@example.org"
        people.append(
            Participant(
                program="property",
                email=email,
                participant_id=email,
                role=role,
                name=f"Person {index}",
                timezone=draw(st.sampled_from(ZONES)),
                languages=tuple(
                    draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))
                ),
                availability=tuple(
                    draw(st.lists(st.sampled_from(SOME_SLOTS), max_size=4, unique=True))
                ),
                skills=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True)))
                if role is not Role.MENTEE
                else (),
                # Peers always seek something: see test_peers_without_goals_... in test_scoring.
                goals=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(TOPICS),
                            min_size=1 if peer else 0,
                            max_size=3,
                            unique=True,
                        )
                    )
                )
                if role is not Role.MENTOR
                else (),
                department=draw(st.sampled_from(DEPARTMENTS)),
                seniority=draw(st.sampled_from(("", *SENIORITY_KEYS))),
                capacity=draw(st.integers(1, 3)) if role is Role.MENTOR else 1,
                status=Status.CONFIRMED,
            )
        )
    earlier = draw(
        st.lists(
            st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)).filter(
                lambda pair: pair[0] != pair[1]
            ),
            max_size=6,
        )
    )
    history = tuple(frozenset({people[a].email, people[b].email}) for a, b in earlier)
    return Pool(prog, tuple(people), history)


# -- the rules, again -------------------------------------------------------------------------


def _offset_minutes(zone: str) -> int:
    offset = NOW.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def _fold(items: Sequence[str]) -> set[str]:
    return {item.strip().casefold() for item in items}


def allowed(pool: Pool, mentor: Participant, mentee: Participant) -> bool:
    """Whether the program's must rules let these two be paired (mentor/mentee or two peers)."""
    prog = pool.program
    matching = prog.matching
    peer = prog.format is Format.PEER
    if mentor.email == mentee.email:
        return False
    if not _fold(mentor.languages) & _fold(mentee.languages):
        return False
    if matching.weights.skills == "must":
        offered = bool(_fold(mentee.goals) & _fold(mentor.skills))
        if peer:
            offered = offered or bool(_fold(mentor.goals) & _fold(mentee.skills))
        elif not mentee.goals:
            offered = True  # nothing sought, nothing missing
        if not offered:
            return False
    if matching.weights.seniority == "must" and not peer and mentor.seniority and mentee.seniority:
        ahead = SENIORITY_KEYS.index(mentor.seniority) - SENIORITY_KEYS.index(mentee.seniority)
        if prog.format is Format.REVERSE:
            ahead = -ahead
        if ahead < 1:
            return False
    if matching.max_timezone_gap_hours is not None:
        apart = abs(_offset_minutes(mentor.timezone) - _offset_minutes(mentee.timezone)) % 1440
        if min(apart, 1440 - apart) / 60 > matching.max_timezone_gap_hours:
            return False
    if (
        matching.exclude_same_department
        and mentor.department.strip()
        and mentor.department.strip().casefold() == mentee.department.strip().casefold()
    ):
        return False
    repeats_barred = matching.no_repeat_pairs or prog.format is Format.FLASH
    return not (repeats_barred and frozenset({mentor.email, mentee.email}) in pool.history)


def seat_limit(pool: Pool, mentor: Participant) -> int:
    if pool.program.format is Format.FLASH:
        return 1
    return min(mentor.capacity, pool.program.capacity)


def run(pool: Pool, **kwargs: Any) -> MatchResult:
    return match(pool.program, pool.people, now=NOW, history=pool.history, **kwargs)


def engine_scores(pool: Pool) -> dict[tuple[str, str], int]:
    """The engine's score in tenths for every pair it allows, keyed (mentor, mentee)."""
    return {
        (pair.mentor, pair.mentee): round(pair.score * 10)
        for pair in score_all_pairs(pool.program, pool.people, now=NOW, history=pool.history)
        if pair.score is not None
    }


# -- independent optima -----------------------------------------------------------------------


def seat_matrix(pool: Pool) -> tuple[list[Participant], list[Participant], np.ndarray]:
    """Mentees x mentor seats: True where the rules allow the pair."""
    mentors, mentees = split_roles(pool.program, pool.people)
    seats = [m for m in mentors for _ in range(seat_limit(pool, m))]
    ok = np.array(
        [[allowed(pool, seat, person) for seat in seats] for person in mentees], dtype=bool
    ).reshape(len(mentees), len(seats))
    return mentees, seats, ok


def most_pairs(ok: np.ndarray) -> int:
    if ok.size == 0:
        return 0
    matched = maximum_bipartite_matching(csr_matrix(ok.astype(np.int8)), perm_type="column")
    return int((matched >= 0).sum())


def best_total(weights: np.ndarray, ok: np.ndarray, bonus: int = 0) -> tuple[int, int]:
    """(pairs, total) of the assignment maximising bonus * pairs + total over allowed cells."""
    if ok.size == 0:
        return 0, 0
    value = np.where(ok, weights + bonus, 0)
    rows, cols = linear_sum_assignment(value, maximize=True)
    chosen = ok[rows, cols] & (value[rows, cols] > 0)
    return int(chosen.sum()), int(weights[rows, cols][chosen].sum())


_PRIME = (1 << 61) - 1


def tutte_rank(n: int, edges: Sequence[tuple[int, int]], seed: int) -> int:
    """Rank over GF(p) of a Tutte matrix with random entries: twice the largest matching, w.h.p."""
    rng = random.Random(seed)
    matrix = [[0] * n for _ in range(n)]
    for a, b in edges:
        value = rng.randrange(1, _PRIME)
        matrix[a][b], matrix[b][a] = value, _PRIME - value
    rank = 0
    for column in range(n):
        pivot = next((r for r in range(rank, n) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        inverse = pow(matrix[rank][column], _PRIME - 2, _PRIME)
        for r in range(n):
            if r != rank and matrix[r][column]:
                factor = matrix[r][column] * inverse % _PRIME
                matrix[r] = [
                    (x - factor * y) % _PRIME for x, y in zip(matrix[r], matrix[rank], strict=True)
                ]
        rank += 1
    return rank


def most_peer_pairs(n: int, edges: Sequence[tuple[int, int]]) -> int:
    # A random evaluation can only lose rank, so the larger of two is the safer answer.
    return max(tutte_rank(n, edges, seed) for seed in (1, 2)) // 2


def test_the_tutte_oracle_knows_small_graphs() -> None:
    assert most_peer_pairs(4, [(0, 1), (1, 2), (2, 3)]) == 2
    assert most_peer_pairs(3, [(0, 1), (1, 2), (0, 2)]) == 1  # a triangle
    assert most_peer_pairs(4, [(0, 1), (0, 2), (0, 3)]) == 1  # a star
    assert most_peer_pairs(6, [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]) == 3


# -- bipartite properties ---------------------------------------------------------------------


def check_structure(pool: Pool, result: MatchResult) -> None:
    by_email = {p.email: p for p in pool.people}
    load: Counter[str] = Counter()
    for pair in result.pairs:
        a_mentor, a_mentee = by_email[pair.mentor], by_email[pair.mentee]
        assert a_mentor.role is Role.MENTOR
        assert a_mentee.role is Role.MENTEE
        assert allowed(pool, a_mentor, a_mentee), (pair.mentor, pair.mentee)
        assert 0 <= pair.score <= 100
        load[pair.mentor] += 1
    for email, taken in load.items():
        assert taken <= seat_limit(pool, by_email[email]), email
    mentees = Counter(pair.mentee for pair in result.pairs)
    assert all(count == 1 for count in mentees.values())
    placed = set(load) | set(mentees)
    left_out = [u.email for u in result.unmatched]
    assert len(left_out) == len(set(left_out))
    assert placed.isdisjoint(left_out)
    assert placed | set(left_out) == set(by_email)


@PROPERTY
@given(pools(BIPARTITE, fairness=("none", "balanced")))
def test_pairs_keep_the_rules_and_the_capacities(pool: Pool) -> None:
    result = run(pool)
    check_structure(pool, result)
    assert run(pool) == result


@PROPERTY
@given(pools(BIPARTITE, fairness=("none", "balanced")))
def test_participation_matches_as_many_people_as_possible(pool: Pool) -> None:
    prog = pool.program.model_copy(
        update={"matching": pool.program.matching.model_copy(update={"objective": "participation"})}
    )
    pool = Pool(prog, pool.people, pool.history)
    _, _, ok = seat_matrix(pool)
    assert len(run(pool).pairs) == most_pairs(ok)
    # Keeping a single candidate per mentee must not cost a match (the repair pass).
    assert len(run(pool, candidates=1).pairs) == most_pairs(ok)


@PROPERTY
@given(pools(BIPARTITE))
def test_the_total_is_the_best_possible(pool: Pool) -> None:
    result = run(pool)
    mentees, seats, ok = seat_matrix(pool)
    scores = engine_scores(pool)
    assert set(scores) == {
        (seat.email, person.email)
        for i, person in enumerate(mentees)
        for j, seat in enumerate(seats)
        if ok[i, j]
    }
    weights = np.array(
        [[scores.get((seat.email, person.email), 0) for seat in seats] for person in mentees],
        dtype=np.int64,
    ).reshape(ok.shape)
    total = sum(round(pair.score * 10) for pair in result.pairs)
    if pool.program.matching.objective == "score":
        _, best = best_total(weights, ok)
    else:
        # Most pairs first: each pair is worth more than any total of scores.
        pairs, best = best_total(weights, ok, bonus=1000 * (len(mentees) + 1))
        assert len(result.pairs) == pairs
    assert total == pytest.approx(best, rel=1e-3)


@PROPERTY
@given(pools(BIPARTITE))
def test_a_mentee_told_their_mentors_are_full_has_only_full_mentors(pool: Pool) -> None:
    result = run(pool)
    by_email = {p.email: p for p in pool.people}
    load = Counter(pair.mentor for pair in result.pairs)
    mentors, _ = split_roles(pool.program, pool.people)
    scores = engine_scores(pool)
    for left in result.unmatched:
        person = by_email[left.email]
        if person.role is Role.MENTOR:
            continue
        compatible = [m for m in mentors if allowed(pool, m, person)]
        if not compatible:
            assert left.reason["code"] != "compatible_full", left.reason
            continue
        if pool.program.matching.objective == "score" and not any(
            scores[(m.email, person.email)] for m in compatible
        ):
            continue  # a known bug: see test_a_mentee_left_out_beside_an_idle_mentor_...
        assert left.reason["code"] == "compatible_full", left.reason
        assert left.reason["count"] == len(compatible), left.reason
        assert all(load[m.email] == seat_limit(pool, m) for m in compatible), left.reason


# -- peer properties --------------------------------------------------------------------------


def peer_edges(pool: Pool) -> list[tuple[int, int]]:
    people = pool.people
    return [
        (a, b)
        for a in range(len(people))
        for b in range(a + 1, len(people))
        if allowed(pool, people[a], people[b])
    ]


@PROPERTY
@given(pools(["peer"], fairness=("none", "balanced")))
def test_peers_are_paired_once_within_the_rules(pool: Pool) -> None:
    result = run(pool)
    by_email = {p.email: p for p in pool.people}
    seen: Counter[str] = Counter()
    for pair in result.pairs:
        assert pair.mentor != pair.mentee
        assert allowed(pool, by_email[pair.mentor], by_email[pair.mentee])
        assert allowed(pool, by_email[pair.mentee], by_email[pair.mentor])
        seen.update((pair.mentor, pair.mentee))
    assert all(count == 1 for count in seen.values())
    assert set(seen).isdisjoint(u.email for u in result.unmatched)
    assert set(seen) | {u.email for u in result.unmatched} == set(by_email)
    assert run(pool) == result
    if pool.program.matching.objective == "participation":
        assert len(result.pairs) == most_peer_pairs(len(pool.people), peer_edges(pool))


@pytest.mark.parametrize("seed", [20, 26])
def test_pruning_peer_candidates_does_not_cost_a_pair(seed: int) -> None:
    prog = bench_program("peer", max_gap=3)
    people = population(prog, 25, seed=seed)
    pool = Pool(prog, tuple(people), ())
    assert len(match(prog, people, now=BENCH_NOW, candidates=2).pairs) == most_peer_pairs(
        len(people), peer_edges(pool)
    )


@PROPERTY
@given(pools([*BIPARTITE, "peer"]), st.sampled_from([30, 45, 60]))
def test_no_pair_scores_below_the_min_score_and_the_held_are_told(pool: Pool, floor: int) -> None:
    matching = pool.program.matching.model_copy(update={"min_score": floor})
    held = Pool(pool.program.model_copy(update={"matching": matching}), pool.people, pool.history)
    result = run(held)
    assert all(pair.score >= floor for pair in result.pairs)
    # Whoever is left with a pair the rules allow but too weak is told so, naming the floor.
    scores = engine_scores(pool)  # the same people without the floor: every allowed pair
    matched = {p.mentor for p in result.pairs} | {p.mentee for p in result.pairs}
    for person in result.unmatched:
        theirs = [s for (a, b), s in scores.items() if person.email in (a, b)]
        if theirs and max(theirs) < floor * 10 and person.email not in matched:
            assert person.reason["code"] == "no_match_good_enough"
            assert person.reason["min_score"] == floor
