"""Why someone was left waiting, and what to recruit so that fewer wait next time.

Someone no one is compatible with is told the rule that kept everyone out, the most binding
first; someone whose compatible partners went to others is told that, and why. Each reason
and hint is a code with parameters (`portal.domain.reasons`), put into words by
`portal.presenters.reasons`.
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
    waiting = np.flatnonzero(assignment < 0)
    for rows in chunks(waiting, max(1, BLOCK_PAIRS // max(len(mentors), 1))):
        parts = scorer.components(rows) if len(mentors) else None
        for k, row in enumerate(rows):
            person = mentees[int(row)]
            reason: Reason
            if parts is None:
                reason = make(r.NO_FREE_MENTOR)
            else:
                ok = np.flatnonzero(parts.veto[k] == 0)
                if len(ok) == 0:
                    reason = _no_candidate_reason(scorer, person, parts.veto[k], "mentor")
                    short.append(person)
                else:
                    mine = parts.score[k, ok]
                    outscored = bool((lowest[ok] >= mine).all())
                    with_room = int((load[ok] < capacity[ok]).sum())
                    if with_room:
                        reason = make(r.OTHERS_HAVE_ROOM, count=with_room)
                    else:
                        reason = make(r.COMPATIBLE_FULL, count=len(ok), outscored=outscored)
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
        vetoes = np.concatenate(
            [scorer.components(rows, idle).veto for rows in blocks(len(mentees), len(idle))]
        )
        for k, col in enumerate(idle.tolist()):
            person = mentors[col]
            compatible = int((vetoes[:, k] == 0).sum())
            if compatible == 0:
                reason = _no_candidate_reason(
                    scorer, person, vetoes[:, k], "mentee", column_side=True
                )
            else:
                reason = make(r.COMPATIBLE_TAKEN, count=compatible)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: (u.role, u.email))
    return unmatched, _shortage_hints(scorer, short)


def explain_alone_peers(scorer: Scorer, partner: npt.NDArray[np.int32]) -> list[Unmatched]:
    """Why each peer without a partner (partner -1) has none."""
    people = scorer.rows.people
    unmatched = []
    alone = np.flatnonzero(partner < 0)
    for rows in chunks(alone, max(1, BLOCK_PAIRS // max(len(people), 1))):
        parts = scorer.components(rows)
        for k, row in enumerate(rows):
            person = people[int(row)]
            ok = np.flatnonzero(parts.veto[k] == 0)
            if len(ok) == 0:
                reason = _no_candidate_reason(scorer, person, parts.veto[k], "peer")
            else:
                reason = make(r.PEERS_TAKEN, count=len(ok), odd=len(alone) % 2 == 1)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: u.email)
    return unmatched


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
    vetoes: npt.NDArray[np.uint8],
    other: str,
    column_side: bool = False,
) -> Reason:
    """Name the rule that kept everyone out, the most binding first."""
    counts = Counter(int(v) for v in vetoes if v != Veto.SAME_PERSON)
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
