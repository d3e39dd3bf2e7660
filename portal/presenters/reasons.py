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
from portal.i18n import gettext, ngettext
from portal.presenters.waiting import hint_text, unmatched_text, widen_text
from portal.presenters.words import (
    MENTEE,
    MENTOR,
    ORGANIZER,
    PEER,
    VIEWPOINTS,
    career_levels,
    day,
    figures,
    hours,
    is_participant,
    join,
    number,
    role_word,
    seniority_word,
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
        if you:
            return gettext("you both speak %(languages)s", languages=languages)
        return gettext("both speak %(languages)s", languages=languages)
    if code == r.NO_SHARED_LANGUAGE:
        return (
            gettext("you have no language in common") if you else gettext("no language in common")
        )
    if code == r.GOALS_COVERED:
        return _goals_covered(p.get("topics", []), int(p.get("goals", 0)), viewpoint)
    if code == r.NO_GOALS_COVERED:
        if viewpoint == MENTEE:
            return gettext("your mentor's skills cover none of your goals")
        if viewpoint == MENTOR:
            return gettext("your skills cover none of your mentee's goals")
        if viewpoint == PEER:
            return gettext("your skills cover none of the other's goals")
        return gettext("the mentor's skills cover none of the mentee's goals")
    if code == r.PEER_GOALS_COVERED:
        return _peer_goals(p)
    if code == r.PEER_NO_GOALS_COVERED:
        if you:
            return gettext("neither of you offers what the other is looking for")
        return gettext("neither offers what the other is looking for")
    if code == r.TIME_ZONE_GAP:
        gap = float(p.get("hours", 0))
        if gap == 0:
            return (
                gettext("you are in the same time zone")
                if you
                else gettext("in the same time zone")
            )
        distance = hours(gap)
        if gap <= NEARBY_HOURS:
            if you:
                return gettext("you are in nearby time zones, %(hours)s apart", hours=distance)
            return gettext("in nearby time zones, %(hours)s apart", hours=distance)
        if you:
            return gettext("there is a time difference of %(hours)s between you", hours=distance)
        return gettext("a time difference of %(hours)s", hours=distance)
    if code == r.SHARED_AVAILABILITY:
        shared = float(p.get("hours", 0))
        free = hours(shared)
        if shared >= ENOUGH_SHARED_HOURS:
            if you:
                return gettext("you have %(hours)s of free time in common each week", hours=free)
            return gettext("%(hours)s of free time in common each week", hours=free)
        if you:
            return gettext("you have only %(hours)s of free time in common each week", hours=free)
        return gettext("only %(hours)s of free time in common each week", hours=free)
    if code == r.NO_SHARED_AVAILABILITY:
        if you:
            return gettext("you have no weekly time in common")
        return gettext("no weekly time in common")
    if code == r.CAREER_AHEAD:
        return _career_ahead(str(p.get("who", MENTOR)), int(p.get("stages", 1)), viewpoint)
    if code == r.SAME_CAREER_STAGE:
        return _same_stage(you)
    if code == r.CAREER_BEHIND:
        return _career_behind(str(p.get("who", MENTOR)), viewpoint)
    if code == r.PEER_CAREER_STAGES:
        apart = int(p.get("apart", 0))
        if apart == 0:
            return _same_stage(you)
        if apart == 1:
            if you:
                return gettext("you are at nearby career stages")
            return gettext("at nearby career stages")
        if you:
            return gettext("you are %(count)s career stages apart", count=number(apart))
        return gettext("%(count)s career stages apart", count=number(apart))
    if code == r.SAME_ANSWER:
        question, answers = p.get("question", ""), join(p.get("answers", []))
        if you:
            return gettext(
                "you gave the same answer to “%(question)s”: %(answers)s",
                question=question,
                answers=answers,
            )
        return gettext(
            "the same answer to “%(question)s”: %(answers)s", question=question, answers=answers
        )
    if code == r.DIFFERENT_ANSWERS:
        question = p.get("question", "")
        if you:
            return gettext("you answered “%(question)s” differently", question=question)
        return gettext("different answers to “%(question)s”", question=question)
    return ""  # a code from a later version: better unsaid than wrong


def _same_stage(you: bool) -> str:
    if you:
        return gettext("you are at the same career stage")
    return gettext("at the same career stage")


def _goals_covered(topics: Sequence[str], goals: int, viewpoint: str) -> str:
    count, listed = len(topics), join(topics)
    words = {"count": number(count), "goals": number(goals), "topics": listed}
    if goals == 1:
        if viewpoint == MENTEE:
            return gettext("your mentor can help with your goal: %(topics)s", **words)
        if viewpoint == MENTOR:
            return gettext("you can help with your mentee's goal: %(topics)s", **words)
        if viewpoint == PEER:
            return gettext("you can help with the other's goal: %(topics)s", **words)
        return gettext("the mentor can help with the mentee's goal: %(topics)s", **words)
    if count == goals == 2:
        if viewpoint == MENTEE:
            return gettext("your mentor can help with both your goals: %(topics)s", **words)
        if viewpoint == MENTOR:
            return gettext("you can help with both your mentee's goals: %(topics)s", **words)
        if viewpoint == PEER:
            return gettext("you can help with both the other's goals: %(topics)s", **words)
        return gettext("the mentor can help with both the mentee's goals: %(topics)s", **words)
    if count == goals:
        if viewpoint == MENTEE:
            return gettext(
                "your mentor can help with all %(goals)s of your goals: %(topics)s", **words
            )
        if viewpoint == MENTOR:
            return gettext(
                "you can help with all %(goals)s of your mentee's goals: %(topics)s", **words
            )
        if viewpoint == PEER:
            return gettext(
                "you can help with all %(goals)s of the other's goals: %(topics)s", **words
            )
        return gettext(
            "the mentor can help with all %(goals)s of the mentee's goals: %(topics)s", **words
        )
    if viewpoint == MENTEE:
        return gettext(
            "your mentor can help with %(count)s of your %(goals)s goals: %(topics)s", **words
        )
    if viewpoint == MENTOR:
        return gettext(
            "you can help with %(count)s of your mentee's %(goals)s goals: %(topics)s", **words
        )
    if viewpoint == PEER:
        return gettext(
            "you can help with %(count)s of the other's %(goals)s goals: %(topics)s", **words
        )
    return gettext(
        "the mentor can help with %(count)s of the mentee's %(goals)s goals: %(topics)s",
        **words,
    )


def _peer_goals(p: Mapping[str, Any]) -> str:
    first, second = str(p.get("first", "")), str(p.get("second", ""))
    first_offers, second_offers = p.get("first_offers", []), p.get("second_offers", [])
    if first_offers and second_offers:
        return gettext(
            "%(first)s can help with %(first_offers)s, and %(second)s with %(second_offers)s",
            first=first,
            second=second,
            first_offers=join(first_offers),
            second_offers=join(second_offers),
        )
    if first_offers:
        return gettext(
            "%(first)s can help with %(first_offers)s", first=first, first_offers=join(first_offers)
        )
    return gettext(
        "%(second)s can help with %(second_offers)s",
        second=second,
        second_offers=join(second_offers),
    )


def _career_ahead(who: str, stages: int, viewpoint: str) -> str:
    side = ORGANIZER if viewpoint == PEER else viewpoint
    count = number(stages)
    if (who, side) == (MENTOR, MENTEE):
        return ngettext(
            "your mentor is one career stage ahead of you",
            "your mentor is %(num)s career stages ahead of you",
            stages,
            num=count,
        )
    if (who, side) == (MENTOR, MENTOR):
        return ngettext(
            "you are one career stage ahead of your mentee",
            "you are %(num)s career stages ahead of your mentee",
            stages,
            num=count,
        )
    if who == MENTOR:
        return ngettext(
            "the mentor is one career stage ahead of the mentee",
            "the mentor is %(num)s career stages ahead of the mentee",
            stages,
            num=count,
        )
    if side == MENTEE:
        return ngettext(
            "you are one career stage ahead of your mentor",
            "you are %(num)s career stages ahead of your mentor",
            stages,
            num=count,
        )
    if side == MENTOR:
        return ngettext(
            "your mentee is one career stage ahead of you",
            "your mentee is %(num)s career stages ahead of you",
            stages,
            num=count,
        )
    return ngettext(
        "the mentee is one career stage ahead of the mentor",
        "the mentee is %(num)s career stages ahead of the mentor",
        stages,
        num=count,
    )


def _career_behind(who: str, viewpoint: str) -> str:
    if (who, viewpoint) == (MENTOR, MENTEE):
        return gettext("your mentor is earlier in their career than you")
    if (who, viewpoint) == (MENTOR, MENTOR):
        return gettext("you are earlier in your career than your mentee")
    if (who, viewpoint) == (MENTEE, MENTEE):
        return gettext("you are earlier in your career than your mentor")
    if (who, viewpoint) == (MENTEE, MENTOR):
        return gettext("your mentee is earlier in their career than you")
    if who == MENTOR:
        return gettext("the mentor is earlier in their career than the mentee")
    return gettext("the mentee is earlier in their career than the mentor")


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
    return gettext("Worth knowing: %(points)s.", points="; ".join(points))


# -- vetoes -----------------------------------------------------------------------------------


def veto_text(veto: Reasonish | None) -> str:
    """Why a pair is ruled out, for an organizer; a legacy sentence as it is."""
    if veto is None:
        return ""
    if isinstance(veto, str):
        return veto
    code, p = veto.get("code"), dict(veto)
    if code == r.VETO_SAME_PERSON:
        return gettext("the same person")
    if code == r.VETO_LANGUAGE:
        return gettext("no shared language")
    if code == r.VETO_SKILLS:
        return gettext("the mentor offers none of the goals the mentee seeks")
    if code == r.VETO_TIME_ZONE:
        return gettext(
            "a time difference of %(hours)s, more than the %(allowed)s allowed",
            hours=hours(float(p.get("hours", 0))),
            allowed=hours(float(p.get("allowed", 0))),
        )
    if code == r.VETO_AVAILABILITY:
        return gettext("no weekly time in common")
    if code == r.VETO_SENIORITY:
        if p.get("who") == MENTEE:
            return gettext("the mentee is not further along in their career than the mentor")
        return gettext("the mentor is not further along in their career than the mentee")
    if code == r.VETO_SENIORITY_GAP:
        if p.get("missing"):
            return gettext(
                "a career stage is missing, and the program pairs people a set number of "
                "career levels apart"
            )
        levels = career_levels(int(p.get("min", 0)), int(p.get("max", 0)))
        if p.get("who") == MENTEE:
            return gettext(
                "the mentee is not %(levels)s above the mentor, as the program requires",
                levels=levels,
            )
        return gettext(
            "the mentor is not %(levels)s above the mentee, as the program requires",
            levels=levels,
        )
    if code == r.VETO_DEPARTMENT:
        return gettext(
            "both in the same department (%(department)s)", department=p.get("department", "")
        )
    if code == r.VETO_REPORTING_LINE:
        return gettext("in the same reporting line")
    if code == r.VETO_PAIRED_BEFORE:
        return gettext("paired before")
    if code == r.VETO_QUESTION:
        return gettext(
            "different answers to “%(question)s”, which must match",
            question=p.get("question", ""),
        )
    if code == r.VETO_WEAK:
        return gettext(
            "a weak match: it scores below the program's minimum of %(min_score)s",
            min_score=figures(float(p.get("min_score", 0))),
        )
    return gettext("not allowed by the program's rules")


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
        seniority_word=seniority_word,
    )
