"""Scoring: each criterion's fraction, its reason (a code with parameters), and the vetoes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest

from bench.population import NOW as BENCH_NOW
from bench.population import bench_program, population
from portal.domain.matching import split_roles
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.domain.scoring import SCALE, Scorer, Veto
from tests.factories import NOW, mentee, mentor, only, peer, program

Explained = tuple[int, tuple[str, ...], str | None]


def scorer(
    prog: Program,
    mentors: Iterable[Participant],
    mentees: Iterable[Participant],
    history: Iterable[frozenset[str]] = (),
) -> Scorer:
    return Scorer(prog, list(mentors), list(mentees), now=NOW, history=list(history))


def explain(
    prog: Program,
    a_mentor: Participant,
    a_mentee: Participant,
    history: Iterable[frozenset[str]] = (),
) -> Explained:
    """(score in tenths, reasons, veto reason) for one mentor and one mentee."""
    return scorer(prog, [a_mentor], [a_mentee], history).explain(0, 0)


def fraction(prog: Program, a_mentor: Participant, a_mentee: Participant, name: str) -> float:
    parts = scorer(prog, [a_mentor], [a_mentee]).components(np.array([0], dtype=np.intp))
    return float(parts.fractions[name][0, 0])


def veto(
    prog: Program,
    a_mentor: Participant,
    a_mentee: Participant,
    history: Iterable[frozenset[str]] = (),
) -> int:
    parts = scorer(prog, [a_mentor], [a_mentee], history).components(np.array([0], dtype=np.intp))
    return int(parts.veto[0, 0])


# -- languages --------------------------------------------------------------------------------


def test_a_shared_language_is_named() -> None:
    _, reasons, vetoed = explain(
        only("languages", weight="must"),
        mentor("Ana", languages=("English", "Spanish")),
        mentee("Ben", languages=("Spanish",)),
    )
    assert vetoed is None
    assert reasons == ({"code": "shared_language", "languages": ["Spanish"]},)


def test_several_shared_languages_are_listed_in_the_mentees_order() -> None:
    _, reasons, _ = explain(
        only("languages"),
        mentor("Ana", languages=("French", "English", "Spanish")),
        mentee("Ben", languages=("Spanish", "English")),
    )
    assert reasons == ({"code": "shared_language", "languages": ["Spanish", "English"]},)


def test_languages_compare_without_regard_to_case() -> None:
    _, reasons, vetoed = explain(
        only("languages", weight="must"),
        mentor("Ana", languages=("spanish",)),
        mentee("Ben", languages=("Spanish",)),
    )
    assert vetoed is None
    assert reasons == ({"code": "shared_language", "languages": ["Spanish"]},)


def test_no_shared_language_vetoes_when_languages_are_a_must() -> None:
    prog = only("languages", weight="must")
    a, b = mentor("Ana", languages=("English",)), mentee("Ben", languages=("Portuguese",))
    _, reasons, vetoed = explain(prog, a, b)
    assert vetoed == {"code": "no_shared_language"}
    assert reasons == ()
    assert veto(prog, a, b) == Veto.LANGUAGE


def test_no_shared_language_only_costs_points_when_languages_are_not_a_must() -> None:
    prog = only("languages", "skills")
    a = mentor("Ana", languages=("English",), skills=("Python",))
    b = mentee("Ben", languages=("Portuguese",), goals=("Python",))
    score, reasons, vetoed = explain(prog, a, b)
    assert vetoed is None
    assert {"code": "no_shared_language"} in reasons
    assert score == SCALE // 2  # skills full, languages nothing, equal weights


# -- skills -----------------------------------------------------------------------------------


def test_skills_say_which_goals_are_covered() -> None:
    prog = only("skills")
    a = mentor("Ana", skills=("SQL", "Python", "cloud"))
    b = mentee("Ben", goals=("Python", "SQL", "leadership"))
    score, reasons, _ = explain(prog, a, b)
    assert reasons == ({"code": "goals_covered", "topics": ["Python", "SQL"], "goals": 3},)
    assert fraction(prog, a, b, "skills") == pytest.approx(2 / 3)
    assert score == round(SCALE * 2 / 3)


def test_skills_cover_three_of_four_goals() -> None:
    _, reasons, _ = explain(
        only("skills"),
        mentor("Ana", skills=("leadership", "SQL", "Python")),
        mentee("Ben", goals=("Python", "SQL", "leadership", "negotiation")),
    )
    assert reasons == (
        {"code": "goals_covered", "topics": ["Python", "SQL", "leadership"], "goals": 4},
    )


def test_topics_match_without_regard_to_case() -> None:
    _, reasons, _ = explain(
        only("skills"), mentor("Ana", skills=("python",)), mentee("Ben", goals=("Python",))
    )
    assert reasons == ({"code": "goals_covered", "topics": ["Python"], "goals": 1},)


def test_covering_no_goal_is_said_and_vetoes_only_as_a_must() -> None:
    a, b = mentor("Ana", skills=("UX",)), mentee("Ben", goals=("Python", "SQL", "cloud"))
    assert explain(only("skills"), a, b)[1] == ({"code": "no_goals_covered", "goals": 3},)
    _, _, vetoed = explain(only("skills", weight="must"), a, b)
    assert vetoed == {"code": "no_goals_offered"}
    assert veto(only("skills", weight="must"), a, b) == Veto.SKILLS


def test_a_mentee_without_goals_is_not_vetoed_by_a_skills_must() -> None:
    prog = only("skills", weight="must")
    a, b = mentor("Ana", skills=("UX",)), mentee("Ben")
    assert explain(prog, a, b)[2] is None
    assert fraction(prog, a, b, "skills") == pytest.approx(0.5)


def test_peers_are_scored_on_what_each_offers_the_other() -> None:
    prog = only("skills", fmt="peer")
    ana = peer("Ana", skills=("SQL",), goals=("Python",))
    ben = peer("Ben", skills=("Python",), goals=("SQL", "cloud"))
    s = Scorer(prog, [ana, ben], [ana, ben], now=NOW)
    score, reasons, vetoed = s.explain(0, 1)
    assert vetoed is None
    assert reasons == (
        {
            "code": "peer_goals_covered",
            "first": "Ben",
            "first_offers": ["Python"],
            "second": "Ana",
            "second_offers": ["SQL"],
        },
    )
    # Ana gets 1 of her 1 goal, Ben 1 of his 2: the mean of both directions.
    assert score == round(SCALE * (1 + 0.5) / 2)


def test_peers_without_goals_are_not_vetoed_by_a_skills_must() -> None:
    prog = only("skills", weight="must", fmt="peer")
    people = [peer("Ana", skills=["UX"]), peer("Ben", skills=["SQL"])]
    assert Scorer(prog, people, people, now=NOW).explain(0, 1)[2] is None


# -- time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor_zone", "mentee_zone", "gap", "words"),
    [
        ("Europe/London", "Europe/London", 0, 0),
        ("Europe/London", "America/New_York", 5, 5),
        ("Europe/London", "Asia/Kolkata", 5.5, 5.5),
        # NZDT is UTC+13 and PST UTC-8 on 2 March: 21 hours apart is 3 the other way round.
        ("Pacific/Auckland", "America/Los_Angeles", 3, 3),
        ("Asia/Tokyo", "Pacific/Honolulu", 5, 5),
    ],
)
def test_the_time_zone_gap_is_the_shorter_way_round_the_clock(
    mentor_zone: str, mentee_zone: str, gap: float, words: float
) -> None:
    prog = only("timezone")
    a, b = mentor("Ana", timezone=mentor_zone), mentee("Ben", timezone=mentee_zone)
    score, reasons, vetoed = explain(prog, a, b)
    assert vetoed is None
    assert reasons == ({"code": "time_zone_gap", "hours": words},)
    assert fraction(prog, a, b, "timezone") == pytest.approx(1 - gap / 12)
    assert score == round(SCALE * (1 - gap / 12))


def test_the_gap_uses_the_offset_at_the_time_of_matching() -> None:
    # On 9 March New York is on summer time and London is not yet: 4 hours, not 5.
    a, b = mentor("Ana", timezone="Europe/London"), mentee("Ben", timezone="America/New_York")
    later = NOW.replace(day=9)
    s = Scorer(only("timezone"), [a], [b], now=later)
    assert s.explain(0, 0)[1] == ({"code": "time_zone_gap", "hours": 4},)


@pytest.mark.parametrize(("allowed", "vetoed"), [(5, True), (5.5, False), (6, False)])
def test_max_timezone_gap_vetoes_a_half_hour_zone_beyond_it(allowed: float, vetoed: bool) -> None:
    prog = only("timezone", max_timezone_gap_hours=allowed)
    a, b = mentor("Ana", timezone="Europe/London"), mentee("Ben", timezone="Asia/Kolkata")
    _, _, reason = explain(prog, a, b)
    if vetoed:
        assert reason == {"code": "time_zone_too_far", "hours": 5.5, "allowed": allowed}
        assert veto(prog, a, b) == Veto.TIMEZONE_GAP
    else:
        assert reason is None


@pytest.mark.parametrize(("allowed", "vetoed"), [(2, True), (3, False)])
def test_max_timezone_gap_measures_across_the_date_line(allowed: float, vetoed: bool) -> None:
    prog = only("timezone", max_timezone_gap_hours=allowed)
    a, b = mentor("Ana", timezone="Pacific/Auckland"), mentee("Ben", timezone="America/Los_Angeles")
    assert (explain(prog, a, b)[2] is not None) is vetoed


def test_a_timezone_must_allows_three_hours_at_most() -> None:
    prog = only("timezone", weight="must")
    near = explain(prog, mentor("Ana"), mentee("Ben", timezone="Europe/Athens"))  # 2 h
    far = explain(prog, mentor("Ana"), mentee("Ben", timezone="America/New_York"))  # 5 h
    assert near[2] is None
    assert far[2] == {"code": "time_zone_too_far", "hours": 5, "allowed": 3}


@pytest.mark.parametrize(
    ("mentor_zone", "mentee_zone", "gap"),
    [("Pacific/Kiritimati", "Pacific/Pago_Pago", 1), ("Pacific/Kiritimati", "Etc/GMT+12", 2)],
)
def test_zones_more_than_a_day_apart_wrap_around(
    mentor_zone: str, mentee_zone: str, gap: float
) -> None:
    prog = only("timezone", max_timezone_gap_hours=0.5)
    a, b = mentor("Ana", timezone=mentor_zone), mentee("Ben", timezone=mentee_zone)
    assert fraction(prog, a, b, "timezone") == pytest.approx(1 - gap / 12)
    assert explain(prog, a, b)[2] == {"code": "time_zone_too_far", "hours": gap, "allowed": 0.5}


def test_a_perfect_pair_across_the_date_line_scores_at_most_100() -> None:
    prog = program()
    a = mentor(
        "Ana",
        timezone="Pacific/Kiritimati",
        skills=("Python",),
        seniority="senior",
        availability=("tue-afternoon",),  # Monday 22:00 to Tuesday 3:00 UTC
    )
    b = mentee(
        "Ben",
        timezone="Pacific/Pago_Pago",
        goals=("Python",),
        seniority="early",
        availability=("mon-afternoon",),  # Monday 23:00 to Tuesday 4:00 UTC
    )
    score, _, _ = explain(prog, a, b)
    assert 0 <= score <= SCALE


# -- availability -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor_zone", "mentor_slots", "mentee_zone", "mentee_slots", "hours"),
    [
        # London 17-21 UTC; New York 12-17 EST is 17-22 UTC: 4 hours together.
        ("Europe/London", ["mon-evening"], "America/New_York", ["mon-afternoon"], 4),
        # London 8-12 UTC; New York 8-12 EST is 13-17 UTC: nothing.
        ("Europe/London", ["mon-morning"], "America/New_York", ["mon-morning"], 0),
        # Kolkata 12-17 IST is 6:30-11:30 UTC: three and a half hours of London's morning.
        ("Europe/London", ["mon-morning"], "Asia/Kolkata", ["mon-afternoon"], 3.5),
        # Tokyo Tuesday 8-12 JST is Monday 23:00 to Tuesday 3:00 UTC;
        # Los Angeles Monday 12-17 PST is Monday 20:00 to Tuesday 1:00 UTC.
        ("Asia/Tokyo", ["tue-morning"], "America/Los_Angeles", ["mon-afternoon"], 2),
        # The same across the end of the week: Monday in Tokyo is still Sunday in UTC.
        ("Asia/Tokyo", ["mon-morning"], "America/Los_Angeles", ["sun-afternoon"], 2),
        ("Asia/Tokyo", ["mon-morning"], "America/Los_Angeles", ["mon-afternoon"], 0),
    ],
)
def test_availability_is_compared_in_utc(
    mentor_zone: str,
    mentor_slots: list[str],
    mentee_zone: str,
    mentee_slots: list[str],
    hours: float,
) -> None:
    prog = only("availability")
    a = mentor("Ana", timezone=mentor_zone, availability=mentor_slots)
    b = mentee("Ben", timezone=mentee_zone, availability=mentee_slots)
    _, reasons, _ = explain(prog, a, b)
    expected = (
        {"code": "shared_availability", "hours": hours}
        if hours
        else {"code": "no_shared_availability"}
    )
    assert reasons == (expected,)
    assert fraction(prog, a, b, "availability") == pytest.approx(min(hours / 4, 1))


def test_no_shared_availability_vetoes_when_availability_is_a_must() -> None:
    prog = only("availability", weight="must")
    a = mentor("Ana", availability=["mon-morning"])
    b = mentee("Ben", timezone="America/New_York", availability=["mon-morning"])
    assert explain(prog, a, b)[2] == {"code": "no_shared_availability"}
    assert veto(prog, a, b) == Veto.AVAILABILITY


# -- seniority --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mentor_level", "mentee_level", "words", "expected"),
    [
        (
            "one-on-one",
            "senior",
            "early",
            {"code": "career_ahead", "who": "mentor", "stages": 2},
            1.0,
        ),
        ("one-on-one", "mid", "early", {"code": "career_ahead", "who": "mentor", "stages": 1}, 1.0),
        ("one-on-one", "mid", "mid", {"code": "same_career_stage"}, 0.3),
        (
            "one-on-one",
            "early",
            "senior",
            {"code": "career_behind", "who": "mentor", "stages": 2},
            0.0,
        ),
        ("reverse", "early", "senior", {"code": "career_ahead", "who": "mentee", "stages": 2}, 1.0),
        ("reverse", "mid", "mid", {"code": "same_career_stage"}, 0.3),
    ],
)
def test_seniority_points_the_right_way_for_the_format(
    fmt: str, mentor_level: str, mentee_level: str, words: dict[str, object], expected: float
) -> None:
    prog = only("seniority", fmt=fmt)
    a, b = mentor("Ana", seniority=mentor_level), mentee("Ben", seniority=mentee_level)
    assert explain(prog, a, b)[1] == (words,)
    assert fraction(prog, a, b, "seniority") == pytest.approx(expected)


def test_reverse_mentoring_does_not_call_a_senior_mentor_earlier_in_their_career() -> None:
    prog = only("seniority", fmt="reverse")
    a, b = mentor("Ana", seniority="senior"), mentee("Ben", seniority="early")
    assert fraction(prog, a, b, "seniority") == 0.0
    [words] = explain(prog, a, b)[1]
    assert words == {"code": "career_behind", "who": "mentee", "stages": 2}


@pytest.mark.parametrize(
    ("fmt", "mentor_level", "mentee_level", "reason"),
    [
        ("one-on-one", "early", "senior", "mentor"),
        ("one-on-one", "mid", "mid", "mentor"),
        ("reverse", "senior", "early", "mentee"),
        ("reverse", "mid", "mid", "mentee"),
    ],
)
def test_a_seniority_must_vetoes_the_wrong_direction(
    fmt: str, mentor_level: str, mentee_level: str, reason: str
) -> None:
    prog = only("seniority", weight="must", fmt=fmt)
    a, b = mentor("Ana", seniority=mentor_level), mentee("Ben", seniority=mentee_level)
    # `who` is the one who must be further along in their career and is not.
    assert explain(prog, a, b)[2] == {"code": "not_further_along", "who": reason}
    assert veto(prog, a, b) == Veto.SENIORITY


def test_a_seniority_must_allows_the_right_direction() -> None:
    one_on_one = only("seniority", weight="must")
    reverse = only("seniority", weight="must", fmt="reverse")
    assert (
        explain(one_on_one, mentor("Ana", seniority="lead"), mentee("Ben", seniority="mid"))[2]
        is None
    )
    assert (
        explain(reverse, mentor("Ana", seniority="mid"), mentee("Ben", seniority="lead"))[2] is None
    )


def test_unknown_seniority_is_neutral_and_not_explained() -> None:
    prog = only("seniority")
    a, b = mentor("Ana", seniority="senior"), mentee("Ben")
    assert fraction(prog, a, b, "seniority") == pytest.approx(0.5)
    assert explain(prog, a, b)[1] == ()


# -- department and reporting line ------------------------------------------------------------


def test_the_same_department_is_excluded_when_the_program_says_so() -> None:
    a, b = mentor("Ana", department="Finance"), mentee("Ben", department=" finance ")
    excluded = only("skills", exclude_same_department=True)
    assert explain(excluded, a, b)[2] == {"code": "same_department", "department": "finance"}
    assert veto(excluded, a, b) == Veto.DEPARTMENT
    assert explain(only("skills"), a, b)[2] is None


def test_other_or_unknown_departments_are_not_excluded() -> None:
    prog = only("skills", exclude_same_department=True)
    assert (
        explain(prog, mentor("Ana", department="Finance"), mentee("Ben", department="IT"))[2]
        is None
    )
    assert explain(prog, mentor("Ana"), mentee("Ben"))[2] is None


def test_a_direct_manager_is_excluded_either_way_round() -> None:
    prog = only("skills", exclude_reporting_line=True)
    boss = mentor("Ana")
    report = mentee("Ben", reports_to="ana@example.org")
    assert explain(prog, boss, report)[2] == {"code": "same_reporting_line"}
    assert veto(prog, boss, report) == Veto.REPORTING_LINE
    # Reverse mentoring: the junior mentor reports to the senior mentee.
    junior = mentor("Cy", reports_to="dee@example.org")
    assert explain(prog, junior, mentee("Dee"))[2] == {"code": "same_reporting_line"}


def test_the_reporting_line_reaches_two_levels_up() -> None:
    prog = only("skills", exclude_reporting_line=True)
    director = mentor("Ana")
    manager = mentor("Ben", reports_to="ana@example.org")
    report = mentee("Cy", reports_to="ben@example.org")
    colleague = mentee("Dee", reports_to="eve@example.org")
    s = scorer(prog, [director, manager], [report, colleague])
    assert s.explain(0, 0)[2] == {"code": "same_reporting_line"}  # Cy -> Ben -> Ana
    assert s.explain(0, 1)[2] == {"code": "same_reporting_line"}  # Cy -> Ben
    assert s.explain(1, 0)[2] is None
    assert s.explain(1, 1)[2] is None


def test_the_reporting_line_is_ignored_unless_excluded() -> None:
    assert (
        explain(only("skills"), mentor("Ana"), mentee("Ben", reports_to="ana@example.org"))[2]
        is None
    )


def test_people_who_share_a_manager_are_not_in_one_line() -> None:
    prog = only("skills", exclude_reporting_line=True)
    a = mentor("Ana", reports_to="boss@example.org")
    b = mentee("Ben", reports_to="boss@example.org")
    assert explain(prog, a, b)[2] is None


# -- program questions ------------------------------------------------------------------------

INDUSTRY = {
    "key": "industry",
    "label": "Industry?",
    "type": "choice",
    "choices": ["Tech", "Finance", "Health"],
    "match": "same",
    "weight": "medium",
}
MEETING = {
    "key": "meeting",
    "label": "How would you like to meet?",
    "type": "multi",
    "choices": ["Video", "Phone", "Chat"],
    "match": "overlap",
    "weight": "medium",
}


def questions_program(*questions: dict[str, object]) -> Program:
    return only(questions=questions)


def test_the_same_answer_counts_and_is_named() -> None:
    prog = questions_program(INDUSTRY)
    a = mentor("Ana", answers={"industry": "Tech"})
    b = mentee("Ben", answers={"industry": "tech"})
    score, reasons, _ = explain(prog, a, b)
    assert reasons == ({"code": "same_answer", "question": "Industry?", "answers": ["tech"]},)
    assert score == SCALE


def test_different_answers_count_nothing() -> None:
    prog = questions_program(INDUSTRY)
    a, b = (
        mentor("Ana", answers={"industry": "Tech"}),
        mentee("Ben", answers={"industry": "Health"}),
    )
    score, reasons, vetoed = explain(prog, a, b)
    assert (score, reasons, vetoed) == (
        0,
        ({"code": "different_answers", "question": "Industry?"},),
        None,
    )


def test_an_unanswered_question_is_neutral() -> None:
    prog = questions_program(INDUSTRY)
    score, reasons, _ = explain(prog, mentor("Ana", answers={"industry": "Tech"}), mentee("Ben"))
    assert (score, reasons) == (SCALE // 2, ())


def test_overlapping_answers_count_and_are_named() -> None:
    prog = questions_program(MEETING)
    a = mentor("Ana", answers={"meeting": ["Video", "Phone"]})
    b = mentee("Ben", answers={"meeting": ["Chat", "Phone"]})
    score, reasons, _ = explain(prog, a, b)
    assert reasons == (
        {"code": "same_answer", "question": "How would you like to meet?", "answers": ["Phone"]},
    )
    assert score == SCALE
    disjoint = mentee("Ben", answers={"meeting": ["Chat"]})
    assert explain(prog, a, disjoint)[0] == 0


def test_a_must_question_vetoes_different_or_missing_answers() -> None:
    prog = questions_program(MEETING, {**INDUSTRY, "weight": "must"})
    a = mentor("Ana", answers={"industry": "Tech"})
    assert explain(prog, a, mentee("Ben", answers={"industry": "Finance"}))[2] == (
        {"code": "different_required_answer", "question": "Industry?"}
    )
    assert explain(prog, a, mentee("Cy"))[2] is not None
    assert veto(prog, a, mentee("Cy")) == Veto.QUESTION + 1  # the second question
    assert explain(prog, a, mentee("Dee", answers={"industry": "Tech"}))[2] is None


def test_a_must_overlap_question_vetoes_when_nothing_is_shared() -> None:
    prog = questions_program({**MEETING, "weight": "must"})
    a = mentor("Ana", answers={"meeting": ["Video"]})
    assert explain(prog, a, mentee("Ben", answers={"meeting": ["Phone", "Chat"]}))[2] == (
        {"code": "different_required_answer", "question": "How would you like to meet?"}
    )
    assert explain(prog, a, mentee("Cy", answers={"meeting": ["Chat", "Video"]}))[2] is None


# -- earlier pairings -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["one-on-one", "group", "reverse", "flash"])
def test_earlier_pairs_are_not_repeated(fmt: str) -> None:
    prog = program(fmt)
    a, b = mentor("Ana"), mentee("Ben")
    history = [frozenset({"ben@example.org", "ana@example.org"})]
    assert explain(prog, a, b, history=history)[2] == {"code": "paired_before"}
    assert veto(prog, a, b, history=history) == Veto.PAIRED_BEFORE
    assert explain(prog, a, mentee("Cy"), history=history)[2] is None


def test_repeats_may_be_allowed_except_in_flash_mentoring() -> None:
    history = [frozenset({"ana@example.org", "ben@example.org"})]
    a, b = mentor("Ana"), mentee("Ben")
    assert explain(program(no_repeat_pairs=False), a, b, history=history)[2] is None
    assert explain(program("flash", no_repeat_pairs=False), a, b, history=history)[2] == {
        "code": "paired_before"
    }


def test_earlier_peer_pairs_are_vetoed_both_ways_round() -> None:
    prog = program("peer")
    people = [peer("Ana"), peer("Ben"), peer("Cy")]
    s = Scorer(
        prog, people, people, now=NOW, history=[frozenset({"ana@example.org", "ben@example.org"})]
    )
    assert s.explain(0, 1)[2] == {"code": "paired_before"}
    assert s.explain(1, 0)[2] == {"code": "paired_before"}
    assert s.explain(0, 2)[2] is None
    assert s.explain(1, 1)[2] == {"code": "same_person"}


# -- weights ----------------------------------------------------------------------------------


def test_a_criterion_weighted_off_contributes_nothing() -> None:
    prog = program(weights={"timezone": "off"})
    a = mentor("Ana", skills=("Python",), seniority="senior")
    near = mentee("Ben", goals=("Python",), seniority="early")
    far = mentee("Cy", goals=("Python",), seniority="early", timezone="Asia/Tokyo")
    s = scorer(prog, [a], [near, far])
    (near_score, near_reasons, _), (far_score, far_reasons, _) = s.explain(0, 0), s.explain(1, 0)
    assert near_score == far_score
    assert not any(r["code"] == "time_zone_gap" for r in (*near_reasons, *far_reasons))


def test_with_every_weight_off_all_pairs_score_the_same() -> None:
    prog = only()
    s = scorer(prog, [mentor("Ana", skills=("UX",))], [mentee("Ben", goals=("SQL",)), mentee("Cy")])
    assert s.explain(0, 0)[:2] == s.explain(1, 0)[:2] == (SCALE // 2, ())


def test_the_score_is_the_weighted_mean_of_the_criteria() -> None:
    # languages high (3 points, met), skills high (3, half met), timezone medium (2, 5 h),
    # availability medium (2, none), seniority low (1, two stages ahead).
    prog = program(weights={"languages": "high"})
    a = mentor("Ana", skills=("Python",), seniority="senior", availability=("mon-morning",))
    b = mentee(
        "Ben",
        goals=("Python", "SQL"),
        seniority="early",
        timezone="America/New_York",
        availability=("mon-morning",),
    )
    score, reasons, _ = explain(prog, a, b)
    expected = (3 * 1 + 3 * 0.5 + 2 * (1 - 5 / 12) + 2 * 0 + 1 * 1) / 11
    assert score == round(SCALE * expected)
    assert reasons == (
        {"code": "shared_language", "languages": ["English"]},
        {"code": "goals_covered", "topics": ["Python"], "goals": 2},
        {"code": "time_zone_gap", "hours": 5},
        {"code": "career_ahead", "who": "mentor", "stages": 2},
        {"code": "no_shared_availability"},
    )


def test_block_scores_agree_with_the_explained_pairs_and_stay_in_range() -> None:
    prog = bench_program()
    mentors, mentees = split_roles(prog, population(prog, 120, seed=4))
    s = Scorer(prog, mentors, mentees, now=BENCH_NOW)
    parts = s.components(np.arange(len(mentees), dtype=np.intp))
    assert parts.score.min() >= 0
    assert parts.score.max() <= SCALE
    rows, cols = np.divmod(np.arange(parts.score.size), len(mentors))
    explained = s.explain_pairs(rows.astype(np.intp), cols.astype(np.intp))
    assert [score for score, _, _ in explained] == parts.score.ravel().tolist()
    assert [reason is not None for _, _, reason in explained] == (parts.veto.ravel() != 0).tolist()
