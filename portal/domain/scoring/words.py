"""Scores in words: the reasons for a pair, strongest first, and why a pair is ruled out.

The words come from the same fractions as the score (`Scorer.components`), so that what an
email says always agrees with the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from portal.domain.participants import Participant
from portal.domain.scoring.encoding import SENIORITY_INDEX, as_list, norm
from portal.domain.scoring.rules import Veto

if TYPE_CHECKING:
    from portal.domain.scoring.scorer import Components, Scorer


def explain_from(
    scorer: Scorer, parts: Components, k: int, row: int, column: int
) -> tuple[int, tuple[str, ...], str | None]:
    """The score, the reasons in words (strongest first) and the veto reason of pair k."""
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
    reasons = [
        _reason(scorer, name, mentee, mentor, float(parts.fractions[name][k])) for _, name in ranked
    ]
    return score, tuple(reason for reason in reasons if reason), None


def _reason(
    scorer: Scorer, name: str, mentee: Participant, mentor: Participant, fraction: float
) -> str:
    if name == "languages":
        shared = _shared(mentee.languages, mentor.languages)
        return f"both speak {_join(shared)}" if shared else "no shared language"
    if name == "skills":
        if scorer.peer:
            one = _shared(mentee.goals, mentor.skills)
            other = _shared(mentor.goals, mentee.skills)
            if not one and not other:
                return "neither offers what the other seeks"
            parts = []
            if one:
                parts.append(f"{mentor.first_name} covers {_join(one)}")
            if other:
                parts.append(f"{mentee.first_name} covers {_join(other)}")
            return "; ".join(parts)
        goals = [g for g in mentee.goals if norm(g) in {norm(x) for x in scorer.vocabulary.topics}]
        covered = _shared(goals, mentor.skills)
        if not goals:
            return ""
        if len(goals) == 1:
            return f"covers the one goal: {covered[0]}" if covered else "misses the one goal"
        if not covered:
            return f"covers none of {len(goals)} goals"
        return f"covers {len(covered)} of {len(goals)} goals: {', '.join(covered)}"
    if name == "timezone":
        gap = round(12 * (1.0 - fraction), 1)
        if gap == 0:
            return "same time zone"
        return f"{_hours(gap)} time-zone gap"
    if name == "availability":
        shared_hours = _shared_hours(scorer, mentee, mentor)
        if shared_hours <= 0:
            return "no shared weekly availability"
        return f"{_hours(shared_hours)} of shared weekly availability"
    if name == "seniority":
        if not mentee.seniority or not mentor.seniority:
            return ""
        if scorer.peer:
            return "at the same career stage" if fraction >= 0.999 else "at nearby career stages"
        ahead = SENIORITY_INDEX[mentor.seniority] - SENIORITY_INDEX[mentee.seniority]
        if scorer.reverse:
            ahead = -ahead
        if ahead >= 1:
            who = "mentee" if scorer.reverse else "mentor"
            return f"{who} is {ahead} career stage{'s' if ahead > 1 else ''} ahead"
        if ahead == 0:
            return "same career stage"
        return f"{'mentee' if scorer.reverse else 'mentor'} is earlier in their career"
    if name.startswith("q:"):
        key = name[2:]
        question = next(q for q in scorer.program.questions if q.key == key)
        a, b = as_list(mentee.answers.get(key)), as_list(mentor.answers.get(key))
        shared = _shared(a, b)
        if shared:
            return f"same answer to “{question.label}”: {_join(shared)}"
        if not a or not b:
            return ""
        return f"different answers to “{question.label}”"
    return ""


def _shared_hours(scorer: Scorer, mentee: Participant, mentor: Participant) -> float:
    a = scorer.rows.availability[scorer.rows.index[mentee.email]]
    b = scorer.cols.availability[scorer.cols.index[mentor.email]]
    return float(np.bitwise_count(a & b).sum()) / 2.0


def veto_reason(scorer: Scorer, veto: int, mentee: Participant, mentor: Participant) -> str:
    """A pair's veto as a sentence naming the rule."""
    if veto == Veto.SAME_PERSON:
        return "the same person"
    if veto == Veto.LANGUAGE:
        return "no shared language"
    if veto == Veto.SKILLS:
        return "offers none of the goals sought"
    if veto in (Veto.TIMEZONE_GAP, Veto.TIMEZONE):
        allowed = scorer.max_gap if veto == Veto.TIMEZONE_GAP else 3.0
        gap = _gap(scorer, mentee, mentor)
        return f"{_hours(gap)} time-zone gap, more than the {_hours(allowed or 0)} allowed"
    if veto == Veto.AVAILABILITY:
        return "no shared weekly availability"
    if veto == Veto.SENIORITY:
        return (
            "mentee is not earlier in their career"
            if not scorer.reverse
            else "mentee is not more senior"
        )
    if veto == Veto.DEPARTMENT:
        return f"both in the same department ({mentee.department.strip()})"
    if veto == Veto.REPORTING_LINE:
        return "in the same reporting line"
    if veto == Veto.PAIRED_BEFORE:
        return "paired before"
    if veto >= Veto.QUESTION:
        question = scorer.program.questions[veto - Veto.QUESTION]
        return f"different answers to “{question.label}” (must match)"
    return "not allowed"


def _gap(scorer: Scorer, mentee: Participant, mentor: Participant) -> float:
    a = int(scorer.rows.offset_minutes[scorer.rows.index[mentee.email]])
    b = int(scorer.cols.offset_minutes[scorer.cols.index[mentor.email]])
    difference = abs(a - b) % 1440
    return min(difference, 1440 - difference) / 60.0


def _shared(first: Iterable[str], second: Iterable[str]) -> list[str]:
    other = {norm(x) for x in second}
    return [x for x in first if norm(x) in other]


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hours(value: float) -> str:
    return f"{value:g} h"
