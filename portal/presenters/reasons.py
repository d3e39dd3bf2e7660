"""Reasons in words: the one place where a reason's code and parameters become a sentence.

The engine gives reasons as data (`portal.domain.reasons`); pages, emails and the
CLI ask this module for the words, from the reader's side: the mentee, the mentor, a peer,
or the organizer. Each sentence is one whole template with named parameters, so that a
later translation replaces sentences, never fragments.

A pair's reasons split in two: strengths, shown under "why you were matched", and weak
points, said once on a separate "worth knowing" line. Records stored by an earlier version
hold English sentences instead of codes: those are shown as they are, as strengths (which
is how that version showed them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jinja2

from portal.domain import reasons as r
from portal.presenters.waiting import hint_text, unmatched_text, widen_text
from portal.presenters.words import (
    MENTEE,
    MENTOR,
    ORGANIZER,
    PEER,
    VIEWPOINTS,
    day,
    hours,
    is_participant,
    join,
    number,
    plural,
    role_word,
)

__all__ = [
    "MENTEE",
    "MENTOR",
    "ORGANIZER",
    "PEER",
    "VIEWPOINTS",
    "hint_text",
    "is_strength",
    "reason_text",
    "register",
    "strengths",
    "unmatched_text",
    "veto_text",
    "weak_points",
    "widen_text",
    "worth_knowing",
]

# A time-zone gap up to this many hours is a strength; a wider one is worth knowing.
NEARBY_HOURS = 2.0
# Less weekly time in common than this is worth knowing rather than a reason.
ENOUGH_SHARED_HOURS = 1.0

# -- a pair's reasons -----------------------------------------------------------------------

Reasonish = Mapping[str, Any] | str


def is_strength(reason: Reasonish) -> bool:
    """Whether a reason belongs under "why you were matched" (else it is worth knowing)."""
    if isinstance(reason, str):
        return True  # a sentence stored by an earlier version, shown as it was
    code = reason.get("code")
    if code in (r.SHARED_LANGUAGE, r.GOALS_COVERED, r.PEER_GOALS_COVERED, r.CAREER_AHEAD):
        return True
    if code in (r.SAME_ANSWER,):
        return True
    if code == r.TIME_ZONE_GAP:
        return float(reason.get("hours", 0)) <= NEARBY_HOURS
    if code == r.SHARED_AVAILABILITY:
        return float(reason.get("hours", 0)) >= ENOUGH_SHARED_HOURS
    if code == r.PEER_CAREER_STAGES:
        return int(reason.get("apart", 0)) <= 1
    return False


def reason_text(reason: Reasonish, viewpoint: str = ORGANIZER) -> str:
    """One reason of a pair in words, from `viewpoint`; a legacy sentence as it is."""
    if isinstance(reason, str):
        return reason
    you = is_participant(viewpoint)
    code = reason.get("code")
    p = dict(reason)
    if code == r.SHARED_LANGUAGE:
        languages = join(p.get("languages", []))
        return ("you both speak {languages}" if you else "both speak {languages}").format(
            languages=languages
        )
    if code == r.NO_SHARED_LANGUAGE:
        return "you have no language in common" if you else "no language in common"
    if code == r.GOALS_COVERED:
        return _goals_covered(p.get("topics", []), int(p.get("goals", 0)), viewpoint)
    if code == r.NO_GOALS_COVERED:
        return {
            MENTEE: "your mentor's skills cover none of your goals",
            MENTOR: "your skills cover none of your mentee's goals",
            PEER: "your skills cover none of the other's goals",
            ORGANIZER: "the mentor's skills cover none of the mentee's goals",
        }[viewpoint]
    if code == r.PEER_GOALS_COVERED:
        return _peer_goals(p)
    if code == r.PEER_NO_GOALS_COVERED:
        return (
            "neither of you offers what the other is looking for"
            if you
            else "neither offers what the other is looking for"
        )
    if code == r.TIME_ZONE_GAP:
        gap = float(p.get("hours", 0))
        if gap == 0:
            return "you are in the same time zone" if you else "in the same time zone"
        if gap <= NEARBY_HOURS:
            sentence = (
                "you are in nearby time zones, {hours} apart"
                if you
                else "in nearby time zones, {hours} apart"
            )
        else:
            sentence = (
                "there is a time difference of {hours} between you"
                if you
                else "a time difference of {hours}"
            )
        return sentence.format(hours=hours(gap))
    if code == r.SHARED_AVAILABILITY:
        shared = float(p.get("hours", 0))
        if shared >= ENOUGH_SHARED_HOURS:
            sentence = (
                "you have {hours} of free time in common each week"
                if you
                else "{hours} of free time in common each week"
            )
        else:
            sentence = (
                "you have only {hours} of free time in common each week"
                if you
                else "only {hours} of free time in common each week"
            )
        return sentence.format(hours=hours(shared))
    if code == r.NO_SHARED_AVAILABILITY:
        return "you have no weekly time in common" if you else "no weekly time in common"
    if code == r.CAREER_AHEAD:
        return _career_ahead(str(p.get("who", MENTOR)), int(p.get("stages", 1)), viewpoint)
    if code == r.SAME_CAREER_STAGE:
        return "you are at the same career stage" if you else "at the same career stage"
    if code == r.CAREER_BEHIND:
        return _career_behind(str(p.get("who", MENTOR)), viewpoint)
    if code == r.PEER_CAREER_STAGES:
        apart = int(p.get("apart", 0))
        if apart == 0:
            return "you are at the same career stage" if you else "at the same career stage"
        if apart == 1:
            return "you are at nearby career stages" if you else "at nearby career stages"
        return (
            "you are {count} career stages apart" if you else "{count} career stages apart"
        ).format(count=number(apart))
    if code == r.SAME_ANSWER:
        return (
            "you gave the same answer to “{question}”: {answers}"
            if you
            else "the same answer to “{question}”: {answers}"
        ).format(question=p.get("question", ""), answers=join(p.get("answers", [])))
    if code == r.DIFFERENT_ANSWERS:
        return (
            "you answered “{question}” differently" if you else "different answers to “{question}”"
        ).format(question=p.get("question", ""))
    return ""  # a code from a later version: better unsaid than wrong


def _goals_covered(topics: Sequence[str], goals: int, viewpoint: str) -> str:
    count, listed = len(topics), join(topics)
    if goals == 1:
        sentence = {
            MENTEE: "your mentor can help with your goal: {topics}",
            MENTOR: "you can help with your mentee's goal: {topics}",
            PEER: "you can help with the other's goal: {topics}",
            ORGANIZER: "the mentor can help with the mentee's goal: {topics}",
        }[viewpoint]
    elif count == goals == 2:
        sentence = {
            MENTEE: "your mentor can help with both your goals: {topics}",
            MENTOR: "you can help with both your mentee's goals: {topics}",
            PEER: "you can help with both the other's goals: {topics}",
            ORGANIZER: "the mentor can help with both the mentee's goals: {topics}",
        }[viewpoint]
    elif count == goals:
        sentence = {
            MENTEE: "your mentor can help with all {goals} of your goals: {topics}",
            MENTOR: "you can help with all {goals} of your mentee's goals: {topics}",
            PEER: "you can help with all {goals} of the other's goals: {topics}",
            ORGANIZER: "the mentor can help with all {goals} of the mentee's goals: {topics}",
        }[viewpoint]
    else:
        sentence = {
            MENTEE: "your mentor can help with {count} of your {goals} goals: {topics}",
            MENTOR: "you can help with {count} of your mentee's {goals} goals: {topics}",
            PEER: "you can help with {count} of the other's {goals} goals: {topics}",
            ORGANIZER: "the mentor can help with {count} of the mentee's {goals} goals: {topics}",
        }[viewpoint]
    return sentence.format(count=number(count), goals=number(goals), topics=listed)


def _peer_goals(p: Mapping[str, Any]) -> str:
    first, second = str(p.get("first", "")), str(p.get("second", ""))
    first_offers, second_offers = p.get("first_offers", []), p.get("second_offers", [])
    if first_offers and second_offers:
        sentence = "{first} can help with {first_offers}, and {second} with {second_offers}"
    elif first_offers:
        sentence = "{first} can help with {first_offers}"
    else:
        sentence = "{second} can help with {second_offers}"
    return sentence.format(
        first=first,
        second=second,
        first_offers=join(first_offers),
        second_offers=join(second_offers),
    )


def _career_ahead(who: str, stages: int, viewpoint: str) -> str:
    sentences = {
        (MENTOR, MENTEE): (
            "your mentor is one career stage ahead of you",
            "your mentor is {count} career stages ahead of you",
        ),
        (MENTOR, MENTOR): (
            "you are one career stage ahead of your mentee",
            "you are {count} career stages ahead of your mentee",
        ),
        (MENTOR, ORGANIZER): (
            "the mentor is one career stage ahead of the mentee",
            "the mentor is {count} career stages ahead of the mentee",
        ),
        (MENTEE, MENTEE): (
            "you are one career stage ahead of your mentor",
            "you are {count} career stages ahead of your mentor",
        ),
        (MENTEE, MENTOR): (
            "your mentee is one career stage ahead of you",
            "your mentee is {count} career stages ahead of you",
        ),
        (MENTEE, ORGANIZER): (
            "the mentee is one career stage ahead of the mentor",
            "the mentee is {count} career stages ahead of the mentor",
        ),
    }
    one, several = sentences[(who, ORGANIZER if viewpoint == PEER else viewpoint)]
    return plural(stages, one, several)


def _career_behind(who: str, viewpoint: str) -> str:
    return {
        (MENTOR, MENTEE): "your mentor is earlier in their career than you",
        (MENTOR, MENTOR): "you are earlier in your career than your mentee",
        (MENTEE, MENTEE): "you are earlier in your career than your mentor",
        (MENTEE, MENTOR): "your mentee is earlier in their career than you",
    }.get(
        (who, viewpoint),
        "the mentor is earlier in their career than the mentee"
        if who == MENTOR
        else "the mentee is earlier in their career than the mentor",
    )


def strengths(reasons: Iterable[Reasonish] | None, viewpoint: str = ORGANIZER) -> list[str]:
    """The reasons to show under "why you were matched", in words, strongest first."""
    said = (reason_text(reason, viewpoint) for reason in reasons or () if is_strength(reason))
    return [text for text in said if text]


def weak_points(reasons: Iterable[Reasonish] | None, viewpoint: str = ORGANIZER) -> list[str]:
    """The weak points of a pair in words (never shown as reasons)."""
    said = (reason_text(reason, viewpoint) for reason in reasons or () if not is_strength(reason))
    return [text for text in said if text]


def worth_knowing(reasons: Iterable[Reasonish] | None, viewpoint: str = ORGANIZER) -> str:
    """The one "worth knowing" line of a pair's weak points, or "" when there are none."""
    points = weak_points(reasons, viewpoint)
    if not points:
        return ""
    return "Worth knowing: {points}.".format(points="; ".join(points))


# -- vetoes -----------------------------------------------------------------------------------


def veto_text(veto: Reasonish | None) -> str:
    """Why a pair is ruled out, for an organizer; a legacy sentence as it is."""
    if veto is None:
        return ""
    if isinstance(veto, str):
        return veto
    code, p = veto.get("code"), dict(veto)
    if code == r.VETO_SAME_PERSON:
        return "the same person"
    if code == r.VETO_LANGUAGE:
        return "no shared language"
    if code == r.VETO_SKILLS:
        return "the mentor offers none of the goals the mentee seeks"
    if code == r.VETO_TIME_ZONE:
        return "a time difference of {hours}, more than the {allowed} allowed".format(
            hours=hours(float(p.get("hours", 0))), allowed=hours(float(p.get("allowed", 0)))
        )
    if code == r.VETO_AVAILABILITY:
        return "no weekly time in common"
    if code == r.VETO_SENIORITY:
        return (
            "the mentee is not further along in their career than the mentor"
            if p.get("who") == MENTEE
            else "the mentor is not further along in their career than the mentee"
        )
    if code == r.VETO_DEPARTMENT:
        return "both in the same department ({department})".format(
            department=p.get("department", "")
        )
    if code == r.VETO_REPORTING_LINE:
        return "in the same reporting line"
    if code == r.VETO_PAIRED_BEFORE:
        return "paired before"
    if code == r.VETO_QUESTION:
        return "different answers to “{question}”, which must match".format(
            question=p.get("question", "")
        )
    if code == r.VETO_WEAK:
        return "a weak match: it scores below the program's minimum of {min_score}".format(
            min_score=f"{float(p.get('min_score', 0)):g}"
        )
    return "not allowed by the program's rules"


# -- templates --------------------------------------------------------------------------------


def register(environment: jinja2.Environment) -> None:
    """Make the words available to templates, as filters: `reasons|strengths(viewpoint)`."""
    environment.filters.update(
        strengths=strengths,
        worth_knowing=worth_knowing,
        unmatched_reason=unmatched_text,
        widen_chances=widen_text,
        day=day,
        recruit_hint=hint_text,
        veto_words=veto_text,
        role_word=role_word,
    )
