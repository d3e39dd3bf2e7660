"""The presenters in Spanish: every reason, waiting reason, veto and hint, from every side."""

from __future__ import annotations

from typing import Any

from portal.domain import reasons as r
from portal.presenters.words import MENTEE, MENTOR, ORGANIZER, PEER, VIEWPOINTS


def code(name: str, **params: Any) -> dict[str, Any]:
    return {"code": name, **params}


# Every pair reason, with the parameters that choose each of its sentences.
PAIR_REASONS = [
    code(r.SHARED_LANGUAGE, languages=["Spanish"]),
    code(r.SHARED_LANGUAGE, languages=["Spanish", "English", "Italian"]),
    code(r.NO_SHARED_LANGUAGE),
    code(r.GOALS_COVERED, topics=["Python"], goals=1),
    code(r.GOALS_COVERED, topics=["Python", "SQL"], goals=2),
    code(r.GOALS_COVERED, topics=["Python", "SQL", "Go"], goals=3),
    code(r.GOALS_COVERED, topics=["Python"], goals=4),
    code(r.GOALS_COVERED, topics=["Python", "SQL"], goals=12),
    code(r.NO_GOALS_COVERED, goals=2),
    code(r.PEER_GOALS_COVERED, first="Ana", first_offers=["Go"], second="Bo", second_offers=[]),
    code(r.PEER_GOALS_COVERED, first="Ana", first_offers=[], second="Bo", second_offers=["R"]),
    code(
        r.PEER_GOALS_COVERED,
        first="Ana",
        first_offers=["Go", "R"],
        second="Bo",
        second_offers=["SQL"],
    ),
    code(r.PEER_NO_GOALS_COVERED),
    code(r.TIME_ZONE_GAP, hours=0),
    code(r.TIME_ZONE_GAP, hours=0.5),
    code(r.TIME_ZONE_GAP, hours=1),
    code(r.TIME_ZONE_GAP, hours=2),
    code(r.TIME_ZONE_GAP, hours=5.5),
    code(r.TIME_ZONE_GAP, hours=14),
    code(r.SHARED_AVAILABILITY, hours=0.5),
    code(r.SHARED_AVAILABILITY, hours=1),
    code(r.SHARED_AVAILABILITY, hours=7),
    code(r.NO_SHARED_AVAILABILITY),
    code(r.CAREER_AHEAD, who=MENTOR, stages=1),
    code(r.CAREER_AHEAD, who=MENTOR, stages=3),
    code(r.CAREER_AHEAD, who=MENTEE, stages=1),
    code(r.CAREER_AHEAD, who=MENTEE, stages=2),
    code(r.SAME_CAREER_STAGE),
    code(r.CAREER_BEHIND, who=MENTOR),
    code(r.CAREER_BEHIND, who=MENTEE),
    code(r.PEER_CAREER_STAGES, apart=0),
    code(r.PEER_CAREER_STAGES, apart=1),
    code(r.PEER_CAREER_STAGES, apart=3),
    code(r.SAME_ANSWER, question="Favourite tea?", answers=["Green"]),
    code(r.SAME_ANSWER, question="Sports?", answers=["Chess", "Golf"]),
    code(r.DIFFERENT_ANSWERS, question="Favourite tea?"),
]

VETOES = [
    code(r.VETO_SAME_PERSON),
    code(r.VETO_LANGUAGE),
    code(r.VETO_SKILLS),
    code(r.VETO_TIME_ZONE, hours=9, allowed=0.5),
    code(r.VETO_TIME_ZONE, hours=5.5, allowed=1),
    code(r.VETO_AVAILABILITY),
    code(r.VETO_SENIORITY, who=MENTOR),
    code(r.VETO_SENIORITY, who=MENTEE),
    code(r.VETO_DEPARTMENT, department="Finance"),
    code(r.VETO_REPORTING_LINE),
    code(r.VETO_PAIRED_BEFORE),
    code(r.VETO_QUESTION, question="Site?"),
    code(r.VETO_WEAK, min_score=42.5),
    code(r.VETO_OTHER),
]

ALL_RULES = [
    r.RULE_LANGUAGE,
    r.RULE_SKILLS,
    r.RULE_TIME_ZONE,
    r.RULE_AVAILABILITY,
    r.RULE_SENIORITY,
    r.RULE_DEPARTMENT,
    r.RULE_REPORTING_LINE,
    r.RULE_PAIRED_BEFORE,
    r.RULE_SAME_PERSON,
    r.RULE_QUESTION,
    r.RULE_OTHER,
]

WAITING = [
    code(r.NO_FREE_MENTOR),
    code(r.NO_MENTEE_WAITING),
    *[code(r.NOBODY_SIGNED_UP, other=other) for other in (MENTOR, MENTEE, PEER)],
    code(r.NO_ONE_SPEAKS, other=MENTOR, languages=["Hindi"]),
    code(r.NO_ONE_SPEAKS, other=MENTOR, languages=["French", "Italian"]),
    code(r.NO_ONE_SPEAKS, other=PEER, languages=[]),
    code(r.NO_ONE_OFFERS, other=MENTOR, goals=["Go", "Rust"]),
    code(r.NO_ONE_OFFERS, other=MENTOR, goals=[]),
    code(r.NO_ONE_SEEKS, other=MENTEE, skills=["SQL", "Objective-C"]),
    code(r.NO_ONE_SEEKS, other=MENTEE, skills=[]),
    code(r.EVERYONE_TOO_FAR, other=MENTOR, hours=3),
    code(r.NO_ONE_SAME_ANSWER, other=PEER, question="Site?"),
    *[code(r.EVERYONE_BREAKS, other=MENTOR, rule=rule) for rule in ALL_RULES],
    code(r.EVERYONE_BREAKS, other=MENTEE, rule=r.RULE_SENIORITY, ahead=False),
    code(
        r.NO_ONE_PASSES,
        other=MENTOR,
        total=7,
        rules=[{"rule": rule, "count": 1} for rule in ALL_RULES],
    ),
    code(
        r.NO_ONE_PASSES,
        other=MENTEE,
        total=12,
        rules=[
            *[{"rule": rule, "count": 3} for rule in ALL_RULES],
            {"rule": r.RULE_SENIORITY, "count": 2, "ahead": False},
            {"rule": r.RULE_SENIORITY, "count": 1, "ahead": False},
        ],
    ),
    code(r.OTHERS_HAVE_ROOM, count=1),
    code(r.OTHERS_HAVE_ROOM, count=3),
    code(r.COMPATIBLE_FULL, count=1, outscored=True),
    code(r.COMPATIBLE_FULL, count=2, outscored=True),
    code(r.COMPATIBLE_FULL, count=1),
    code(r.COMPATIBLE_FULL, count=4),
    code(r.COMPATIBLE_TAKEN, count=1),
    code(r.COMPATIBLE_TAKEN, count=2),
    code(r.PEERS_TAKEN, count=1),
    code(r.PEERS_TAKEN, count=2),
    code(r.PEERS_TAKEN, count=1, odd=True),
    code(r.PEERS_TAKEN, count=5, odd=True),
    code(r.NO_MATCH_GOOD_ENOUGH, other=MENTOR, count=1, min_score=40),
    code(r.NO_MATCH_GOOD_ENOUGH, other=MENTEE, count=3, min_score=37.5),
    code("a_later_code"),
]

HINTS = [
    code(r.RECRUIT_MENTORS, mentees=n, language=language, goal=goal)
    for n in (1, 4)
    for language in ("", "Hindi")
    for goal in ("", "Python")
]

__all__ = ["HINTS", "MENTEE", "MENTOR", "ORGANIZER", "PAIR_REASONS", "PEER", "VETOES", "VIEWPOINTS"]
