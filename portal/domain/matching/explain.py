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
from portal.domain.matching.candidates import BLOCK_PAIRS, blocks, chunks
from portal.domain.matching.figures import lowest_taken
from portal.domain.matching.results import Unmatched
from portal.domain.participants import SENIORITY_KEYS, Participant
from portal.domain.reasons import reason as make
from portal.domain.scoring import Reason, Scorer, Veto


def explain_unmatched(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
) -> tuple[list[Unmatched], list[Reason]]:
    """Why each mentee left waiting waits, and each mentor left without a mentee; what to
    recruit."""
    mentors, mentees = scorer.cols.people, scorer.rows.people
    unmatched: list[Unmatched] = []
    short: list[Participant] = []
    lowest = lowest_taken(assignment, pair_scores, len(mentors))
    room = load < capacity
    waiting = np.flatnonzero(assignment < 0)
    # Blocks of rows against every mentor, no larger than the tallies' 256 codes per row.
    for rows in chunks(waiting, max(1, BLOCK_PAIRS // max(len(mentors), _CODES))):
        if not len(mentors):
            for row in rows.tolist():
                person = mentees[row]
                unmatched.append(Unmatched(person.email, person.role.value, make(r.NO_FREE_MENTOR)))
            continue
        parts = scorer.components(rows)
        ok = parts.veto == 0
        compatible = np.count_nonzero(ok, axis=1)
        with_room = np.count_nonzero(ok & room[None, :], axis=1)
        # Outscored: every compatible mentor's weakest mentee scores at least this mentee.
        outscored = ~np.any(ok & (lowest[None, :] < parts.score), axis=1)
        nobody = np.flatnonzero(compatible == 0)
        tallies = iter(_tallies(parts.veto[nobody]))
        for k, row in enumerate(rows.tolist()):
            person = mentees[row]
            reason: Reason
            if compatible[k] == 0:
                reason = _no_candidate_reason(scorer, person, next(tallies), "mentor")
            elif with_room[k]:
                reason = make(r.OTHERS_HAVE_ROOM, count=int(with_room[k]))
            else:
                reason = make(
                    r.COMPATIBLE_FULL, count=int(compatible[k]), outscored=bool(outscored[k])
                )
            short.append(person)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
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
        for cols in chunks(idle, max(1, BLOCK_PAIRS // _CODES)):
            passing, column_tallies = _column_tallies(scorer, cols)
            for col, count, tally in zip(cols.tolist(), passing, column_tallies, strict=True):
                person = mentors[col]
                if count == 0:
                    reason = _no_candidate_reason(scorer, person, tally, "mentee", column_side=True)
                else:
                    reason = make(r.COMPATIBLE_TAKEN, count=count)
                unmatched.append(
                    Unmatched(email=person.email, role=person.role.value, reason=reason)
                )
    unmatched.sort(key=lambda u: (u.role, u.email))
    return unmatched, _shortage_hints(scorer, short)


def explain_alone_peers(scorer: Scorer, partner: npt.NDArray[np.int32]) -> list[Unmatched]:
    """Why each peer without a partner (partner -1) has none."""
    people = scorer.rows.people
    unmatched = []
    alone = np.flatnonzero(partner < 0)
    odd = len(alone) % 2 == 1
    for rows in chunks(alone, max(1, BLOCK_PAIRS // max(len(people), _CODES))):
        parts = scorer.components(rows)
        compatible = np.count_nonzero(parts.veto == 0, axis=1)
        tallies = iter(_tallies(parts.veto[compatible == 0]))
        for k, row in enumerate(rows.tolist()):
            person = people[row]
            if compatible[k] == 0:
                reason = _no_candidate_reason(scorer, person, next(tallies), "peer")
            else:
                reason = make(r.PEERS_TAKEN, count=int(compatible[k]), odd=odd)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: u.email)
    return unmatched


_CODES = 256  # veto codes are uint8


def _tallies(vetoes: npt.NDArray[np.uint8]) -> list[Counter[int]]:
    """Per person (a row of `vetoes`): how many of the others each veto keeps out, SAME_PERSON
    left out, in the order each veto first appears (the order a Counter fed the row's vetoes
    one by one would have: it breaks most_common's ties)."""
    counts, first = _count_codes(vetoes)
    return [_in_order(counts[k], first[k]) for k in range(len(counts))]


def _count_codes(
    vetoes: npt.NDArray[np.uint8], axis: int = 1
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per person along `axis`, per veto code: the count, and the first index where it
    appears (the length of the axis where it does not)."""
    people = vetoes.shape[1 - axis]
    length = vetoes.shape[axis]
    counts = np.zeros((people, _CODES), dtype=np.int64)
    first = np.full((people, _CODES), length, dtype=np.int64)
    if not vetoes.size:
        return counts, first
    # One pass per code present (a dozen or so), each over the whole block at C speed.
    for code in np.flatnonzero(np.bincount(vetoes.ravel(), minlength=_CODES)).tolist():
        hit = vetoes == code
        counts[:, code] = np.count_nonzero(hit, axis=axis)
        at = np.argmax(hit, axis=axis)
        first[:, code] = np.where(counts[:, code] > 0, at, length)
    return counts, first


def _in_order(counts: npt.NDArray[np.int64], first: npt.NDArray[np.int64]) -> Counter[int]:
    """The codes counted, SAME_PERSON left out, inserted in order of first appearance."""
    present = [c for c in np.flatnonzero(counts).tolist() if c != Veto.SAME_PERSON]
    present.sort(key=lambda c: int(first[c]))
    return Counter({code: int(counts[code]) for code in present})


def _column_tallies(
    scorer: Scorer, cols: npt.NDArray[np.intp]
) -> tuple[list[int], list[Counter[int]]]:
    """For each column in `cols`, against every row: how many rows pass every rule, and (for
    those no row passes) the tally of vetoes, rows taken in order."""
    n_rows = len(scorer.rows)
    compatible = np.zeros(len(cols), dtype=np.int64)
    counts = np.zeros((len(cols), _CODES), dtype=np.int64)
    first = np.full((len(cols), _CODES), n_rows, dtype=np.int64)
    for rows in blocks(n_rows, len(cols)):
        veto = scorer.components(rows, cols).veto
        compatible += np.count_nonzero(veto == 0, axis=0)
        # Only a column no row has passed yet may need its tally.
        open_ = np.flatnonzero(compatible == 0)
        if not len(open_):
            continue
        block_counts, block_first = _count_codes(veto[:, open_], axis=0)
        counts[open_] += block_counts
        seen = block_first < len(rows)
        first[open_] = np.where(
            (first[open_] == n_rows) & seen, block_first + int(rows[0]), first[open_]
        )
    tallies = [
        _in_order(counts[k], first[k]) if compatible[k] == 0 else Counter[int]()
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
    of vetoes (`_tallies`)."""
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
