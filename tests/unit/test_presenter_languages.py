"""The presenters in Spanish: every reason, waiting reason, veto and hint, from every side."""

from __future__ import annotations

from typing import Any

import pytest

from portal import i18n
from portal.domain import reasons as r
from portal.domain.analytics import Figure
from portal.presenters import words
from portal.presenters.figures import show
from portal.presenters.reasons import (
    hint_text,
    reason_text,
    unmatched_text,
    veto_text,
    widen_text,
    worth_knowing,
)
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


# -- every code, from every side, in Spanish ---------------------------------------------------


def both(say: Any, *args: Any) -> tuple[str, str]:
    english = say(*args)
    with i18n.speaking("es"):
        spanish = say(*args)
    return english, spanish


def said_in_spanish(english: str, spanish: str) -> None:
    assert spanish, english
    assert "%(" not in spanish
    assert "{" not in spanish
    assert spanish != english


@pytest.mark.parametrize("viewpoint", VIEWPOINTS)
@pytest.mark.parametrize("reason", PAIR_REASONS, ids=lambda reason: reason["code"])
def test_every_pair_reason_is_said_in_spanish(reason: dict[str, Any], viewpoint: str) -> None:
    said_in_spanish(*both(reason_text, reason, viewpoint))


@pytest.mark.parametrize("viewpoint", VIEWPOINTS)
@pytest.mark.parametrize("reason", WAITING, ids=lambda reason: reason["code"])
def test_every_waiting_reason_is_said_in_spanish(reason: dict[str, Any], viewpoint: str) -> None:
    said_in_spanish(*both(unmatched_text, reason, viewpoint))
    english, spanish = both(widen_text, reason, viewpoint)
    if english:
        said_in_spanish(english, spanish)
    else:
        assert spanish == ""


@pytest.mark.parametrize("veto", VETOES, ids=lambda veto: veto["code"])
def test_every_veto_is_said_in_spanish(veto: dict[str, Any]) -> None:
    said_in_spanish(*both(veto_text, veto))


@pytest.mark.parametrize("hint", HINTS)
def test_every_hint_is_said_in_spanish(hint: dict[str, Any]) -> None:
    said_in_spanish(*both(hint_text, hint))


def test_a_few_spanish_sentences_exactly() -> None:
    with i18n.speaking("es"):
        assert (
            reason_text(code(r.SHARED_LANGUAGE, languages=["inglés", "italiano"]), MENTEE)
            == "ambos hablan inglés e italiano"
        )
        assert (
            reason_text(code(r.CAREER_AHEAD, who=MENTOR, stages=3), MENTEE)
            == "su mentor está tres etapas profesionales por delante de usted"
        )
        assert (
            reason_text(code(r.TIME_ZONE_GAP, hours=5.5), ORGANIZER)
            == "una diferencia horaria de 5,5 horas"
        )
        assert (
            unmatched_text(code(r.COMPATIBLE_TAKEN, count=2), MENTEE)
            == "los dos mentees que cumplen las reglas se emparejaron con mentores que les "
            "convienen más"
        )
        assert (
            hint_text(code(r.RECRUIT_MENTORS, mentees=1, language="Hindi", goal=""))
            == "un mentee que habla Hindi no tiene mentor: busque mentores que hablen Hindi"
        )
        assert worth_knowing([code(r.NO_SHARED_AVAILABILITY)], PEER) == (
            "Conviene saber: no tienen ningún horario semanal en común."
        )
        assert veto_text(code(r.VETO_WEAK, min_score=42.5)) == (
            "una coincidencia débil: su puntuación queda por debajo del mínimo del programa, 42,5"
        )


def test_numbers_hours_lists_and_plurals_in_spanish() -> None:
    with i18n.speaking("es"):
        assert [words.number(n) for n in (0, 1, 2, 10, 11, 2.5)] == [
            "cero",
            "uno",
            "dos",
            "diez",
            "11",
            "2,5",
        ]
        assert [words.hours(h) for h in (0.5, 1, 2, 5.5)] == [
            "media hora",
            "una hora",
            "dos horas",
            "5,5 horas",
        ]
        assert words.join(["A", "B", "C"]) == "A, B y C"
        assert words.join(["francés", "inglés"]) == "francés e inglés"
        assert words.join(["química", "historia"]) == "química e historia"
        assert words.join(["agua", "hielo"]) == "agua y hielo"  # "hie-": no i sound of its own
        assert words.join(["siete", "ocho"], "or") == "siete u ocho"
        assert words.join(["Go", "Rust"], "or") == "Go o Rust"
        assert show(Figure(1.0, 9), "days")["text"] == "1 día"
        assert show(Figure(3.0, 9), "days")["text"] == "3 días"
        assert show(Figure(4.25, 9), "mean")["text"] == "4,2 de 5"
        assert show(Figure(87.5, 9), "pct")["text"] == "88 %"
        assert show(Figure(3.0, 2))["text"] == "menos de 5 personas"
    # English stays as it was.
    assert words.join(["French", "Italian"]) == "French and Italian"
    assert words.join(["seven", "eight"], "or") == "seven or eight"
    assert show(Figure(87.5, 9), "pct")["text"] == "88%"


def test_every_career_stage_has_its_words_in_each_language() -> None:
    from portal.domain.participants import SENIORITY_LEVELS
    from portal.presenters.words import SENIORITY_WORDS, seniority_word

    assert dict(SENIORITY_LEVELS) == SENIORITY_WORDS
    with i18n.speaking("es"):
        assert seniority_word("lead") != dict(SENIORITY_LEVELS)["lead"]


def test_every_program_format_has_its_word_for_visitors() -> None:
    from portal.domain.program import Format
    from portal.presenters.words import FORMAT_WORDS, format_word

    assert set(FORMAT_WORDS) == {format.value for format in Format}
    with i18n.speaking("es"):
        assert format_word(Format.ONE_ON_ONE) == "Individual"
    assert format_word("one-on-one") == "One on one"
