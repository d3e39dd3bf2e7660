"""Why someone was left waiting, and what to recruit so that fewer wait next time.

Someone no one is compatible with is told the rule that kept everyone out, the most binding
first; someone whose compatible partners went to others is told that, and why. Each reason
and hint is a code with parameters (`portal.domain.reasons`), put into words by
`portal.presenters.reasons`. The counts behind them (vetoes by rule, compatible partners,
those with room) are taken with NumPy for a block of people at once; only the sentence's
choice is made person by person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from portal.domain import reasons as r
from portal.domain.matching.candidates import (
    BLOCK_PAIRS,
    Candidates,
    blocks,
    bounded_blocks,
    chunks,
)
from portal.domain.matching.figures import lowest_taken
from portal.domain.matching.results import Unmatched
from portal.domain.matching.tallies import CODES, count_codes, in_order, tallies
from portal.domain.participants import SENIORITY_KEYS, Participant
from portal.domain.reasons import reason as make
from portal.domain.scoring import Reason, Scorer, Veto


def explain_unmatched(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    candidates: Candidates,
) -> tuple[list[Unmatched], list[Reason]]:
    """Why each mentee left waiting waits, and each mentor left without a mentee; what to
    recruit.

    The round's `candidates`, whose pass over every pair already counted each person's
    compatible partners and tallied the vetoes of those with none, leave little to score
    again: a waiting mentee who had compatible mentors, against the mentors that could
    change their sentence (`_waiting_reasons`), and an idle mentor no mentee passes.
    """
    mentors, mentees = scorer.cols.people, scorer.rows.people
    unmatched: list[Unmatched] = []
    short: list[Participant] = []
    waiting = np.flatnonzero(assignment < 0)
    if not len(mentors):
        # No mentor at all: nothing particular to recruit for.
        for row in waiting.tolist():
            person = mentees[row]
            unmatched.append(Unmatched(person.email, person.role.value, make(r.NO_FREE_MENTOR)))
    else:
        reasons: dict[int, Reason] = {}
        known = candidates.nobody
        for row in waiting.tolist():
            if row in known:
                reasons[row] = _no_candidate_reason(scorer, mentees[row], known[row], "mentor")
        rescore = np.array([row for row in waiting.tolist() if row not in known], dtype=np.intp)
        reasons.update(
            _waiting_reasons(scorer, rescore, candidates, assignment, pair_scores, load, capacity)
        )
        for row in waiting.tolist():
            person = mentees[row]
            short.append(person)
            unmatched.append(Unmatched(person.email, person.role.value, reasons[row]))
    idle = np.flatnonzero(load == 0).astype(np.intp)
    if len(idle) and not len(mentees):
        for col in idle.tolist():
            unmatched.append(
                Unmatched(
                    mentors[col].email,
                    mentors[col].role.value,
                    make(r.NO_MENTEE_WAITING),
                )
            )
    elif len(idle):
        column_tally: dict[int, Counter[int]] = {}
        # Mentors some mentee passes need no tally: they are told how many.
        passing = {
            col: int(candidates.col_compatible[col])
            for col in idle.tolist()
            if candidates.col_compatible[col]
        }
        todo = np.array([col for col in idle.tolist() if col not in passing], dtype=np.intp)
        for cols in chunks(todo, max(1, BLOCK_PAIRS // CODES)):
            counts, tallied = _column_tallies(scorer, cols)
            for col, count, tally in zip(cols.tolist(), counts, tallied, strict=True):
                passing[col], column_tally[col] = count, tally
        for col in idle.tolist():
            person = mentors[col]
            if passing[col] == 0:
                reason = _no_candidate_reason(
                    scorer, person, column_tally[col], "mentee", column_side=True
                )
            else:
                reason = make(r.COMPATIBLE_TAKEN, count=passing[col])
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: (u.role, u.email))
    return unmatched, _shortage_hints(scorer, short)


def _waiting_reasons(
    scorer: Scorer,
    waiting: npt.NDArray[np.intp],
    candidates: Candidates,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
) -> dict[int, Reason]:
    """The reasons of waiting mentees who had compatible mentors, scoring only the pairs that
    can change the sentence: with the mentors who have room (to count them), and with the
    mentors whose weakest mentee scores below this mentee's best score (no other mentor
    can prefer this mentee)."""
    lowest = lowest_taken(assignment, pair_scores, len(scorer.cols))
    with_room = np.zeros(len(scorer.rows), dtype=np.int64)
    roomy = np.flatnonzero(load < capacity).astype(np.intp)
    if len(roomy):
        for rows in chunks(waiting, max(1, BLOCK_PAIRS // len(roomy))):
            veto = scorer.components(rows, roomy).veto
            with_room[rows] = np.count_nonzero(veto == 0, axis=1)
    preferred = np.zeros(len(scorer.rows), dtype=bool)  # some mentor would rather have them
    limit = np.zeros(len(scorer.rows), dtype=np.int64)
    limit[waiting] = candidates.best[waiting]
    for rows, cols in bounded_blocks(limit, lowest.astype(np.int64)):
        parts = scorer.components(rows, cols)
        preferred[rows] = np.any((parts.veto == 0) & (lowest[cols][None, :] < parts.score), axis=1)
    reasons: dict[int, Reason] = {}
    for row in waiting.tolist():
        if with_room[row]:
            reasons[row] = make(r.OTHERS_HAVE_ROOM, count=int(with_room[row]))
        else:
            reasons[row] = make(
                r.COMPATIBLE_FULL,
                count=int(candidates.compatible[row]),
                outscored=not bool(preferred[row]),
            )
    return reasons


def explain_alone_peers(
    scorer: Scorer, partner: npt.NDArray[np.int32], candidates: Candidates
) -> list[Unmatched]:
    """Why each peer without a partner (partner -1) has none (those no one is compatible
    with are told from the round's `candidates`, not scored again)."""
    people = scorer.rows.people
    unmatched = []
    alone = np.flatnonzero(partner < 0)
    odd = len(alone) % 2 == 1
    known = candidates.nobody
    for row in alone.tolist():
        if row in known:
            person = people[row]
            reason = _no_candidate_reason(scorer, person, known[row], "peer")
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    rescore = np.array([row for row in alone.tolist() if row not in known], dtype=np.intp)
    for rows in chunks(rescore, max(1, BLOCK_PAIRS // max(len(people), CODES))):
        parts = scorer.components(rows)
        compatible = np.count_nonzero(parts.veto == 0, axis=1)
        found = iter(tallies(parts.veto[compatible == 0]))
        for k, row in enumerate(rows.tolist()):
            person = people[row]
            if compatible[k] == 0:
                reason = _no_candidate_reason(scorer, person, next(found), "peer")
            else:
                reason = make(r.PEERS_TAKEN, count=int(compatible[k]), odd=odd)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: u.email)
    return unmatched


def _column_tallies(
    scorer: Scorer, cols: npt.NDArray[np.intp]
) -> tuple[list[int], list[Counter[int]]]:
    """For each column in `cols`, against every row: how many rows pass every rule, and (for
    those no row passes) the tally of vetoes, rows taken in order."""
    n_rows = len(scorer.rows)
    compatible = np.zeros(len(cols), dtype=np.int64)
    counts = np.zeros((len(cols), CODES), dtype=np.int64)
    first = np.full((len(cols), CODES), n_rows, dtype=np.int64)
    for rows in blocks(n_rows, len(cols)):
        veto = scorer.components(rows, cols).veto
        compatible += np.count_nonzero(veto == 0, axis=0)
        # Only a column no row has passed yet may need its tally.
        open_ = np.flatnonzero(compatible == 0)
        if not len(open_):
            continue
        block_counts, block_first = count_codes(veto[:, open_], axis=0)
        counts[open_] += block_counts
        seen = block_first < len(rows)
        first[open_] = np.where(
            (first[open_] == n_rows) & seen, block_first + int(rows[0]), first[open_]
        )
    tallies = [
        in_order(counts[k], first[k]) if compatible[k] == 0 else Counter[int]()
        for k in range(len(cols))
    ]
    return compatible.tolist(), tallies


# Each veto as the rule it names (for telling someone which rule kept everyone out).
_RULES = {
    Veto.LANGUAGE: r.RULE_LANGUAGE,
    Veto.SKILLS: r.RULE_SKILLS,
    Veto.TIMEZONE_GAP: r.RULE_TIME_ZONE,
    Veto.TIMEZONE: r.RULE_TIME_ZONE,
    Veto.AVAILABILITY: r.RULE_AVAILABILITY,
    Veto.SENIORITY: r.RULE_SENIORITY,
    Veto.SENIORITY_GAP: r.RULE_SENIORITY_GAP,
    Veto.DEPARTMENT: r.RULE_DEPARTMENT,
    Veto.REPORTING_LINE: r.RULE_REPORTING_LINE,
    Veto.PAIRED_BEFORE: r.RULE_PAIRED_BEFORE,
    Veto.SAME_PERSON: r.RULE_SAME_PERSON,
}


def _no_candidate_reason(
    scorer: Scorer,
    person: Participant,
    counts: Counter[int],
    other: str,
    column_side: bool = False,
) -> Reason:
    """Name the rule that kept everyone out, the most binding first, from the person's tally
    of vetoes (`tallies`)."""
    if not counts:
        return make(r.NOBODY_SIGNED_UP, other=other)
    if counts[Veto.WEAK]:
        # Some would pass every rule but make a weak match: that, not the rules, is why.
        return make(
            r.NO_MATCH_GOOD_ENOUGH,
            other=other,
            count=counts[Veto.WEAK],
            min_score=_number(scorer.min_score),
        )
    if counts[Veto.SENIORITY_GAP] and person.seniority not in SENIORITY_KEYS:
        # With no career stage of their own, no one can be shown to be in the band.
        return make(r.EVERYONE_BREAKS, other=other, **_rule(scorer, Veto.SENIORITY_GAP, person))
    if set(counts) == {Veto.LANGUAGE, Veto.SENIORITY_GAP} and person.languages:
        # Those in the band speak none of their languages; those who do are outside it.
        return make(
            r.NO_ONE_IN_BAND_SPEAKS,
            other=other,
            languages=list(person.languages),
            **_band(scorer, person, column_side),
        )
    total = sum(counts.values())
    (top, _), *rest = counts.most_common()
    if not rest:
        if top == Veto.LANGUAGE:
            return make(r.NO_ONE_SPEAKS, other=other, languages=list(person.languages))
        if top == Veto.SKILLS:
            if column_side:
                return make(r.NO_ONE_SEEKS, other=other, skills=list(person.skills))
            return make(r.NO_ONE_OFFERS, other=other, goals=list(person.goals))
        if top == Veto.TIMEZONE_GAP:
            limit = scorer.max_gap or 0
            return make(r.EVERYONE_TOO_FAR, other=other, hours=_number(limit))
        if top >= Veto.QUESTION:
            question = scorer.program.questions[top - Veto.QUESTION]
            return make(r.NO_ONE_SAME_ANSWER, other=other, question=question.label)
        return make(r.EVERYONE_BREAKS, other=other, **_rule(scorer, top, person, column_side))
    rules = [
        {**_rule(scorer, code, person, column_side), "count": count}
        for code, count in counts.most_common(3)
    ]
    return make(r.NO_ONE_PASSES, other=other, total=total, rules=rules)


def _rule(
    scorer: Scorer, code: int, person: Participant, column_side: bool = False
) -> dict[str, object]:
    """The rule a veto names; for seniority, whether the others had to be further along."""
    if code >= Veto.QUESTION:
        return {"rule": r.RULE_QUESTION}
    rule = _RULES.get(Veto(code), r.RULE_OTHER)
    if rule == r.RULE_SENIORITY_GAP:
        return {"rule": rule, **_band(scorer, person, column_side)}
    if rule != r.RULE_SENIORITY:
        return {"rule": rule}
    # The mentor must be further along (the mentee in reverse mentoring): a mentee is told
    # that no mentor is further along, a mentor that no mentee is earlier in their career.
    return {"rule": rule, "ahead": column_side == scorer.reverse}


def _band(scorer: Scorer, person: Participant, column_side: bool) -> dict[str, object]:
    """The seniority band as the person sees it: whether the others must be ahead of them,
    by how many levels, and whether their own career stage is missing."""
    band = scorer.program.matching.seniority_gap
    return {
        "ahead": column_side == scorer.reverse,
        "min": band.min if band else 0,
        "max": band.max if band else 0,
        "missing": person.seniority not in SENIORITY_KEYS,
    }


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _shortage_hints(scorer: Scorer, short: Sequence[Participant], limit: int = 5) -> list[Reason]:
    """What to recruit: groups of waiting mentees by language and goal, largest first."""
    if not short:
        return []
    mentors = scorer.cols.people
    spoken_by_most = {
        language
        for language in scorer.vocabulary.languages
        if sum(language in m.languages for m in mentors) >= 0.5 * max(len(mentors), 1)
    }
    remaining = list(short)
    hints: list[Reason] = []
    while remaining and len(hints) < limit:
        combos: Counter[tuple[str, str]] = Counter()
        for person in remaining:
            languages = [lang for lang in person.languages if lang not in spoken_by_most] or [""]
            for language in languages:
                for goal in person.goals or ("",):
                    combos[(language, goal)] += 1
        if not combos:
            break
        (language, goal), count = min(combos.items(), key=lambda item: (-item[1], item[0]))
        hints.append(make(r.RECRUIT_MENTORS, mentees=count, language=language, goal=goal))
        remaining = [
            p
            for p in remaining
            if not ((not language or language in p.languages) and (not goal or goal in p.goals))
        ]
    return hints
