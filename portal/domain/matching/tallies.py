"""Tallies of vetoes: for each person, how many of the others each rule keeps out.

Kept apart so that the candidates' pass (which sees every pair once) and the explanations
(which say which rule kept everyone out) count the same way.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

from portal.domain.scoring import Veto

CODES = 256  # veto codes are uint8


def tallies(vetoes: npt.NDArray[np.uint8]) -> list[Counter[int]]:
    """Per person (a row of `vetoes`): how many of the others each veto keeps out, SAME_PERSON
    left out, in the order each veto first appears (the order a Counter fed the row's vetoes
    one by one would have: it breaks most_common's ties)."""
    counts, first = count_codes(vetoes)
    return [in_order(counts[k], first[k]) for k in range(len(counts))]


def count_codes(
    vetoes: npt.NDArray[np.uint8], axis: int = 1
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per person along `axis`, per veto code: the count, and the first index where it
    appears (the length of the axis where it does not)."""
    people = vetoes.shape[1 - axis]
    length = vetoes.shape[axis]
    counts = np.zeros((people, CODES), dtype=np.int64)
    first = np.full((people, CODES), length, dtype=np.int64)
    if not vetoes.size:
        return counts, first
    # One pass per code present (a dozen or so), each over the whole block at C speed.
    for code in np.flatnonzero(np.bincount(vetoes.ravel(), minlength=CODES)).tolist():
        hit = vetoes == code
        counts[:, code] = np.count_nonzero(hit, axis=axis)
        at = np.argmax(hit, axis=axis)
        first[:, code] = np.where(counts[:, code] > 0, at, length)
    return counts, first


def in_order(counts: npt.NDArray[np.int64], first: npt.NDArray[np.int64]) -> Counter[int]:
    """The codes counted, SAME_PERSON left out, inserted in order of first appearance."""
    present = [c for c in np.flatnonzero(counts).tolist() if c != Veto.SAME_PERSON]
    present.sort(key=lambda c: int(first[c]))
    return Counter({code: int(counts[code]) for code in present})
