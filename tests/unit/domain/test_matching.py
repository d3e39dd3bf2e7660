"""Matching a pool: who is paired, why the others are not, and the round's figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest

from bench.population import NOW as BENCH_NOW
from bench.population import bench_program, population
from portal.domain.matching import MatchResult, Unmatched, match
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.domain.reasons import Reason
from portal.domain.scoring import SCALE
from tests.factories import NOW, TOPICS, mentee, mentor, only, peer, program


def run(
    prog: Program, people: Sequence[Participant], history: Sequence[frozenset[str]] = ()
) -> MatchResult:
    return match(prog, people, now=NOW, history=history)


def pairs_of(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.mentor.split("@")[0], p.mentee.split("@")[0]) for p in result.pairs}


def reason_for(result: MatchResult, name: str) -> Reason:
    """Why someone waits: a code with parameters."""
    found = [u for u in result.unmatched if u.email == f"{name.lower()}@example.org"]
    assert found, f"{name} is matched, not left out"
    return found[0].reason


# -- who is matched ---------------------------------------------------------------------------


def test_each_mentee_gets_the_mentor_who_suits_them() -> None:
    result = run(
        only("skills"),
        [
            mentor("Ana", skills=["Python"]),
            mentor("Ben", skills=["SQL"]),
            mentee("Cy", goals=["SQL"]),
            mentee("Dee", goals=["Python"]),
        ],
    )
    assert pairs_of(result) == {("ana", "dee"), ("ben", "cy")}
    assert result.unmatched == ()
    by_mentee = {p.mentee: p for p in result.pairs}
    assert by_mentee["dee@example.org"].score == 100.0
    assert by_mentee["dee@example.org"].reasons == (
        {"code": "goals_covered", "topics": ["Python"], "goals": 1},
    )


def test_participation_matches_more_people_than_score_would() -> None:
    # Xi scores 100 with Ana and 25 with Bo; Yu may only meet Ana (same department as Bo)
    # and scores 50 with her. Best total: Xi-Ana alone (100). Most people: Xi-Bo, Yu-Ana (75).
    people = [
        mentor("Ana", skills=["Python", "SQL", "cloud", "UX"]),
        mentor("Bo", skills=["Python"], department="Data"),
        mentee("Xi", goals=["Python", "SQL", "cloud", "UX"]),
        mentee("Yu", goals=["Python", "leadership", "negotiation", "SQL"], department="Data"),
    ]
    by_score = run(only("skills", objective="score", exclude_same_department=True), people)
    by_people = run(only("skills", objective="participation", exclude_same_department=True), people)
    assert pairs_of(by_score) == {("ana", "xi")}
    assert by_score.figures.total_score == 100.0
    assert pairs_of(by_people) == {("ana", "yu"), ("bo", "xi")}
    assert by_people.figures.total_score == 75.0
    assert reason_for(by_score, "Yu") == {"code": "compatible_full", "count": 1, "outscored": True}


@pytest.mark.parametrize(
    ("fmt", "program_capacity", "own", "expected"),
    [
        ("group", 2, 3, 2),  # the program's limit binds
        ("group", 3, 1, 1),  # the mentor's own limit binds
        ("group", 3, 3, 3),
        ("one-on-one", 1, 3, 1),
        ("flash", 3, 3, 1),  # flash meetings are one to one whatever is asked
    ],
)
def test_a_mentor_takes_no_more_mentees_than_both_limits_allow(
    fmt: str, program_capacity: int, own: int, expected: int
) -> None:
    people = [mentor("Ana", capacity=own), *(mentee(f"M{i}") for i in range(5))]
    result = run(program(fmt, capacity=program_capacity), people)
    assert len(result.pairs) == expected
    assert result.figures.capacity == expected
    assert result.figures.seats_used == expected


def test_flash_never_repeats_an_earlier_pair() -> None:
    prog = program("flash", no_repeat_pairs=False)
    people = [mentor("Ana"), mentee("Ben")]
    history = [frozenset({"ana@example.org", "ben@example.org"})]
    result = run(prog, people, history=history)
    assert result.pairs == ()
    assert reason_for(result, "Ben") == {
        "code": "everyone_breaks",
        "other": "mentor",
        "rule": "paired_before",
    }


def test_the_same_input_gives_the_same_result() -> None:
    prog = bench_program("group", fairness="balanced")
    people = population(prog, 250, seed=11)
    first = match(prog, people, now=BENCH_NOW)
    second = match(prog, people, now=BENCH_NOW)
    assert first == second
    assert first.pairs  # not trivially equal


def test_the_same_peer_input_gives_the_same_result() -> None:
    prog = bench_program("peer")
    people = population(prog, 120, seed=11)
    assert match(prog, people, now=BENCH_NOW) == match(prog, people, now=BENCH_NOW)


def test_peers_are_paired_and_listed_in_email_order() -> None:
    prog = only("skills", fmt="peer")
    people = [
        peer("Dee", skills=["SQL"], goals=["Python"]),
        peer("Ana", skills=["Python"], goals=["SQL"]),
        peer("Cy", skills=["UX"], goals=["cloud"]),
        peer("Ben", skills=["cloud"], goals=["UX"]),
    ]
    result = run(prog, people)
    assert pairs_of(result) == {("ana", "dee"), ("ben", "cy")}
    assert [(p.mentor, p.mentee) for p in result.pairs] == sorted(
        (p.mentor, p.mentee) for p in result.pairs
    )
    assert all(p.mentor < p.mentee for p in result.pairs)


def test_an_empty_pool_matches_nobody() -> None:
    result = run(program(), [])
    assert (result.pairs, result.unmatched, result.hints) == ((), (), ())
    assert result.figures.matched_pct == 0.0


# -- why not matched --------------------------------------------------------------------------


def test_a_mentee_nobody_can_talk_to_is_told_which_language() -> None:
    result = run(
        program(),
        [
            mentor("Ana", skills=["Python"]),
            mentor("Ben", skills=["SQL"]),
            mentee("Caio", languages=["Portuguese"], goals=["Python"]),
            mentee("Dora", goals=["SQL"]),
        ],
    )
    reason = reason_for(result, "Caio")
    assert reason == {"code": "no_one_speaks", "other": "mentor", "languages": ["Portuguese"]}
    assert [u.role for u in result.unmatched if u.email.startswith("caio")] == ["mentee"]


def test_the_shortage_hint_names_the_language_and_goal_to_recruit_for() -> None:
    result = run(
        program(),
        [
            mentor("Ana", skills=["SQL"]),
            mentee("Caio", languages=["Portuguese"], goals=["Python"]),
            mentee("Duda", languages=["Portuguese"], goals=["Python", "cloud"]),
            mentee("Eve", goals=["SQL"]),
        ],
    )
    (first,) = result.hints  # Eve's SQL is covered: one shortage, one hint
    assert first == {
        "code": "recruit_mentors",
        "mentees": 2,
        "language": "Portuguese",
        "goal": "Python",
    }


def test_mentees_beyond_a_single_mentors_capacity_are_told_it_is_full() -> None:
    result = run(
        only("skills"),
        [
            mentor("Ana", skills=["Python", "SQL"]),
            mentee("Ben", goals=["Python", "SQL"]),
            mentee("Cy", goals=["Python", "cloud"]),
            mentee("Dee", goals=["Python", "UX", "cloud"]),
        ],
    )
    assert pairs_of(result) == {("ana", "ben")}  # the highest score
    for name in ("Cy", "Dee"):
        assert reason_for(result, name) == {
            "code": "compatible_full",
            "count": 1,
            "outscored": True,
        }
    assert result.hints == (
        {"code": "recruit_mentors", "mentees": 2, "language": "", "goal": "Python"},
    )


def test_when_several_compatible_mentors_are_full_the_reason_says_how_many() -> None:
    people = [mentor("Ana"), mentor("Bo"), mentee("Cy"), mentee("Dee"), mentee("Eve")]
    result = run(program(), people)
    assert len(result.pairs) == 2
    [left_out] = result.unmatched
    assert left_out.reason["code"] == "compatible_full"
    assert left_out.reason["count"] == 2


def test_the_reason_names_every_rule_that_ruled_mentors_out() -> None:
    result = run(
        program(exclude_same_department=True),
        [
            mentor("Ana", department="IT"),
            mentor("Bo", languages=["German"]),
            mentor("Cleo", languages=["French"]),
            mentee("Dee", department="IT"),
        ],
    )
    assert reason_for(result, "Dee") == {
        "code": "no_one_passes",
        "other": "mentor",
        "total": 3,
        "rules": [{"rule": "language", "count": 2}, {"rule": "department", "count": 1}],
    }


@pytest.mark.parametrize(
    ("settings", "mentor_fields", "mentee_fields", "reason"),
    [
        (
            {"weights": {"skills": "must"}},
            {"skills": ["UX"]},
            {"goals": ["Python", "SQL"]},
            {"code": "no_one_offers", "other": "mentor", "goals": ["Python", "SQL"]},
        ),
        (
            {"max_timezone_gap_hours": 3},
            {"timezone": "Asia/Tokyo"},
            {},
            {"code": "everyone_too_far", "other": "mentor", "hours": 3},
        ),
        (
            {
                "questions": [
                    {
                        "key": "industry",
                        "label": "Industry?",
                        "type": "choice",
                        "choices": ["Tech", "Health"],
                        "match": "same",
                        "weight": "must",
                    }
                ]
            },
            {"answers": {"industry": "Tech"}},
            {"answers": {"industry": "Health"}},
            {"code": "no_one_same_answer", "other": "mentor", "question": "Industry?"},
        ),
        (
            {"exclude_reporting_line": True},
            {},
            {"reports_to": "ana@example.org"},
            {"code": "everyone_breaks", "other": "mentor", "rule": "reporting_line"},
        ),
    ],
)
def test_a_mentee_without_candidates_is_told_the_rule(
    settings: dict[str, object],
    mentor_fields: dict[str, object],
    mentee_fields: dict[str, object],
    reason: Reason,
) -> None:
    people = [mentor("Ana", **mentor_fields), mentee("Ben", **mentee_fields)]
    result = run(program(**settings), people)
    assert result.pairs == ()
    assert reason_for(result, "Ben") == reason


def test_a_single_rule_reason_is_grammatical() -> None:
    result = run(
        program(exclude_same_department=True),
        [mentor("Ana", department="IT"), mentee("Ben", department="IT")],
    )
    assert reason_for(result, "Ben") == {
        "code": "everyone_breaks",
        "other": "mentor",
        "rule": "department",
    }


def test_with_objective_score_a_zero_point_pair_is_still_made_rather_than_left_idle() -> None:
    result = run(
        only("skills", objective="score"),
        [mentor("Ana", skills=["UX"]), mentee("Ben", goals=["Python"])],
    )
    assert result.figures.seats_used == 1
    assert result.unmatched == ()


def test_an_unmatched_mentor_with_no_compatible_mentee_gets_a_reason() -> None:
    result = run(
        program(),
        [mentor("Ana"), mentor("Hans", languages=["German"]), mentee("Ben")],
    )
    assert reason_for(result, "Hans") == {
        "code": "no_one_speaks",
        "other": "mentee",
        "languages": ["German"],
    }
    assert [u.role for u in result.unmatched] == ["mentor"]


def test_an_unmatched_mentor_beaten_by_a_better_suited_one_is_told_so() -> None:
    result = run(
        only("skills"),
        [
            mentor("Ana", skills=["Python"]),
            mentor("Bo", skills=["UX"]),
            mentee("Cy", goals=["Python"]),
        ],
    )
    assert pairs_of(result) == {("ana", "cy")}
    assert reason_for(result, "Bo") == {"code": "compatible_taken", "count": 1}


def test_nobody_to_match_with_is_said_plainly() -> None:
    no_mentors = run(program(), [mentee("Ben")])
    no_mentees = run(program(), [mentor("Ana")])
    assert reason_for(no_mentors, "Ben") == {"code": "no_free_mentor"}
    assert reason_for(no_mentees, "Ana") == {"code": "no_mentee_waiting"}


def test_an_odd_peer_out_is_told_why() -> None:
    result = run(program("peer"), [peer("Ana"), peer("Ben"), peer("Cy")])
    assert len(result.pairs) == 1
    [alone] = result.unmatched
    assert alone.role == "peer"
    assert alone.reason == {"code": "peers_taken", "count": 2, "odd": True}


def test_a_peer_nobody_can_talk_to_is_told_which_language() -> None:
    result = run(
        program("peer"), [peer("Ana"), peer("Ben"), peer("Caio", languages=["Portuguese"])]
    )
    assert reason_for(result, "Caio") == {
        "code": "no_one_speaks",
        "other": "peer",
        "languages": ["Portuguese"],
    }


def test_every_person_is_either_paired_or_given_a_reason() -> None:
    prog = bench_program("one-on-one", capacity=2)
    people = population(prog, 200, seed=8)
    result = match(prog, people, now=BENCH_NOW)
    paired = Counter(e for p in result.pairs for e in (p.mentor, p.mentee))
    left_out = {u.email for u in result.unmatched}
    for person in people:
        assert (person.email in paired) != (person.email in left_out), person.email
    assert all(u.reason["code"] for u in result.unmatched)


# -- figures ----------------------------------------------------------------------------------


def test_the_figures_describe_the_round() -> None:
    # Six identical mentees; mentor k covers k of their six goals and scores k/6.
    prog = only("skills")
    people = [
        *(mentor(f"M{k}", skills=TOPICS[:k]) for k in range(1, 7)),
        *(mentee(f"E{k}", goals=TOPICS) for k in range(1, 7)),
    ]
    figures = run(prog, people).figures
    scores = [round(SCALE * k / 6) for k in range(1, 7)]  # tenths: 167 ... 1000
    assert figures.pairs == 6
    assert figures.matched_pct == 100.0
    assert figures.mentees_matched_pct == 100.0
    assert figures.total_score == pytest.approx(sum(scores) / 10)
    assert figures.mean_score == pytest.approx(round(sum(scores) / 6 / 10, 1))
    assert figures.min_score == 16.7
    assert figures.p10_score == pytest.approx((scores[0] + 0.5 * (scores[1] - scores[0])) / 10)
    # Whoever has the mentor covering one goal did not get one of their five best.
    assert figures.top5_pct == pytest.approx(round(100 * 5 / 6, 1))
    assert figures.blocking_pairs == 0


def test_matched_percent_counts_mentors_and_mentees_in_a_pair() -> None:
    figures = run(program(), [mentor("Ana"), mentee("Ben"), mentee("Cy"), mentee("Dee")]).figures
    assert figures.participants == 4
    assert figures.pairs == 1
    assert figures.matched_pct == 50.0  # Ana and one mentee of four people
    assert figures.mentees_matched_pct == 33.3


def test_one_blocking_pair_is_counted() -> None:
    # Mentee 1 scores 90 with A and 80 with B; mentee 2 scores 80 with A and 50 with B.
    # The best total (160) pairs 1-B and 2-A, so 1 and A would both gain 10 points together;
    # 2 and B would not (2 loses 30).
    topics = [f"t{n:02d}" for n in range(20)]
    first, second = topics[:10], topics[10:]
    people = [
        mentor("A", skills=[*first[:9], *second[:8]]),
        mentor("B", skills=[*first[:8], *second[:5]]),
        mentee("One", goals=first),
        mentee("Two", goals=second),
    ]
    for fairness in ("none", "balanced"):
        result = run(only("skills", topics=topics, fairness=fairness), people)
        assert pairs_of(result) == {("b", "one"), ("a", "two")}
        assert result.figures.total_score == 160.0
        assert result.figures.blocking_pairs == 1
        assert result.figures.blocking_pairs_10 == 1
        assert result.figures.blocking_pairs_20 == 0


def test_a_pair_gaining_less_than_five_points_is_not_blocking() -> None:
    # As above but 1-A scores 84: both would gain only 4 points.
    topics = [f"t{n:02d}" for n in range(50)]
    first, second = topics[:25], topics[25:]
    people = [
        mentor("A", skills=[*first[:21], *second[:20]]),  # 84 and 80
        mentor("B", skills=[*first[:20], *second[:5]]),  # 80 and 20
        mentee("One", goals=first),
        mentee("Two", goals=second),
    ]
    result = run(only("skills", topics=topics), people)
    assert pairs_of(result) == {("b", "one"), ("a", "two")}
    assert result.figures.blocking_pairs == 0


@pytest.mark.parametrize("fmt", ["one-on-one", "group", "peer"])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_balanced_fairness_does_not_add_blocking_pairs(fmt: str, seed: int) -> None:
    plain = bench_program(fmt, fairness="none")
    balanced = bench_program(fmt, fairness="balanced")
    people = population(plain, 300, seed=seed)
    before = match(plain, people, now=BENCH_NOW).figures
    after = match(balanced, people, now=BENCH_NOW).figures
    assert after.pairs == before.pairs  # fairness never costs a match
    assert after.blocking_pairs <= before.blocking_pairs


@pytest.mark.parametrize(
    ("fmt", "size", "seed", "capacity", "max_gap"),
    [
        ("group", 150, 5, 2, 4),  # the cube of the scores alone cost 0.58% here
        ("peer", 100, 7, 1, 8),  # and 0.65% here
        ("peer", 200, 7, 1, 8),  # and 0.77% here
    ],
)
def test_balanced_fairness_costs_under_half_a_percent_of_the_total(
    fmt: str, size: int, seed: int, capacity: int, max_gap: float
) -> None:
    plain = bench_program(fmt, fairness="none", capacity=capacity, max_gap=max_gap)
    balanced = bench_program(fmt, fairness="balanced", capacity=capacity, max_gap=max_gap)
    people = population(plain, size, seed=seed, mentor_share=0.35)
    before = match(plain, people, now=BENCH_NOW).figures
    after = match(balanced, people, now=BENCH_NOW).figures
    assert after.pairs == before.pairs
    assert after.total_score >= before.total_score * 0.995


@pytest.mark.parametrize(("size", "seed"), [(100, 5), (200, 5)])
def test_balanced_fairness_does_not_sink_the_lowest_peer_score(size: int, seed: int) -> None:
    # The cube of the scores alone took the lowest pair from 41.5 to 24.8, and 30.7 to 13.7.
    plain = bench_program("peer", fairness="none")
    balanced = bench_program("peer", fairness="balanced")
    people = population(plain, size, seed=seed)
    before = match(plain, people, now=BENCH_NOW).figures
    after = match(balanced, people, now=BENCH_NOW).figures
    assert after.pairs == before.pairs
    assert after.min_score >= before.min_score - 5


def test_unmatched_entries_are_sorted_by_role_then_email() -> None:
    result = run(
        program(),
        [
            mentor("Zed", languages=["German"]),
            mentor("Hans", languages=["German"]),
            mentee("Yu", languages=["Hindi"]),
            mentee("Caio", languages=["Portuguese"]),
        ],
    )
    keys = [(u.role, u.email) for u in result.unmatched]
    assert keys == sorted(keys)
    assert all(isinstance(u, Unmatched) for u in result.unmatched)
