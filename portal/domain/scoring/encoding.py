"""One side of the market as arrays: languages, topics, zones, availability, answers.

Each person becomes a row of one-hot vectors and codes, so that a criterion over a block
of pairs is a matrix product or a table look-up.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from portal.domain.participants import BLOCKS, DAYS, SENIORITY_KEYS, SENIORITY_LEVELS, Participant

HALF_HOURS_PER_WEEK = 7 * 48
WORDS = (HALF_HOURS_PER_WEEK + 63) // 64
_WORD_MASK = (1 << 64) - 1
_DAY_INDEX = {day: index for index, (day, _) in enumerate(DAYS)}
_BLOCK_HOURS = {name: (start, end) for name, _, start, end in BLOCKS}
SENIORITY_INDEX = {key: index for index, key in enumerate(SENIORITY_KEYS)}
_SENIORITY_LABEL = dict(SENIORITY_LEVELS)

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Side:
    """One side of the market (mentors, mentees, or all peers) as arrays."""

    people: tuple[Participant, ...]
    languages: FloatArray  # n x L one-hot
    offers: FloatArray  # n x T topics offered
    seeks: FloatArray  # n x T topics sought
    seeks_count: FloatArray  # n
    offset_minutes: IntArray  # n, UTC offset at the reference time
    zone: IntArray  # n, index of the offset among the scorer's distinct offsets
    availability: npt.NDArray[np.uint64]  # n x words, half-hour bits in UTC
    seniority: IntArray  # n, -1 when unknown
    department: IntArray  # n, -1 when empty
    same_answers: IntArray  # n x Qs, answer codes for `same` questions, -1 when unanswered
    overlap_answers: tuple[FloatArray, ...]  # one n x C one-hot per `overlap` question
    index: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.people)


@dataclass(frozen=True)
class Vocabulary:
    """The languages and topics known to a scorer: the program's, then everyone's own."""

    languages: tuple[str, ...]
    topics: tuple[str, ...]


def one_hot(values: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> FloatArray:
    """Each row's items as ones in the columns `vocabulary` gives them (unknown ones dropped)."""
    matrix = np.zeros((len(values), max(len(vocabulary), 1)), dtype=np.float32)
    for row, items in enumerate(values):
        for item in items:
            column = vocabulary.get(norm(item))
            if column is not None:
                matrix[row, column] = 1.0
    return matrix


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """The form two texts are compared in: spaces folded, case folded."""
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=4096)
def utc_offset_minutes(timezone: str, moment: datetime) -> int:
    """The zone's offset from UTC at `moment`, in minutes (0 for an unknown zone)."""
    try:
        offset = moment.astimezone(zoneinfo.ZoneInfo(timezone)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset is not None else 0


def availability_bits(slots: Iterable[str], offset_minutes: int) -> npt.NDArray[np.uint64]:
    """Weekly slots in local time as half-hour bits of the UTC week."""
    mask = 0
    shift = round(offset_minutes / 30)
    for slot in slots:
        day, _, block = slot.partition("-")
        if day not in _DAY_INDEX or block not in _BLOCK_HOURS:
            continue
        start, end = _BLOCK_HOURS[block]
        for half_hour in range(start * 2, end * 2):
            mask |= 1 << ((_DAY_INDEX[day] * 48 + half_hour - shift) % HALF_HOURS_PER_WEEK)
    return np.array([(mask >> (64 * word)) & _WORD_MASK for word in range(WORDS)], dtype=np.uint64)


def take(side: Side, indexes: npt.NDArray[np.intp]) -> Side:
    """The rows `indexes` of a side (the side itself when that is every row, in order)."""
    return (
        Side(
            people=side.people,  # indexes into people stay those of the full side
            languages=side.languages[indexes],
            offers=side.offers[indexes],
            seeks=side.seeks[indexes],
            seeks_count=side.seeks_count[indexes],
            offset_minutes=side.offset_minutes[indexes],
            zone=side.zone[indexes],
            availability=side.availability[indexes],
            seniority=side.seniority[indexes],
            department=side.department[indexes],
            same_answers=side.same_answers[indexes],
            overlap_answers=tuple(matrix[indexes] for matrix in side.overlap_answers),
            index=side.index,
        )
        if len(indexes) != len(side.people)
        or not np.array_equal(indexes, np.arange(len(side.people)))
        else side
    )


def vocabulary(base: list[str], extra: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """`base`, then each item of `extra` not already there (compared by `norm`)."""
    seen = {norm(x): x for x in base}
    for items in extra:
        for item in items:
            seen.setdefault(norm(item), item)
    return tuple(seen.values())


def chain(email: str, managers: dict[str, str], limit: int = 12) -> set[str]:
    """The managers above `email`, as far as the reporting data goes."""
    above: set[str] = set()
    current = managers.get(email)
    while current and current not in above and len(above) < limit:
        above.add(current)
        current = managers.get(current)
    return above


def as_list(value: object) -> list[str]:
    """An answer (one text or several) as a list of its non-blank texts."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return []


def seniority_label(key: str) -> str:
    """The words for a seniority key (the key itself if unknown)."""
    return _SENIORITY_LABEL.get(key, key)
