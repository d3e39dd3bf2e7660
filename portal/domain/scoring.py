"""Scoring candidate pairs: criteria from the program's weights, vectorised over blocks of pairs.

Every criterion gives each pair a fraction from 0 to 1; the score is the weighted mean,
kept as an integer in tenths of a point (0..1000 means 0..100). A criterion weighted `must`
also vetoes the pairs that fail it, and hard rules (department, reporting line, time-zone
gap, earlier pairings) veto without scoring. The same arithmetic runs for a block of
10,000 pairs and for the single pair whose reasons are written to an email, so the words
always agree with the numbers.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from portal.domain.participants import BLOCKS, DAYS, SENIORITY_KEYS, SENIORITY_LEVELS, Participant
from portal.domain.program import Format, Program, Weight

SCALE = 1000  # a score of 100 points is stored as 1000
WEIGHT_POINTS = {Weight.MUST: 3, Weight.HIGH: 3, Weight.MEDIUM: 2, Weight.LOW: 1, Weight.OFF: 0}
FULL_AVAILABILITY_HOURS = 4.0  # this much shared weekly time earns the whole criterion
HALF_HOURS_PER_WEEK = 7 * 48
_WORDS = (HALF_HOURS_PER_WEEK + 63) // 64
_WORD_MASK = (1 << 64) - 1
_DAY_INDEX = {day: index for index, (day, _) in enumerate(DAYS)}
_BLOCK_HOURS = {name: (start, end) for name, _, start, end in BLOCKS}
_SENIORITY_INDEX = {key: index for index, key in enumerate(SENIORITY_KEYS)}
_SENIORITY_LABEL = dict(SENIORITY_LEVELS)

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


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
    QUESTION = 16  # QUESTION + i: the program's i-th question, weighted must


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
    languages: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Components:
    """Per-criterion fractions and the veto for a block of pairs (rows x columns)."""

    fractions: dict[str, FloatArray]
    veto: npt.NDArray[np.uint8]
    score: IntArray


def _one_hot(values: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> FloatArray:
    matrix = np.zeros((len(values), max(len(vocabulary), 1)), dtype=np.float32)
    for row, items in enumerate(values):
        for item in items:
            column = vocabulary.get(_norm(item))
            if column is not None:
                matrix[row, column] = 1.0
    return matrix


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
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
    return np.array([(mask >> (64 * word)) & _WORD_MASK for word in range(_WORDS)], dtype=np.uint64)


class Scorer:
    """Scores pairs between two sides under one program's settings."""

    def __init__(
        self,
        program: Program,
        columns: Sequence[Participant],
        rows: Sequence[Participant],
        *,
        now: datetime,
        history: Iterable[frozenset[str]] = (),
    ) -> None:
        """`columns` are mentors (or all peers), `rows` mentees (or all peers again)."""
        self.program = program
        self.peer = program.format is Format.PEER
        self.reverse = program.format is Format.REVERSE
        weights = program.matching.weights
        self.weights: dict[str, int] = {
            "languages": WEIGHT_POINTS[weights.languages],
            "skills": WEIGHT_POINTS[weights.skills],
            "timezone": WEIGHT_POINTS[weights.timezone],
            "availability": WEIGHT_POINTS[weights.availability],
            "seniority": WEIGHT_POINTS[weights.seniority],
        }
        self.musts: set[str] = {
            name for name in self.weights if getattr(weights, name) is Weight.MUST
        }
        self.same_questions = [q for q in program.questions if q.match == "same"]
        self.overlap_questions = [q for q in program.questions if q.match == "overlap"]
        for question in (*self.same_questions, *self.overlap_questions):
            self.weights[f"q:{question.key}"] = WEIGHT_POINTS[question.weight]
            if question.weight is Weight.MUST:
                self.musts.add(f"q:{question.key}")
        self.question_order = [q.key for q in program.questions]
        # A `must` criterion that is simply met or not (a shared language, the same answer)
        # is met by every pair allowed at all: it cannot tell candidates apart, and counting
        # it would only squeeze every score towards 100. It still gives a reason in words.
        binary = {
            "languages",
            *(f"q:{q.key}" for q in (*self.same_questions, *self.overlap_questions)),
        }
        if not self.peer:
            binary.add("seniority")
        self.score_weights = {
            name: (0 if name in self.musts and name in binary else weight)
            for name, weight in self.weights.items()
        }
        everyone = [*columns, *rows]
        self.vocabulary = Vocabulary(
            languages=_vocabulary([*program.languages], (p.languages for p in everyone)),
            topics=_vocabulary(
                [*program.topics], (t for p in everyone for t in (p.skills, p.goals))
            ),
        )
        departments: dict[str, int] = {}
        for person in everyone:
            if person.department.strip():
                departments.setdefault(_norm(person.department), len(departments))
        self._departments = departments
        self._answer_codes: dict[str, dict[str, int]] = {q.key: {} for q in self.same_questions}
        self.cols = self._encode(columns, now)
        self.rows = self.cols if rows is columns else self._encode(rows, now)
        self.max_gap = program.matching.max_timezone_gap_hours
        self.exclude_department = program.matching.exclude_same_department
        self._topic_set = frozenset(_norm(x) for x in self.vocabulary.topics)
        self._build_tables()
        self._sparse_vetoes = self._build_sparse_vetoes(history)

    # -- encoding ------------------------------------------------------------------------

    def _encode(self, people: Sequence[Participant], now: datetime) -> Side:
        languages = {_norm(x): i for i, x in enumerate(self.vocabulary.languages)}
        topics = {_norm(x): i for i, x in enumerate(self.vocabulary.topics)}
        offsets = np.array([utc_offset_minutes(p.timezone, now) for p in people], dtype=np.int32)
        availability = np.zeros((len(people), _WORDS), dtype=np.uint64)
        for row, person in enumerate(people):
            availability[row] = availability_bits(person.availability, int(offsets[row]))
        seeks = _one_hot([p.goals for p in people], topics)
        same = np.full((len(people), max(len(self.same_questions), 1)), -1, dtype=np.int32)
        for column, question in enumerate(self.same_questions):
            codes = self._answer_codes[question.key]
            for row, person in enumerate(people):
                answer = person.answers.get(question.key)
                if isinstance(answer, str) and answer.strip():
                    same[row, column] = codes.setdefault(_norm(answer), len(codes))
        overlap = tuple(
            _one_hot(
                [_as_list(p.answers.get(q.key)) for p in people],
                {_norm(c): i for i, c in enumerate(q.choices)},
            )
            for q in self.overlap_questions
        )
        return Side(
            people=tuple(people),
            languages=_one_hot([p.languages for p in people], languages),
            offers=_one_hot([p.skills for p in people], topics),
            seeks=seeks,
            seeks_count=seeks.sum(axis=1),
            offset_minutes=offsets,
            zone=np.zeros(len(people), dtype=np.intp),
            availability=availability,
            seniority=np.array(
                [_SENIORITY_INDEX.get(p.seniority, -1) for p in people], dtype=np.int32
            ),
            department=np.array(
                [
                    self._departments.get(_norm(p.department), -1) if p.department.strip() else -1
                    for p in people
                ],
                dtype=np.int32,
            ),
            same_answers=same,
            overlap_answers=overlap,
            index={p.email: i for i, p in enumerate(people)},
        )

    def _build_sparse_vetoes(self, history: Iterable[frozenset[str]]) -> dict[int, dict[int, Veto]]:
        """Vetoes that concern few pairs: reporting lines and earlier pairings, by row."""
        vetoes: dict[int, dict[int, Veto]] = {}

        def add(row: int, column: int, veto: Veto) -> None:
            vetoes.setdefault(row, {}).setdefault(column, veto)

        if self.program.matching.exclude_reporting_line:
            people = (*self.cols.people, *self.rows.people)
            managers = {p.email: p.reports_to for p in people if p.reports_to}
            for row, person in enumerate(self.rows.people):
                for manager in _chain(person.email, managers):
                    if (found := self.cols.index.get(manager)) is not None:
                        add(row, found, Veto.REPORTING_LINE)
            for column, person in enumerate(self.cols.people):
                for manager in _chain(person.email, managers):
                    if (found := self.rows.index.get(manager)) is not None:
                        add(found, column, Veto.REPORTING_LINE)
        if self.program.matching.no_repeat_pairs or self.program.format is Format.FLASH:
            for pair in history:
                if len(pair) != 2:
                    continue
                first, second = tuple(pair)
                for a, b in ((first, second), (second, first)):
                    in_rows, in_cols = self.rows.index.get(a), self.cols.index.get(b)
                    if in_rows is not None and in_cols is not None:
                        add(in_rows, in_cols, Veto.PAIRED_BEFORE)
        return vetoes

    # -- lookup tables -----------------------------------------------------------------------

    def _build_tables(self) -> None:
        """Criteria that depend on few distinct values become table look-ups."""
        offsets = np.unique(np.concatenate([self.cols.offset_minutes, self.rows.offset_minutes]))
        for side in {id(self.cols): self.cols, id(self.rows): self.rows}.values():
            side.zone[:] = np.searchsorted(offsets, side.offset_minutes)
        # Offsets run from -12 h to +14 h, so two can be more than a day apart: wrap first.
        difference = np.abs(offsets[:, None] - offsets[None, :]) % 1440
        gap = np.minimum(difference, 1440 - difference).astype(np.float32) / 60.0
        self._gap_hours = gap
        self._timezone_fraction = (1.0 - gap / 12.0).astype(np.float32)
        self._timezone_veto = np.zeros(gap.shape, dtype=np.uint8)
        if "timezone" in self.musts:
            self._timezone_veto[gap > 3.0 + 1e-6] = Veto.TIMEZONE
        if self.max_gap is not None:
            self._timezone_veto[gap > self.max_gap + 1e-6] = Veto.TIMEZONE_GAP

        # Seniority: index 0 is "unknown", then the levels in order (rows x columns).
        levels = len(SENIORITY_KEYS)
        fraction = np.full((levels + 1, levels + 1), 0.5, dtype=np.float32)
        veto = np.zeros((levels + 1, levels + 1), dtype=np.uint8)
        for row in range(levels):
            for column in range(levels):
                ahead = column - row if not self.reverse else row - column
                if self.peer:
                    fraction[row + 1, column + 1] = 1.0 - abs(ahead) / max(levels - 1, 1)
                else:
                    fraction[row + 1, column + 1] = (
                        1.0 if ahead >= 1 else (0.3 if ahead == 0 else 0.0)
                    )
                    if "seniority" in self.musts and ahead < 1:
                        veto[row + 1, column + 1] = Veto.SENIORITY
        self._seniority_fraction = fraction
        self._seniority_veto = veto

    # -- scoring -----------------------------------------------------------------------------

    def components(
        self,
        rows: npt.NDArray[np.intp],
        columns: npt.NDArray[np.intp] | None = None,
        *,
        pairwise: bool = False,
    ) -> Components:
        """Fractions, veto and score for rows x columns (all columns when None).

        With `pairwise`, rows[k] is scored against columns[k] only (for explaining pairs).
        """
        c = self.cols if columns is None else _take(self.cols, columns)
        r = _take(self.rows, rows)
        if pairwise:

            def a(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x

            def b(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x

            def dot(x: FloatArray, y: FloatArray) -> FloatArray:
                product: FloatArray = np.einsum("ij,ij->i", x, y)
                return product

            shape: tuple[int, ...] = (len(rows),)
        else:

            def a(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x[:, None]

            def b(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x[None, :]

            def dot(x: FloatArray, y: FloatArray) -> FloatArray:
                return x @ y.T

            shape = (len(rows), len(c.people) if columns is None else len(columns))

        fractions: dict[str, FloatArray] = {}
        veto = np.zeros(shape, dtype=np.uint8)

        def forbid(mask: BoolArray, reason: int) -> None:
            np.putmask(veto, (veto == 0) & mask, np.uint8(reason))

        if self.peer:
            column_ids = np.arange(len(c.people)) if columns is None else columns
            forbid(a(rows) == b(column_ids), Veto.SAME_PERSON)

        shared_languages = dot(r.languages, c.languages)
        fractions["languages"] = (shared_languages > 0).astype(np.float32)
        if "languages" in self.musts:
            forbid(shared_languages == 0, Veto.LANGUAGE)

        covered = dot(r.seeks, c.offers)  # goals of the row person the column person offers
        wanted = a(r.seeks_count)
        skills = np.where(wanted > 0, covered / np.maximum(wanted, 1), np.float32(0.5))
        if self.peer:
            covered_back = dot(r.offers, c.seeks)
            wanted_back = b(c.seeks_count)
            back = np.where(
                wanted_back > 0, covered_back / np.maximum(wanted_back, 1), np.float32(0.5)
            )
            skills = (skills + back) / 2
            # Two peers who seek nothing cannot fail a rule about what they seek.
            any_cover = (covered > 0) | (covered_back > 0) | ((wanted == 0) & (wanted_back == 0))
        else:
            any_cover = (covered > 0) | (wanted == 0)
        fractions["skills"] = skills.astype(np.float32, copy=False)
        if "skills" in self.musts:
            forbid(~any_cover, Veto.SKILLS)

        zone_rows, zone_cols = a(r.zone), b(c.zone)
        fractions["timezone"] = self._timezone_fraction[zone_rows, zone_cols]
        timezone_veto = self._timezone_veto[zone_rows, zone_cols]
        np.putmask(veto, veto == 0, timezone_veto)

        overlap = np.zeros(shape, dtype=np.uint8)
        for word in range(_WORDS):
            overlap += np.bitwise_count(a(r.availability[:, word]) & b(c.availability[:, word]))
        fractions["availability"] = np.minimum(
            overlap.astype(np.float32) * np.float32(0.5 / FULL_AVAILABILITY_HOURS), np.float32(1.0)
        )
        if "availability" in self.musts:
            forbid(overlap == 0, Veto.AVAILABILITY)

        level_rows, level_cols = a(r.seniority + 1), b(c.seniority + 1)
        fractions["seniority"] = self._seniority_fraction[level_rows, level_cols]
        if "seniority" in self.musts and not self.peer:
            np.putmask(veto, veto == 0, self._seniority_veto[level_rows, level_cols])

        if self.exclude_department:
            department = a(r.department)
            forbid((department >= 0) & (department == b(c.department)), Veto.DEPARTMENT)

        for index, question in enumerate(self.same_questions):
            x, y = a(r.same_answers[:, index]), b(c.same_answers[:, index])
            answered = (x >= 0) & (y >= 0)
            fractions[f"q:{question.key}"] = np.where(
                answered, (x == y).astype(np.float32), np.float32(0.5)
            )
            if question.weight is Weight.MUST:
                forbid(
                    ~answered | (x != y), Veto.QUESTION + self.question_order.index(question.key)
                )
        for index, question in enumerate(self.overlap_questions):
            mine, theirs = r.overlap_answers[index], c.overlap_answers[index]
            shared = dot(mine, theirs)
            answered = (a(mine.sum(axis=1)) > 0) & (b(theirs.sum(axis=1)) > 0)
            fractions[f"q:{question.key}"] = np.where(
                answered, (shared > 0).astype(np.float32), np.float32(0.5)
            )
            if question.weight is Weight.MUST:
                forbid(shared == 0, Veto.QUESTION + self.question_order.index(question.key))

        if self._sparse_vetoes:
            self._apply_sparse_vetoes(veto, rows, columns, pairwise)

        total_weight = sum(self.score_weights.values())
        if total_weight == 0:
            score = np.full(shape, SCALE // 2, dtype=np.int32)
        else:
            weighted = np.zeros(shape, dtype=np.float32)
            for name, fraction in fractions.items():
                if self.score_weights.get(name):
                    weighted += np.float32(self.score_weights[name]) * fraction
            score = np.rint(weighted * np.float32(SCALE / total_weight)).astype(np.int32)
        return Components(fractions=fractions, veto=veto, score=score)

    def _apply_sparse_vetoes(
        self,
        veto: npt.NDArray[np.uint8],
        rows: npt.NDArray[np.intp],
        columns: npt.NDArray[np.intp] | None,
        pairwise: bool,
    ) -> None:
        if pairwise:
            assert columns is not None
            for k, (row, column) in enumerate(zip(rows.tolist(), columns.tolist(), strict=True)):
                reason = self._sparse_vetoes.get(row, {}).get(column)
                if reason is not None and veto[k] == 0:
                    veto[k] = reason
            return
        position = None if columns is None else {col: k for k, col in enumerate(columns.tolist())}
        for k, row in enumerate(rows.tolist()):
            for column, reason in self._sparse_vetoes.get(row, {}).items():
                where = column if position is None else position.get(column)
                if where is not None and veto[k, where] == 0:
                    veto[k, where] = reason

    # -- words ---------------------------------------------------------------------------

    def explain(self, row: int, column: int) -> tuple[int, tuple[str, ...], str | None]:
        """The score, the reasons in words (strongest first) and the veto reason, for one pair."""
        parts = self.components(
            np.array([row], dtype=np.intp), np.array([column], dtype=np.intp), pairwise=True
        )
        return self.explain_from(parts, 0, row, column)

    def explain_pairs(
        self, rows: npt.NDArray[np.intp], columns: npt.NDArray[np.intp]
    ) -> list[tuple[int, tuple[str, ...], str | None]]:
        """`explain` for many pairs at once (rows[k] with columns[k])."""
        parts = self.components(rows, columns, pairwise=True)
        return [
            self.explain_from(parts, k, int(row), int(column))
            for k, (row, column) in enumerate(zip(rows, columns, strict=True))
        ]

    def explain_from(
        self, parts: Components, k: int, row: int, column: int
    ) -> tuple[int, tuple[str, ...], str | None]:
        veto = int(parts.veto[k])
        score = int(parts.score[k])
        mentee, mentor = self.rows.people[row], self.cols.people[column]
        if veto:
            return score, (), self.veto_reason(veto, mentee, mentor)
        ranked = sorted(
            (
                (self.weights.get(name, 0) * float(fraction[k]), name)
                for name, fraction in parts.fractions.items()
                if self.weights.get(name)
            ),
            reverse=True,
        )
        reasons = [
            self._reason(name, mentee, mentor, float(parts.fractions[name][k]))
            for _, name in ranked
        ]
        return score, tuple(reason for reason in reasons if reason), None

    def _reason(self, name: str, mentee: Participant, mentor: Participant, fraction: float) -> str:
        if name == "languages":
            shared = _shared(mentee.languages, mentor.languages)
            return f"both speak {_join(shared)}" if shared else "no shared language"
        if name == "skills":
            if self.peer:
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
            goals = [
                g for g in mentee.goals if _norm(g) in {_norm(x) for x in self.vocabulary.topics}
            ]
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
            shared_hours = self._shared_hours(mentee, mentor)
            if shared_hours <= 0:
                return "no shared weekly availability"
            return f"{_hours(shared_hours)} of shared weekly availability"
        if name == "seniority":
            if not mentee.seniority or not mentor.seniority:
                return ""
            if self.peer:
                return (
                    "at the same career stage" if fraction >= 0.999 else "at nearby career stages"
                )
            ahead = _SENIORITY_INDEX[mentor.seniority] - _SENIORITY_INDEX[mentee.seniority]
            if self.reverse:
                ahead = -ahead
            if ahead >= 1:
                who = "mentee" if self.reverse else "mentor"
                return f"{who} is {ahead} career stage{'s' if ahead > 1 else ''} ahead"
            if ahead == 0:
                return "same career stage"
            return f"{'mentee' if self.reverse else 'mentor'} is earlier in their career"
        if name.startswith("q:"):
            key = name[2:]
            question = next(q for q in self.program.questions if q.key == key)
            a, b = _as_list(mentee.answers.get(key)), _as_list(mentor.answers.get(key))
            shared = _shared(a, b)
            if shared:
                return f"same answer to “{question.label}”: {_join(shared)}"
            if not a or not b:
                return ""
            return f"different answers to “{question.label}”"
        return ""

    def _shared_hours(self, mentee: Participant, mentor: Participant) -> float:
        a = self.rows.availability[self.rows.index[mentee.email]]
        b = self.cols.availability[self.cols.index[mentor.email]]
        return float(np.bitwise_count(a & b).sum()) / 2.0

    def veto_reason(self, veto: int, mentee: Participant, mentor: Participant) -> str:
        """A pair's veto as a sentence naming the rule."""
        if veto == Veto.SAME_PERSON:
            return "the same person"
        if veto == Veto.LANGUAGE:
            return "no shared language"
        if veto == Veto.SKILLS:
            return "offers none of the goals sought"
        if veto in (Veto.TIMEZONE_GAP, Veto.TIMEZONE):
            allowed = self.max_gap if veto == Veto.TIMEZONE_GAP else 3.0
            gap = self._gap(mentee, mentor)
            return f"{_hours(gap)} time-zone gap, more than the {_hours(allowed or 0)} allowed"
        if veto == Veto.AVAILABILITY:
            return "no shared weekly availability"
        if veto == Veto.SENIORITY:
            return (
                "mentee is not earlier in their career"
                if not self.reverse
                else "mentee is not more senior"
            )
        if veto == Veto.DEPARTMENT:
            return f"both in the same department ({mentee.department.strip()})"
        if veto == Veto.REPORTING_LINE:
            return "in the same reporting line"
        if veto == Veto.PAIRED_BEFORE:
            return "paired before"
        if veto >= Veto.QUESTION:
            question = self.program.questions[veto - Veto.QUESTION]
            return f"different answers to “{question.label}” (must match)"
        return "not allowed"

    def _gap(self, mentee: Participant, mentor: Participant) -> float:
        a = int(self.rows.offset_minutes[self.rows.index[mentee.email]])
        b = int(self.cols.offset_minutes[self.cols.index[mentor.email]])
        difference = abs(a - b) % 1440
        return min(difference, 1440 - difference) / 60.0


def _take(side: Side, indexes: npt.NDArray[np.intp]) -> Side:
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


def _vocabulary(base: list[str], extra: Iterable[Iterable[str]]) -> tuple[str, ...]:
    seen = {_norm(x): x for x in base}
    for items in extra:
        for item in items:
            seen.setdefault(_norm(item), item)
    return tuple(seen.values())


def _chain(email: str, managers: dict[str, str], limit: int = 12) -> set[str]:
    """The managers above `email`, as far as the reporting data goes."""
    above: set[str] = set()
    current = managers.get(email)
    while current and current not in above and len(above) < limit:
        above.add(current)
        current = managers.get(current)
    return above


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return []


def _shared(first: Iterable[str], second: Iterable[str]) -> list[str]:
    other = {_norm(x) for x in second}
    return [x for x in first if _norm(x) in other]


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hours(value: float) -> str:
    return f"{value:g} h"


def seniority_label(key: str) -> str:
    return _SENIORITY_LABEL.get(key, key)
