"""The vectorised score: every criterion for a block of pairs at once, and the vetoes.

Every criterion gives each pair a fraction from 0 to 1; the score is the weighted mean,
kept as an integer in tenths of a point (0..1000 means 0..100). A criterion weighted `must`
also vetoes the pairs that fail it, and hard rules (department, reporting line, time-zone
gap, seniority band, earlier pairings) veto without scoring. A pair every rule allows but
that scores below the program's `min_score` is vetoed as weak: it is never formed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from portal.domain.participants import SENIORITY_KEYS, Participant
from portal.domain.program import Format, Program, Weight
from portal.domain.reasons import Reason
from portal.domain.scoring import words
from portal.domain.scoring.encoding import (
    SENIORITY_INDEX,
    WORDS,
    BoolArray,
    FloatArray,
    IntArray,
    Side,
    Vocabulary,
    as_list,
    availability_bits,
    chain,
    norm,
    one_hot,
    take,
    utc_offset_minutes,
    vocabulary,
)
from portal.domain.scoring.rules import FULL_AVAILABILITY_HOURS, SCALE, WEIGHT_POINTS, Veto

Index = npt.NDArray[np.integer[Any]]


def waiting_bonus(program: Program, rows: Sequence[Participant]) -> npt.NDArray[np.int32]:
    """Each row person's waiting bonus in tenths of a point (zeros when the setting is off)."""
    setting = program.matching.waiting_bonus
    if setting is None:
        return np.zeros(len(rows), dtype=np.int32)
    return np.array(
        [round(setting.points_for(p.rounds_waited) * SCALE / 100) for p in rows], dtype=np.int32
    )


@dataclass(frozen=True)
class Components:
    """Per-criterion fractions and the veto for a block of pairs (rows x columns)."""

    fractions: dict[str, FloatArray]
    veto: npt.NDArray[np.uint8]
    score: IntArray


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
        # it would only squeeze every score towards 100. It still gives a reason.
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
            languages=vocabulary([*program.languages], (p.languages for p in everyone)),
            topics=vocabulary(
                [*program.topics], (t for p in everyone for t in (p.skills, p.goals))
            ),
        )
        departments: dict[str, int] = {}
        for person in everyone:
            if person.department.strip():
                departments.setdefault(norm(person.department), len(departments))
        self._departments = departments
        self._answer_codes: dict[str, dict[str, int]] = {q.key: {} for q in self.same_questions}
        self.cols = self._encode(columns, now)
        self.rows = self.cols if rows is columns else self._encode(rows, now)
        # Priority for people who waited, in tenths of a point, one per row (a mentee, or a
        # peer): what the solvers add to their objective for every pair of that row (for
        # peers, both people's). Never part of `score`: what people see stays the criteria's.
        self.row_bonus: npt.NDArray[np.int32] = waiting_bonus(program, rows)
        self.max_gap = program.matching.max_timezone_gap_hours
        self.exclude_department = program.matching.exclude_same_department
        # The program's lowest score worth a match, in tenths: a weaker pair is vetoed.
        self.min_score = program.matching.min_score
        self.floor = round(self.min_score * SCALE / 100)
        self._topic_set = frozenset(norm(x) for x in self.vocabulary.topics)
        self._build_tables()
        self._sparse_vetoes = self._build_sparse_vetoes(history)

    # -- encoding ------------------------------------------------------------------------

    def _encode(self, people: Sequence[Participant], now: datetime) -> Side:
        languages = {norm(x): i for i, x in enumerate(self.vocabulary.languages)}
        topics = {norm(x): i for i, x in enumerate(self.vocabulary.topics)}
        offsets = np.array([utc_offset_minutes(p.timezone, now) for p in people], dtype=np.int32)
        availability = np.zeros((len(people), WORDS), dtype=np.uint64)
        for row, person in enumerate(people):
            availability[row] = availability_bits(person.availability, int(offsets[row]))
        seeks = one_hot([p.goals for p in people], topics)
        same = np.full((len(people), max(len(self.same_questions), 1)), -1, dtype=np.int32)
        for column, question in enumerate(self.same_questions):
            codes = self._answer_codes[question.key]
            for row, person in enumerate(people):
                answer = person.answers.get(question.key)
                if isinstance(answer, str) and answer.strip():
                    same[row, column] = codes.setdefault(norm(answer), len(codes))
        overlap = tuple(
            one_hot(
                [as_list(p.answers.get(q.key)) for p in people],
                {norm(c): i for i, c in enumerate(q.choices)},
            )
            for q in self.overlap_questions
        )
        return Side(
            people=tuple(people),
            languages=one_hot([p.languages for p in people], languages),
            offers=one_hot([p.skills for p in people], topics),
            seeks=seeks,
            seeks_count=seeks.sum(axis=1),
            offset_minutes=offsets,
            zone=np.zeros(len(people), dtype=np.intp),
            availability=availability,
            seniority=np.array(
                [SENIORITY_INDEX.get(p.seniority, -1) for p in people], dtype=np.int32
            ),
            department=np.array(
                [
                    self._departments.get(norm(p.department), -1) if p.department.strip() else -1
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
                for manager in chain(person.email, managers):
                    if (found := self.cols.index.get(manager)) is not None:
                        add(row, found, Veto.REPORTING_LINE)
            for column, person in enumerate(self.cols.people):
                for manager in chain(person.email, managers):
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
        self._band_veto = self._seniority_band_veto()

    def _seniority_band_veto(self) -> npt.NDArray[np.uint8] | None:
        """The `seniority_gap` rule as a table (rows x columns, index 0 "unknown"), or None."""
        band = self.program.matching.seniority_gap
        if band is None or self.peer:
            return None
        levels = len(SENIORITY_KEYS)
        # Someone with no career stage cannot be shown to be in the band: never allowed.
        veto = np.full((levels + 1, levels + 1), Veto.SENIORITY_GAP, dtype=np.uint8)
        for row in range(levels):
            for column in range(levels):
                ahead = column - row if not self.reverse else row - column
                if band.min <= ahead <= band.max:
                    veto[row + 1, column + 1] = Veto.NONE
        return veto

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
        c = self.cols if columns is None else take(self.cols, columns)
        r = take(self.rows, rows)
        if pairwise:

            def a(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x

            def b(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x

            def dot(x: FloatArray, y: FloatArray) -> FloatArray:
                product: FloatArray = np.einsum("ij,ij->i", x, y)
                return product

            def lookup(table: npt.NDArray[Any], x: Index, y: Index) -> npt.NDArray[Any]:
                found: npt.NDArray[Any] = table[x, y]
                return found

            shape: tuple[int, ...] = (len(rows),)
        else:

            def a(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x[:, None]

            def b(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
                return x[None, :]

            def dot(x: FloatArray, y: FloatArray) -> FloatArray:
                return x @ y.T

            def lookup(table: npt.NDArray[Any], x: Index, y: Index) -> npt.NDArray[Any]:
                # The block's rows of the small table first, then its columns: several times
                # faster than indexing with two broadcast index arrays.
                found: npt.NDArray[Any] = table[x][:, y]
                return found

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

        fractions["timezone"] = lookup(self._timezone_fraction, r.zone, c.zone)
        timezone_veto = lookup(self._timezone_veto, r.zone, c.zone)
        np.putmask(veto, veto == 0, timezone_veto)

        overlap = np.zeros(shape, dtype=np.uint8)
        for word in range(WORDS):
            overlap += np.bitwise_count(a(r.availability[:, word]) & b(c.availability[:, word]))
        fractions["availability"] = np.minimum(
            overlap.astype(np.float32) * np.float32(0.5 / FULL_AVAILABILITY_HOURS), np.float32(1.0)
        )
        if "availability" in self.musts:
            forbid(overlap == 0, Veto.AVAILABILITY)

        level_rows, level_cols = r.seniority + 1, c.seniority + 1
        fractions["seniority"] = lookup(self._seniority_fraction, level_rows, level_cols)
        if "seniority" in self.musts and not self.peer:
            np.putmask(veto, veto == 0, lookup(self._seniority_veto, level_rows, level_cols))
        if self._band_veto is not None:
            np.putmask(veto, veto == 0, lookup(self._band_veto, level_rows, level_cols))

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
            term = np.empty(shape, dtype=np.float32)
            for name, fraction in fractions.items():
                if self.score_weights.get(name):
                    np.multiply(fraction, np.float32(self.score_weights[name]), out=term)
                    weighted += term
            score = np.rint(weighted * np.float32(SCALE / total_weight)).astype(np.int32)
        if self.floor > 0:
            # Last, so that a pair a rule forbids is told that rule, not its score.
            np.putmask(veto, (veto == 0) & (score < self.floor), np.uint8(Veto.WEAK))
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

    # -- reasons ---------------------------------------------------------------------------

    def explain(self, row: int, column: int) -> tuple[int, tuple[Reason, ...], Reason | None]:
        """The score, the reasons (strongest first) and the veto, for one pair, as codes."""
        parts = self.components(
            np.array([row], dtype=np.intp), np.array([column], dtype=np.intp), pairwise=True
        )
        return self.explain_from(parts, 0, row, column)

    def explain_pairs(
        self, rows: npt.NDArray[np.intp], columns: npt.NDArray[np.intp]
    ) -> list[tuple[int, tuple[Reason, ...], Reason | None]]:
        """`explain` for many pairs at once (rows[k] with columns[k])."""
        parts = self.components(rows, columns, pairwise=True)
        return [
            self.explain_from(parts, k, int(row), int(column))
            for k, (row, column) in enumerate(zip(rows, columns, strict=True))
        ]

    def explain_from(
        self, parts: Components, k: int, row: int, column: int
    ) -> tuple[int, tuple[Reason, ...], Reason | None]:
        """The score, reasons and veto of pair k of `parts` (rows[row], cols[column])."""
        return words.explain_from(self, parts, k, row, column)

    def veto_reason(self, veto: int, mentee: Participant, mentor: Participant) -> Reason:
        """A pair's veto as a reason naming the rule."""
        return words.veto_reason(self, veto, mentee, mentor)
