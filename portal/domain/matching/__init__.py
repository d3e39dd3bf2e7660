"""Matching a whole pool at once: exact, capacity-aware, explained.

Bipartite formats (one-on-one, group, reverse, flash) are a min-cost flow (OR-Tools);
peer programs a maximum-weight matching on a general graph (rustworkx). Each person keeps
their best candidates; a repair pass then searches the full compatibility graph for
augmenting paths, so pruning never costs a match the rules allow.

The package's jobs, one module each: `candidates` scores the pool in blocks and keeps each
person's best; `flow` solves the bipartite formats, `peers` the peer format; `explain` says
why someone waits; `figures` counts the result; `results` holds what a run gives back.
NumPy comes with this package, OR-Tools and rustworkx only when a round solves: the web app
never imports it (see portal/services/rounds/run.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from portal.domain.matching.candidates import (
    CANDIDATES,
    PEER_CANDIDATES,
    score_all_pairs,
    split_roles,
)
from portal.domain.matching.flow import match_bipartite
from portal.domain.matching.peers import match_peers
from portal.domain.matching.results import (
    CandidatePair,
    Figures,
    MatchedPair,
    MatchResult,
    Proof,
    Unmatched,
)
from portal.domain.participants import Participant
from portal.domain.program import Format, Program
from portal.domain.scoring import Scorer

__all__ = [
    "CandidatePair",
    "Figures",
    "MatchResult",
    "MatchedPair",
    "Proof",
    "Unmatched",
    "match",
    "score_all_pairs",
    "split_roles",
]


def match(
    program: Program,
    people: Sequence[Participant],
    *,
    now: datetime,
    history: Iterable[frozenset[str]] = (),
    candidates: int | None = None,
) -> MatchResult:
    """Match everyone in `people` under the program's rules; deterministic for the same input."""
    mentors, mentees = split_roles(program, people)
    scorer = Scorer(program, mentors, mentees, now=now, history=list(history))
    if program.format is Format.PEER:
        return match_peers(program, scorer, candidates or PEER_CANDIDATES)
    return match_bipartite(program, scorer, candidates or CANDIDATES)
