"""Why someone was left waiting, in words, and what to recruit so that fewer wait next time.

Someone no one is compatible with is told the rule that kept everyone out, the most binding
first; someone whose compatible partners went to others is told that, and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from portal.domain.matching.candidates import BLOCK_PAIRS, blocks, chunks
from portal.domain.matching.figures import lowest_taken
from portal.domain.matching.results import Unmatched
from portal.domain.participants import Participant
from portal.domain.scoring import Scorer, Veto


def explain_unmatched(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
) -> tuple[list[Unmatched], list[str]]:
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
            if parts is None:
                reason = "no mentor has a free place in this round"
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
                        reason = (
                            f"{with_room} mentor{'s' if with_room != 1 else ''} who pass"
                            f"{'' if with_room != 1 else 'es'} the rules still "
                            f"{'have' if with_room != 1 else 'has'} room, but this round keeps "
                            "only pairs above the lowest score it could guarantee everyone"
                        )
                    elif len(ok) == 1:
                        reason = "the only mentor who passes the rules is full"
                    else:
                        reason = f"all {len(ok)} mentors who pass the rules are full"
                    if not with_room:
                        reason += (
                            ": the mentees they took scored higher with them"
                            if outscored
                            else ": matching you would have left someone else without a match"
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
                    "no mentee is waiting for a mentor in this round",
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
                reason = (
                    "the only mentee who passes the rules was matched with a mentor "
                    "who suits them better"
                    if compatible == 1
                    else f"the {compatible} mentees who pass the rules were matched with mentors "
                    "who suit them better"
                )
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
                if len(ok) == 1:
                    reason = "the only peer who passes the rules was matched with someone else"
                else:
                    reason = f"all {len(ok)} peers who pass the rules were matched with others"
                if len(alone) % 2 == 1 and len(ok) >= 1:
                    reason += " (an odd number of people can leave one person out)"
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: u.email)
    return unmatched


# Each rule in words, for one person and for several.
_NO_CANDIDATE = {
    Veto.LANGUAGE: ("shares no language", "share no language"),
    Veto.SKILLS: ("offers none of the goals sought", "offer none of the goals sought"),
    Veto.TIMEZONE_GAP: ("is too many time zones away", "are too many time zones away"),
    Veto.TIMEZONE: ("is too many time zones away", "are too many time zones away"),
    Veto.AVAILABILITY: ("shares no weekly availability", "share no weekly availability"),
    Veto.SENIORITY: (
        "is not further along in their career",
        "are not further along in their career",
    ),
    Veto.DEPARTMENT: ("is in the same department", "are in the same department"),
    Veto.REPORTING_LINE: ("is in the same reporting line", "are in the same reporting line"),
    Veto.PAIRED_BEFORE: ("was paired with them before", "were paired with them before"),
    Veto.SAME_PERSON: ("is the same person", "are the same person"),
}


def _no_candidate_reason(
    scorer: Scorer,
    person: Participant,
    vetoes: npt.NDArray[np.uint8],
    other: str,
    column_side: bool = False,
) -> str:
    """Name the rule that kept everyone out, the most binding first."""
    counts = Counter(int(v) for v in vetoes if v != Veto.SAME_PERSON)
    if not counts:
        return f"no {other}s have signed up yet"
    total = sum(counts.values())
    (top, _), *rest = counts.most_common()
    if not rest:
        if top == Veto.LANGUAGE:
            spoken = " or ".join(person.languages) or "a language you speak"
            return f"no {other} speaks {spoken}"
        if top == Veto.SKILLS:
            wanted = person.skills if column_side else person.goals
            if column_side:
                return (
                    f"no mentee seeks any of {', '.join(wanted)}"
                    if wanted
                    else "no mentee seeks what you offer"
                )
            return (
                f"no mentor offers any of {', '.join(wanted)}"
                if wanted
                else "no mentor offers your goals"
            )
        if top == Veto.TIMEZONE_GAP:
            limit = scorer.max_gap or 0
            return f"every {other} is more than {limit:g} h away in time zone"
        if top >= Veto.QUESTION:
            question = scorer.program.questions[top - Veto.QUESTION]
            return f"no {other} gave the same answer to “{question.label}”, which must match"
        return f"every {other} {_rule_words(top, 1)}"
    parts = [f"{count} {_rule_words(code, count)}" for code, count in counts.most_common(3)]
    return f"none of the {total} {other}s passes the rules: " + ", ".join(parts)


def _rule_words(code: int, count: int) -> str:
    if code >= Veto.QUESTION:
        return "answered a must-match question differently"
    one, several = _NO_CANDIDATE.get(Veto(code), ("breaks a rule", "break a rule"))
    return one if count == 1 else several


def _shortage_hints(scorer: Scorer, short: Sequence[Participant], limit: int = 5) -> list[str]:
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
    hints: list[str] = []
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
        who = f"{count} mentee{'s' if count != 1 else ''}"
        traits = []
        if language:
            traits.append(f"speak{'s' if count == 1 else ''} {language}")
        if goal:
            traits.append(f"want{'s' if count == 1 else ''} {goal}")
        recruit = (
            "recruit mentors"
            + (f" offering {goal}" if goal else "")
            + (f" who speak {language}" if language else "")
        )
        verb = "has" if count == 1 else "have"
        described = f" who {' and '.join(traits)}" if traits else ""
        hints.append(f"{who}{described} {verb} no mentor: {recruit}")
        remaining = [
            p
            for p in remaining
            if not ((not language or language in p.languages) and (not goal or goal in p.goals))
        ]
    return hints
