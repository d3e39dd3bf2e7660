"""Scores as reasons: what a pair has going for it, strongest first, and why a pair is ruled out.

The reasons come from the same fractions as the score (`Scorer.components`), so that what an
email says always agrees with the numbers. They are codes with parameters (see `reasons`);
`portal.presenters.reasons` puts them into words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from portal.domain import reasons as r
from portal.domain.participants import Participant
from portal.domain.reasons import Reason, reason
from portal.domain.scoring.encoding import SENIORITY_INDEX, as_list, norm
from portal.domain.scoring.rules import Veto

if TYPE_CHECKING:
    from portal.domain.scoring.scorer import Components, Scorer


def explain_from(
    scorer: Scorer, parts: Components, k: int, row: int, column: int
) -> tuple[int, tuple[Reason, ...], Reason | None]:
    """The score, the reasons (strongest first) and the veto of pair k."""
    veto = int(parts.veto[k])
    score = int(parts.score[k])
    mentee, mentor = scorer.rows.people[row], scorer.cols.people[column]
    if veto:
        return score, (), veto_reason(scorer, veto, mentee, mentor)
    ranked = sorted(
        (
            (scorer.weights.get(name, 0) * float(fraction[k]), name)
            for name, fraction in parts.fractions.items()
            if scorer.weights.get(name)
        ),
        reverse=True,
    )
    found = [
        _reason(scorer, name, mentee, mentor, float(parts.fractions[name][k])) for _, name in ranked
    ]
    return score, tuple(item for item in found if item is not None), None


def _reason(
    scorer: Scorer, name: str, mentee: Participant, mentor: Participant, fraction: float
) -> Reason | None:
    if name == "languages":
        shared = _shared(mentee.languages, mentor.languages)
        return (
            reason(r.SHARED_LANGUAGE, languages=shared) if shared else reason(r.NO_SHARED_LANGUAGE)
        )
    if name == "skills":
        if scorer.peer:
            one = _shared(mentee.goals, mentor.skills)
            other = _shared(mentor.goals, mentee.skills)
            if not one and not other:
                return reason(r.PEER_NO_GOALS_COVERED)
            return reason(
                r.PEER_GOALS_COVERED,
                first=mentor.first_name,
                first_offers=one,
                second=mentee.first_name,
                second_offers=other,
            )
        goals = [g for g in mentee.goals if norm(g) in {norm(x) for x in scorer.vocabulary.topics}]
        if not goals:
            return None
        covered = _shared(goals, mentor.skills)
        if not covered:
            return reason(r.NO_GOALS_COVERED, goals=len(goals))
        return reason(r.GOALS_COVERED, topics=covered, goals=len(goals))
    if name == "timezone":
        return reason(r.TIME_ZONE_GAP, hours=_number(round(12 * (1.0 - fraction), 1)))
    if name == "availability":
        shared_hours = _shared_hours(scorer, mentee, mentor)
        if shared_hours <= 0:
            return reason(r.NO_SHARED_AVAILABILITY)
        return reason(r.SHARED_AVAILABILITY, hours=_number(shared_hours))
    if name == "seniority":
        if not mentee.seniority or not mentor.seniority:
            return None
        if scorer.peer:
            apart = abs(SENIORITY_INDEX[mentor.seniority] - SENIORITY_INDEX[mentee.seniority])
            return reason(r.PEER_CAREER_STAGES, apart=apart)
        ahead = SENIORITY_INDEX[mentor.seniority] - SENIORITY_INDEX[mentee.seniority]
        if scorer.reverse:
            ahead = -ahead
        who = "mentee" if scorer.reverse else "mentor"  # the one expected to be further along
        if ahead >= 1:
            return reason(r.CAREER_AHEAD, who=who, stages=ahead)
        if ahead == 0:
            return reason(r.SAME_CAREER_STAGE)
        return reason(r.CAREER_BEHIND, who=who, stages=-ahead)
    if name.startswith("q:"):
        key = name[2:]
        question = next(q for q in scorer.program.questions if q.key == key)
        a, b = as_list(mentee.answers.get(key)), as_list(mentor.answers.get(key))
        shared = _shared(a, b)
        if shared:
            return reason(r.SAME_ANSWER, question=question.label, answers=shared)
        if not a or not b:
            return None
        return reason(r.DIFFERENT_ANSWERS, question=question.label)
    return None


def _shared_hours(scorer: Scorer, mentee: Participant, mentor: Participant) -> float:
    a = scorer.rows.availability[scorer.rows.index[mentee.email]]
    b = scorer.cols.availability[scorer.cols.index[mentor.email]]
    return float(np.bitwise_count(a & b).sum()) / 2.0


def veto_reason(scorer: Scorer, veto: int, mentee: Participant, mentor: Participant) -> Reason:
    """A pair's veto as a reason naming the rule."""
    if veto == Veto.SAME_PERSON:
        return reason(r.VETO_SAME_PERSON)
    if veto == Veto.LANGUAGE:
        return reason(r.VETO_LANGUAGE)
    if veto == Veto.SKILLS:
        return reason(r.VETO_SKILLS)
    if veto in (Veto.TIMEZONE_GAP, Veto.TIMEZONE):
        allowed = scorer.max_gap if veto == Veto.TIMEZONE_GAP else 3.0
        gap = _gap(scorer, mentee, mentor)
        return reason(r.VETO_TIME_ZONE, hours=_number(gap), allowed=_number(allowed or 0))
    if veto == Veto.AVAILABILITY:
        return reason(r.VETO_AVAILABILITY)
    if veto == Veto.SENIORITY:
        return reason(r.VETO_SENIORITY, who="mentee" if scorer.reverse else "mentor")
    if veto == Veto.SENIORITY_GAP:
        band = scorer.program.matching.seniority_gap
        return reason(
            r.VETO_SENIORITY_GAP,
            who="mentee" if scorer.reverse else "mentor",
            min=band.min if band else 0,
            max=band.max if band else 0,
            missing=mentee.seniority not in SENIORITY_INDEX
            or mentor.seniority not in SENIORITY_INDEX,
        )
    if veto == Veto.DEPARTMENT:
        return reason(r.VETO_DEPARTMENT, department=mentee.department.strip())
    if veto == Veto.REPORTING_LINE:
        return reason(r.VETO_REPORTING_LINE)
    if veto == Veto.PAIRED_BEFORE:
        return reason(r.VETO_PAIRED_BEFORE)
    if veto == Veto.WEAK:
        return reason(r.VETO_WEAK, min_score=_number(scorer.min_score))
    if veto >= Veto.QUESTION:
        question = scorer.program.questions[veto - Veto.QUESTION]
        return reason(r.VETO_QUESTION, question=question.label)
    return reason(r.VETO_OTHER)


def _gap(scorer: Scorer, mentee: Participant, mentor: Participant) -> float:
    a = int(scorer.rows.offset_minutes[scorer.rows.index[mentee.email]])
    b = int(scorer.cols.offset_minutes[scorer.cols.index[mentor.email]])
    difference = abs(a - b) % 1440
    return min(difference, 1440 - difference) / 60.0


def _shared(first: Iterable[str], second: Iterable[str]) -> list[str]:
    other = {norm(x) for x in second}
    return [x for x in first if norm(x) in other]


def _number(value: float) -> int | float:
    """Whole hours as an int (5, not 5.0), so that what is stored reads as it was meant."""
    return int(value) if float(value).is_integer() else float(value)
