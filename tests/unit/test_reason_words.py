"""The reasons presenter: every code in words, from each reader's side, and legacy sentences."""

from __future__ import annotations

from typing import Any

import pytest

from portal.domain import reasons as r
from portal.domain.matching import match
from portal.domain.participants import Participant
from portal.presenters.reasons import (
    hint_text,
    is_strength,
    reason_text,
    strengths,
    unmatched_text,
    veto_text,
    weak_points,
    worth_knowing,
)
from tests.factories import NOW, mentee, mentor, program

MENTEE, MENTOR, PEER, ORGANIZER = "mentee", "mentor", "peer", "organizer"


def code(name: str, **params: Any) -> dict[str, Any]:
    return {"code": name, **params}


# -- a pair's reasons, each code from each side -------------------------------------------


@pytest.mark.parametrize(
    ("reason", "viewpoint", "words"),
    [
        (code(r.SHARED_LANGUAGE, languages=["Spanish"]), MENTEE, "you both speak Spanish"),
        (
            code(r.SHARED_LANGUAGE, languages=["Spanish", "English", "Hindi"]),
            ORGANIZER,
            "both speak Spanish, English and Hindi",
        ),
        (
            code(r.GOALS_COVERED, topics=["Python"], goals=1),
            MENTEE,
            "your mentor can help with your goal: Python",
        ),
        (
            code(r.GOALS_COVERED, topics=["Python", "SQL"], goals=3),
            MENTEE,
            "your mentor can help with two of your three goals: Python and SQL",
        ),
        (
            code(r.GOALS_COVERED, topics=["Python", "SQL"], goals=2),
            MENTOR,
            "you can help with both your mentee's goals: Python and SQL",
        ),
        (
            code(r.GOALS_COVERED, topics=["Python", "SQL", "UX"], goals=3),
            MENTEE,
            "your mentor can help with all three of your goals: Python, SQL and UX",
        ),
        (
            code(r.GOALS_COVERED, topics=["Python"], goals=12),
            ORGANIZER,
            "the mentor can help with one of the mentee's 12 goals: Python",
        ),
        (
            code(
                r.PEER_GOALS_COVERED,
                first="Ana",
                first_offers=["SQL"],
                second="Ben",
                second_offers=["Python"],
            ),
            PEER,
            "Ana can help with SQL, and Ben with Python",
        ),
        (
            code(
                r.PEER_GOALS_COVERED,
                first="Ana",
                first_offers=[],
                second="Ben",
                second_offers=["Python"],
            ),
            PEER,
            "Ben can help with Python",
        ),
        (code(r.TIME_ZONE_GAP, hours=0), MENTOR, "you are in the same time zone"),
        (code(r.TIME_ZONE_GAP, hours=1), MENTEE, "you are in nearby time zones, one hour apart"),
        (code(r.TIME_ZONE_GAP, hours=2), ORGANIZER, "in nearby time zones, two hours apart"),
        (
            code(r.SHARED_AVAILABILITY, hours=3.5),
            MENTEE,
            "you have 3.5 hours of free time in common each week",
        ),
        (
            code(r.SHARED_AVAILABILITY, hours=1),
            PEER,
            "you have one hour of free time in common each week",
        ),
        (
            code(r.CAREER_AHEAD, who="mentor", stages=2),
            MENTEE,
            "your mentor is two career stages ahead of you",
        ),
        (
            code(r.CAREER_AHEAD, who="mentor", stages=1),
            MENTOR,
            "you are one career stage ahead of your mentee",
        ),
        (
            code(r.CAREER_AHEAD, who="mentor", stages=4),
            ORGANIZER,
            "the mentor is four career stages ahead of the mentee",
        ),
        (
            code(r.CAREER_AHEAD, who="mentee", stages=2),
            MENTEE,
            "you are two career stages ahead of your mentor",
        ),
        (
            code(r.CAREER_AHEAD, who="mentee", stages=1),
            MENTOR,
            "your mentee is one career stage ahead of you",
        ),
        (code(r.PEER_CAREER_STAGES, apart=0), PEER, "you are at the same career stage"),
        (code(r.PEER_CAREER_STAGES, apart=1), PEER, "you are at nearby career stages"),
        (
            code(r.SAME_ANSWER, question="Industry?", answers=["Tech"]),
            MENTEE,
            "you gave the same answer to “Industry?”: Tech",
        ),
    ],
)
def test_a_strength_is_said_from_the_readers_side(
    reason: dict[str, Any], viewpoint: str, words: str
) -> None:
    assert is_strength(reason)
    assert reason_text(reason, viewpoint) == words
    assert strengths([reason], viewpoint) == [words]
    assert worth_knowing([reason], viewpoint) == ""


@pytest.mark.parametrize(
    ("reason", "viewpoint", "words"),
    [
        (code(r.NO_SHARED_LANGUAGE), MENTEE, "you have no language in common"),
        (
            code(r.NO_GOALS_COVERED, goals=3),
            MENTEE,
            "your mentor's skills cover none of your goals",
        ),
        (
            code(r.NO_GOALS_COVERED, goals=1),
            MENTOR,
            "your skills cover none of your mentee's goals",
        ),
        (
            code(r.NO_GOALS_COVERED, goals=2),
            ORGANIZER,
            "the mentor's skills cover none of the mentee's goals",
        ),
        (
            code(r.PEER_NO_GOALS_COVERED),
            PEER,
            "neither of you offers what the other is looking for",
        ),
        (
            code(r.TIME_ZONE_GAP, hours=5),
            MENTEE,
            "there is a time difference of five hours between you",
        ),
        (code(r.TIME_ZONE_GAP, hours=5.5), ORGANIZER, "a time difference of 5.5 hours"),
        (
            code(r.TIME_ZONE_GAP, hours=3),
            MENTOR,
            "there is a time difference of three hours between you",
        ),
        (
            code(r.SHARED_AVAILABILITY, hours=0.5),
            MENTEE,
            "you have only half an hour of free time in common each week",
        ),
        (code(r.NO_SHARED_AVAILABILITY), MENTOR, "you have no weekly time in common"),
        (code(r.SAME_CAREER_STAGE), MENTEE, "you are at the same career stage"),
        (
            code(r.CAREER_BEHIND, who="mentor", stages=2),
            MENTEE,
            "your mentor is earlier in their career than you",
        ),
        (
            code(r.CAREER_BEHIND, who="mentor", stages=1),
            MENTOR,
            "you are earlier in your career than your mentee",
        ),
        (
            code(r.CAREER_BEHIND, who="mentee", stages=1),
            ORGANIZER,
            "the mentee is earlier in their career than the mentor",
        ),
        (code(r.PEER_CAREER_STAGES, apart=3), PEER, "you are three career stages apart"),
        (
            code(r.DIFFERENT_ANSWERS, question="Industry?"),
            MENTEE,
            "you answered “Industry?” differently",
        ),
    ],
)
def test_a_weak_point_is_only_worth_knowing(
    reason: dict[str, Any], viewpoint: str, words: str
) -> None:
    assert not is_strength(reason)
    assert reason_text(reason, viewpoint) == words
    assert strengths([reason], viewpoint) == []
    assert worth_knowing([reason], viewpoint) == f"Worth knowing: {words}."


def test_strengths_and_weak_points_are_kept_apart_on_one_line() -> None:
    reasons = [
        code(r.SHARED_LANGUAGE, languages=["English"]),
        code(r.TIME_ZONE_GAP, hours=5),
        code(r.CAREER_AHEAD, who="mentor", stages=2),
        code(r.NO_SHARED_AVAILABILITY),
    ]
    assert strengths(reasons, MENTEE) == [
        "you both speak English",
        "your mentor is two career stages ahead of you",
    ]
    assert weak_points(reasons, MENTEE) == [
        "there is a time difference of five hours between you",
        "you have no weekly time in common",
    ]
    assert worth_knowing(reasons, MENTEE) == (
        "Worth knowing: there is a time difference of five hours between you; "
        "you have no weekly time in common."
    )
    assert worth_knowing([], MENTEE) == worth_knowing(None, MENTEE) == ""


def test_every_code_the_engine_gives_a_pair_has_words_for_every_reader() -> None:
    # A real pair from the engine: each of its reasons is said, by every viewpoint.
    prog = program(weights={"seniority": "high", "availability": "medium"})
    a = mentor("Ana", skills=("Python",), seniority="senior", availability=("mon-morning",))
    b = mentee("Ben", goals=("Python", "SQL"), seniority="early", timezone="America/New_York")
    [pair] = match(prog, [a, b], now=NOW).pairs
    assert pair.reasons
    for viewpoint in (MENTEE, MENTOR, ORGANIZER):
        said = [*strengths(pair.reasons, viewpoint), *weak_points(pair.reasons, viewpoint)]
        assert len(said) == len(pair.reasons)
        assert all(said)
        assert not any("{" in words for words in said)


def test_an_unknown_viewpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="viewpoint"):
        reason_text(code(r.SHARED_LANGUAGE, languages=["English"]), "stranger")


def test_a_code_from_a_later_version_is_left_unsaid() -> None:
    assert strengths([code("warm_smile")], MENTEE) == []
    assert worth_knowing([code("warm_smile")], MENTEE) == ""


# -- records stored by an earlier version -------------------------------------------------


def test_a_legacy_sentence_is_shown_as_it_is() -> None:
    legacy = ["both speak English", "covers 2 of 2 goals: python, sql"]
    assert strengths(legacy, MENTEE) == legacy
    assert worth_knowing(legacy, MENTEE) == ""
    assert unmatched_text("no mentor speaks Hindi") == "no mentor speaks Hindi"
    assert hint_text("2 mentees who speak Hindi have no mentor") == (
        "2 mentees who speak Hindi have no mentor"
    )
    assert veto_text("no shared language") == "no shared language"


# -- vetoes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("veto", "words"),
    [
        (code(r.VETO_SAME_PERSON), "the same person"),
        (code(r.VETO_LANGUAGE), "no shared language"),
        (code(r.VETO_SKILLS), "the mentor offers none of the goals the mentee seeks"),
        (
            code(r.VETO_TIME_ZONE, hours=5.5, allowed=5),
            "a time difference of 5.5 hours, more than the five hours allowed",
        ),
        (code(r.VETO_AVAILABILITY), "no weekly time in common"),
        (
            code(r.VETO_SENIORITY, who="mentor"),
            "the mentor is not further along in their career than the mentee",
        ),
        (
            code(r.VETO_SENIORITY, who="mentee"),
            "the mentee is not further along in their career than the mentor",
        ),
        (code(r.VETO_DEPARTMENT, department="Finance"), "both in the same department (Finance)"),
        (code(r.VETO_REPORTING_LINE), "in the same reporting line"),
        (code(r.VETO_PAIRED_BEFORE), "paired before"),
        (
            code(r.VETO_QUESTION, question="Industry?"),
            "different answers to “Industry?”, which must match",
        ),
        (
            code(r.VETO_WEAK, min_score=40),
            "a weak match: it scores below the program's minimum of 40",
        ),
        (None, ""),
    ],
)
def test_each_veto_is_said_for_the_organizer(veto: dict[str, Any] | None, words: str) -> None:
    assert veto_text(veto) == words


# -- why someone waits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "viewpoint", "words"),
    [
        (code(r.NO_FREE_MENTOR), ORGANIZER, "no mentor has a free place in this round"),
        (code(r.NO_MENTEE_WAITING), ORGANIZER, "no mentee is waiting for a mentor in this round"),
        (code(r.NOBODY_SIGNED_UP, other="peer"), ORGANIZER, "no peers have signed up yet"),
        (
            code(r.NO_ONE_SPEAKS, other="mentor", languages=["Hindi", "Tamil"]),
            ORGANIZER,
            "no mentor speaks Hindi or Tamil",
        ),
        (
            code(r.NO_ONE_SPEAKS, other="mentee", languages=[]),
            MENTOR,
            "no mentee speaks a language you speak",
        ),
        (
            code(r.NO_ONE_OFFERS, other="mentor", goals=["Python", "SQL"]),
            ORGANIZER,
            "no mentor offers any of Python or SQL",
        ),
        (
            code(r.NO_ONE_OFFERS, other="mentor", goals=[]),
            ORGANIZER,
            "no mentor offers their goals",
        ),
        (
            code(r.NO_ONE_SEEKS, other="mentee", skills=["UX"]),
            ORGANIZER,
            "no mentee seeks any of UX",
        ),
        (code(r.NO_ONE_SEEKS, other="mentee", skills=[]), MENTOR, "no mentee seeks what you offer"),
        (
            code(r.EVERYONE_TOO_FAR, other="mentor", hours=3),
            ORGANIZER,
            "every mentor is more than three hours away in time zone",
        ),
        (
            code(r.NO_ONE_SAME_ANSWER, other="mentor", question="Industry?"),
            ORGANIZER,
            "no mentor gave the same answer to “Industry?”, which must match",
        ),
        (
            code(r.EVERYONE_BREAKS, other="mentor", rule=r.RULE_DEPARTMENT),
            ORGANIZER,
            "every mentor is in their department",
        ),
        (
            code(r.EVERYONE_BREAKS, other="mentor", rule=r.RULE_PAIRED_BEFORE),
            MENTEE,
            "every mentor was paired with you before",
        ),
        (
            code(
                r.NO_ONE_PASSES,
                other="mentor",
                total=3,
                rules=[
                    {"rule": r.RULE_LANGUAGE, "count": 2},
                    {"rule": r.RULE_DEPARTMENT, "count": 1},
                ],
            ),
            ORGANIZER,
            "none of the three mentors passes the rules: two share no language, "
            "one is in the same department",
        ),
        (
            code(r.OTHERS_HAVE_ROOM, count=1),
            ORGANIZER,
            "one mentor who passes the rules still has room, but this round keeps only pairs "
            "above the lowest score it could guarantee everyone",
        ),
        (
            code(r.COMPATIBLE_FULL, count=1, outscored=True),
            ORGANIZER,
            "the only mentor who passes the rules is full: the mentees they took scored "
            "higher with them",
        ),
        (
            code(r.COMPATIBLE_FULL, count=2, outscored=False),
            MENTEE,
            "all two mentors who pass the rules are full: matching you would have left "
            "someone else without a match",
        ),
        (
            code(r.COMPATIBLE_FULL, count=3, outscored=False),
            ORGANIZER,
            "all three mentors who pass the rules are full: matching them would have left "
            "someone else without a match",
        ),
        (
            code(r.COMPATIBLE_TAKEN, count=1),
            ORGANIZER,
            "the only mentee who passes the rules was matched with a mentor who suits them better",
        ),
        (
            code(r.COMPATIBLE_TAKEN, count=4),
            ORGANIZER,
            "the four mentees who pass the rules were matched with mentors who suit them better",
        ),
        (
            code(r.PEERS_TAKEN, count=2, odd=True),
            ORGANIZER,
            "all two peers who pass the rules were matched with others (an odd number of "
            "people can leave one person out)",
        ),
        (
            code(r.PEERS_TAKEN, count=1, odd=False),
            PEER,
            "the only peer who passes the rules was matched with someone else",
        ),
        (
            code(r.NO_MATCH_GOOD_ENOUGH, other="mentor", count=3, min_score=40),
            MENTEE,
            "no match is good enough yet: the three mentors who pass the program's rules "
            "would each be a weak match for you",
        ),
        (
            code(r.NO_MATCH_GOOD_ENOUGH, other="mentee", count=1, min_score=40),
            MENTOR,
            "no match is good enough yet: the only mentee who passes the program's rules "
            "would be a weak match for you",
        ),
        (
            code(r.NO_MATCH_GOOD_ENOUGH, other="mentor", count=12, min_score=42.5),
            ORGANIZER,
            "no match good enough yet: the 12 mentors who pass the rules each score below "
            "the program's minimum of 42.5",
        ),
    ],
)
def test_why_someone_waits_is_said(reason: dict[str, Any], viewpoint: str, words: str) -> None:
    assert unmatched_text(reason, viewpoint) == words


@pytest.mark.parametrize(
    ("ahead", "mentee_side", "mentor_side"),
    [
        (
            True,
            "no mentor is further along in their career than you",
            "no mentor is further along in their career than them",
        ),
        (
            False,
            "no mentee is earlier in their career than you",
            "no mentee is earlier in their career than them",
        ),
    ],
)
def test_the_seniority_rule_is_said_the_right_way_round(
    ahead: bool, mentee_side: str, mentor_side: str
) -> None:
    other = "mentor" if ahead else "mentee"
    reason = code(r.EVERYONE_BREAKS, other=other, rule=r.RULE_SENIORITY, ahead=ahead)
    assert unmatched_text(reason, MENTEE if ahead else MENTOR) == mentee_side
    assert unmatched_text(reason, ORGANIZER) == mentor_side


def _waiting(people: list[Participant], name: str) -> dict[str, Any]:
    prog = program(weights={"seniority": "must"})
    result = match(prog, people, now=NOW)
    [left] = [u for u in result.unmatched if u.email == f"{name}@example.org"]
    return left.reason


def test_a_mentor_at_the_lowest_level_is_told_no_mentee_is_earlier_in_their_career() -> None:
    # Two mentees further along than Ana take Bo; Ana, at the lowest level, can mentor no one.
    people = [
        mentor("Ana", seniority="early"),
        mentor("Bo", seniority="lead", capacity=2),
        mentee("Cy", seniority="mid"),
        mentee("Dee", seniority="senior"),
    ]
    reason = _waiting(people, "ana")
    assert reason == {
        "code": r.EVERYONE_BREAKS,
        "other": "mentee",
        "rule": r.RULE_SENIORITY,
        "ahead": False,
    }
    assert unmatched_text(reason) == "no mentee is earlier in their career than them"
    assert unmatched_text(reason, MENTOR) == "no mentee is earlier in their career than you"


def test_a_mentee_no_mentor_is_ahead_of_is_told_so() -> None:
    people = [mentor("Ana", seniority="mid"), mentee("Cy", seniority="senior")]
    reason = _waiting(people, "cy")
    assert unmatched_text(reason, MENTEE) == "no mentor is further along in their career than you"


# -- what to recruit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "words"),
    [
        (
            code(r.RECRUIT_MENTORS, mentees=2, language="Portuguese", goal="Python"),
            "two mentees who speak Portuguese and want Python have no mentor: recruit mentors "
            "offering Python who speak Portuguese",
        ),
        (
            code(r.RECRUIT_MENTORS, mentees=1, language="Hindi", goal=""),
            "one mentee who speaks Hindi has no mentor: recruit mentors who speak Hindi",
        ),
        (
            code(r.RECRUIT_MENTORS, mentees=14, language="", goal="SQL"),
            "14 mentees who want SQL have no mentor: recruit mentors offering SQL",
        ),
        (
            code(r.RECRUIT_MENTORS, mentees=1, language="", goal=""),
            "one mentee has no mentor: recruit mentors",
        ),
    ],
)
def test_a_recruiting_hint_is_said(hint: dict[str, Any], words: str) -> None:
    assert hint_text(hint) == words
