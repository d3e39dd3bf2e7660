"""What a matching run gives back: the pairs with their reasons, who waits and why, figures.

Reasons, vetoes and hints are codes with parameters (`portal.domain.reasons`).
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.reasons import Reason
from portal.domain.scoring import SCALE


@dataclass(frozen=True)
class MatchedPair:
    """Two people matched, with the score and the reasons (codes with parameters)."""

    mentor: str  # for peers: the first peer
    mentee: str  # for peers: the second peer
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Unmatched:
    """Someone left waiting, and why (a code with parameters)."""

    email: str
    role: str
    reason: Reason


@dataclass(frozen=True)
class Figures:
    """What the organizers' summary and the benchmarks report of a matching."""

    participants: int
    mentors: int
    mentees: int
    pairs: int
    matched_pct: float  # people in a pair, of everyone
    mentees_matched_pct: float
    total_score: float
    mean_score: float
    min_score: float
    p10_score: float
    top5_pct: float  # matched mentees whose match is among their five best candidates
    blocking_pairs: int  # both would gain 5 points or more by leaving for each other
    blocking_pairs_10: int
    blocking_pairs_20: int
    mentees_blocking_10_pct: float
    capacity: int
    seats_used: int


@dataclass(frozen=True)
class Proof:
    """Whether a round is proved the exact optimum over every compatible pair, and how many
    solve-and-price passes that took in all (0 when no pricing was needed or possible:
    a small peer pool is solved on every pair, a large one cannot be priced)."""

    certified: bool
    passes: int


@dataclass(frozen=True)
class MatchResult:
    """Everything one matching run found."""

    format: str
    objective: str
    fairness: str
    pairs: tuple[MatchedPair, ...]
    unmatched: tuple[Unmatched, ...]
    hints: tuple[Reason, ...]  # what to recruit
    figures: Figures
    proof: Proof


@dataclass(frozen=True)
class CandidatePair:
    """One scored pair, for the `--scores` file: a score, or the veto that rules it out."""

    mentor: str
    mentee: str
    score: float | None
    veto: Reason | None


def points(tenths: int | float) -> float:
    """A score kept in tenths (0..1000) as the points people see (0..100, one decimal)."""
    return round(float(tenths) / (SCALE / 100), 1)
