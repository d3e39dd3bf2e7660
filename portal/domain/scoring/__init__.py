"""Scoring candidate pairs: criteria from the program's weights, vectorised over blocks of pairs.

Every criterion gives each pair a fraction from 0 to 1; the score is the weighted mean,
kept as an integer in tenths of a point (0..1000 means 0..100). A criterion weighted `must`
also vetoes the pairs that fail it, and hard rules (department, reporting line, time-zone
gap, earlier pairings) veto without scoring. The same arithmetic runs for a block of
10,000 pairs and for the single pair whose reasons are written to an email, so the reasons
always agree with the numbers.

One module per job: `rules` (the scale, the weights' points, the veto codes), `encoding`
(each side of the market as arrays), `scorer` (the criteria over a block of pairs) and
`words` (a pair's reasons and vetoes, as the codes of `portal.domain.reasons`; the words are
in `portal.presenters.reasons`).
"""

from __future__ import annotations

from portal.domain.reasons import Reason
from portal.domain.scoring.encoding import (
    HALF_HOURS_PER_WEEK,
    Side,
    Vocabulary,
    availability_bits,
    seniority_label,
    utc_offset_minutes,
)
from portal.domain.scoring.rules import FULL_AVAILABILITY_HOURS, SCALE, WEIGHT_POINTS, Veto
from portal.domain.scoring.scorer import Components, Scorer

__all__ = [
    "FULL_AVAILABILITY_HOURS",
    "HALF_HOURS_PER_WEEK",
    "SCALE",
    "WEIGHT_POINTS",
    "Components",
    "Reason",
    "Scorer",
    "Side",
    "Veto",
    "Vocabulary",
    "availability_bits",
    "seniority_label",
    "utc_offset_minutes",
]
