"""The rules' constants: the score's scale, the points of each weight, the veto codes."""

from __future__ import annotations

from enum import IntEnum

from portal.domain.program import Weight

SCALE = 1000  # a score of 100 points is stored as 1000
WEIGHT_POINTS = {Weight.MUST: 3, Weight.HIGH: 3, Weight.MEDIUM: 2, Weight.LOW: 1, Weight.OFF: 0}
FULL_AVAILABILITY_HOURS = 4.0  # this much shared weekly time earns the whole criterion


class Veto(IntEnum):
    """Why a pair can never be matched; 0 means it can. Question vetoes follow QUESTION."""

    NONE = 0
    SAME_PERSON = 1
    LANGUAGE = 2
    SKILLS = 3
    TIMEZONE_GAP = 4
    AVAILABILITY = 5
    SENIORITY = 6
    DEPARTMENT = 7
    REPORTING_LINE = 8
    PAIRED_BEFORE = 9
    TIMEZONE = 10
    SENIORITY_GAP = 12  # outside the program's `seniority_gap` band, or a stage unknown
    WEAK = 11  # allowed by every rule, but scores below the program's `min_score`
    QUESTION = 16  # QUESTION + i: the program's i-th question, weighted must
