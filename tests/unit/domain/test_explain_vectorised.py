"""The vectorised explanations give exactly the reasons the per-person loop gave.

`explain_unmatched` and `explain_alone_peers` count each waiting person's vetoes with NumPy
over a block at once; the reference below is the loop they replaced (a Counter per person),
kept here verbatim to compare against on varied populations: language musts, a time-zone
gap, a seniority band, departments, reporting lines, earlier pairings, `must` questions, a
score floor, reverse mentoring, groups and an odd number of peers.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from portal.domain import reasons as r
from portal.domain.matching import candidates, explain, flow, match, peers
from portal.domain.matching.candidates import blocks, chunks, keep_best, split_roles
from portal.domain.matching.explain import _band, _number, _rule, _shortage_hints
from portal.domain.matching.figures import lowest_taken
from portal.domain.matching.flow import capacities
from portal.domain.matching.results import Unmatched
from portal.domain.matching.tallies import tallies as tally_vetoes
from portal.domain.participants import SENIORITY_KEYS, SLOTS, Participant, Role, Status
from portal.domain.program import Program
from portal.domain.reasons import Reason
from portal.domain.reasons import reason as make
from portal.domain.scoring import Scorer, Veto
from tests.factories import NOW, TOPICS, program

# -- The reference implementation: the per-person loop as it was before vectorising --------
# (portal/domain/matching/explain.py before issue 17; only its BLOCK_PAIRS is a parameter.)


def reference_explain_unmatched(
    scorer: Scorer,
    assignment: npt.NDArray[np.int32],
    pair_scores: npt.NDArray[np.int32],
    load: npt.NDArray[np.int64],
    capacity: npt.NDArray[np.int64],
    block_pairs: int = candidates.BLOCK_PAIRS,
) -> tuple[list[Unmatched], list[Reason]]:
    mentors, mentees = scorer.cols.people, scorer.rows.people
    unmatched: list[Unmatched] = []
    short: list[Participant] = []
    lowest = lowest_taken(assignment, pair_scores, len(mentors))
    waiting = np.flatnonzero(assignment < 0)
    for rows in chunks(waiting, max(1, block_pairs // max(len(mentors), 1))):
        parts = scorer.components(rows) if len(mentors) else None
        for k, row in enumerate(rows):
            person = mentees[int(row)]
            reason: Reason
            if parts is None:
                reason = make(r.NO_FREE_MENTOR)
            else:
                ok = np.flatnonzero(parts.veto[k] == 0)
                if len(ok) == 0:
                    reason = reference_no_candidate_reason(scorer, person, parts.veto[k], "mentor")
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
                Unmatched(mentors[col].email, mentors[col].role.value, make(r.NO_MENTEE_WAITING))
            )
    elif len(idle):
        vetoes = np.concatenate(
            [scorer.components(rows, idle).veto for rows in blocks(len(mentees), len(idle))]
        )
        for k, col in enumerate(idle.tolist()):
            person = mentors[col]
            compatible = int((vetoes[:, k] == 0).sum())
            if compatible == 0:
                reason = reference_no_candidate_reason(
                    scorer, person, vetoes[:, k], "mentee", column_side=True
                )
            else:
                reason = make(r.COMPATIBLE_TAKEN, count=compatible)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: (u.role, u.email))
    return unmatched, _shortage_hints(scorer, short)


def reference_explain_alone_peers(
    scorer: Scorer, partner: npt.NDArray[np.int32], block_pairs: int = candidates.BLOCK_PAIRS
) -> list[Unmatched]:
    people = scorer.rows.people
    unmatched = []
    alone = np.flatnonzero(partner < 0)
    for rows in chunks(alone, max(1, block_pairs // max(len(people), 1))):
        parts = scorer.components(rows)
        for k, row in enumerate(rows):
            person = people[int(row)]
            ok = np.flatnonzero(parts.veto[k] == 0)
            if len(ok) == 0:
                reason = reference_no_candidate_reason(scorer, person, parts.veto[k], "peer")
            else:
                reason = make(r.PEERS_TAKEN, count=len(ok), odd=len(alone) % 2 == 1)
            unmatched.append(Unmatched(email=person.email, role=person.role.value, reason=reason))
    unmatched.sort(key=lambda u: u.email)
    return unmatched


def reference_no_candidate_reason(
    scorer: Scorer,
    person: Participant,
    vetoes: npt.NDArray[np.uint8],
    other: str,
    column_side: bool = False,
) -> Reason:
    counts = Counter(int(v) for v in vetoes if v != Veto.SAME_PERSON)
    if not counts:
        return make(r.NOBODY_SIGNED_UP, other=other)
    if counts[Veto.WEAK]:
        return make(
            r.NO_MATCH_GOOD_ENOUGH,
            other=other,
            count=counts[Veto.WEAK],
            min_score=_number(scorer.min_score),
        )
    if counts[Veto.SENIORITY_GAP] and person.seniority not in SENIORITY_KEYS:
        return make(r.EVERYONE_BREAKS, other=other, **_rule(scorer, Veto.SENIORITY_GAP, person))
    if set(counts) == {Veto.LANGUAGE, Veto.SENIORITY_GAP} and person.languages:
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


# -- Populations --------------------------------------------------------------------------

LANGUAGES = ("English", "Spanish", "Portuguese", "Hindi")
ZONES = (
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
DEPARTMENTS = ("Legal", "Digital", "Policy", "")
TEAMS = ("North", "South", "East")
INTERESTS = ("music", "sport", "books", "film")
QUESTIONS = [
    {
        "key": "team",
        "label": "Which team?",
        "type": "choice",
        "choices": list(TEAMS),
        "match": "same",
        "weight": "must",
    },
    {
        "key": "interests",
        "label": "Interests?",
        "type": "multi",
        "choices": list(INTERESTS),
        "match": "overlap",
        "weight": "must",
    },
]


@dataclass(frozen=True)
class Case:
    """A program and how many mentors and mentees (or peers) it has."""

    name: str
    program: Program
    mentors: int
    mentees: int
    alike: bool = False  # every mentor the same (so a mentee meets one rule only)


CASES = [
    # Every hard rule at once, a floor that makes weak pairs, few mentors: ties are common.
    Case(
        "every-rule",
        program(
            weights={"languages": "must", "skills": "medium", "seniority": "low"},
            questions=[QUESTIONS[0], {**QUESTIONS[1], "weight": "low"}],
            max_timezone_gap_hours=6,
            seniority_gap={"min": 1, "max": 2},
            exclude_same_department=True,
            exclude_reporting_line=True,
            min_score=45,
        ),
        mentors=24,
        mentees=70,
    ),
    # More mentors than mentees: many idle mentors, each told why (the column side).
    Case(
        "idle-mentors",
        program(
            weights={"languages": "must", "skills": "must"},
            questions=QUESTIONS[:1],
            max_timezone_gap_hours=5,
            seniority_gap={"min": 1, "max": 2},
            exclude_same_department=True,
            exclude_reporting_line=True,
        ),
        mentors=90,
        mentees=40,
    ),
    Case(
        "reverse",
        program(
            "reverse",
            weights={"seniority": "must", "timezone": "must", "skills": "must"},
            questions=QUESTIONS[1:],
            exclude_same_department=True,
            min_score=30,
        ),
        mentors=25,
        mentees=60,
    ),
    # Few rules, each alone enough to keep someone out: the one-rule reasons.
    Case(
        "language-and-band",
        program(
            weights={"languages": "must", "skills": "low"},
            questions=[{**QUESTIONS[0], "weight": "low"}, QUESTIONS[1]],
            seniority_gap={"min": 1, "max": 3},
            max_timezone_gap_hours=9,
        ),
        mentors=20,
        mentees=50,
    ),
    # Few mentors, each rule enough alone: no one speaks the language, offers the goal,
    # gave the same answer, lives near enough.
    Case(
        "one-rule-each",
        program(
            weights={"languages": "must", "skills": "must", "timezone": "off"},
            questions=[QUESTIONS[0], {**QUESTIONS[1], "weight": "off"}],
            max_timezone_gap_hours=7,
        ),
        mentors=6,
        mentees=60,
        alike=True,
    ),
    Case(
        "group-band",
        program(
            "group",
            capacity=3,
            weights={"languages": "must", "availability": "must"},
            seniority_gap={"min": 0, "max": 1},
            max_timezone_gap_hours=2,
            min_score=55,
        ),
        mentors=12,
        mentees=80,
    ),
    Case(
        "peers-odd",
        program(
            "peer",
            weights={"languages": "must", "skills": "high"},
            questions=QUESTIONS,
            max_timezone_gap_hours=5,
            exclude_same_department=True,
            exclude_reporting_line=True,
            min_score=35,
        ),
        mentors=0,
        mentees=61,
    ),
]


def population(case: Case, seed: int) -> tuple[list[Participant], list[frozenset[str]]]:
    """The case's people, drawn at random, and some earlier pairings among them."""
    rng = random.Random(seed)
    peer = case.program.format.value == "peer"
    roles = [Role.PEER] * case.mentees if peer else [Role.MENTOR] * case.mentors
    if not peer:
        roles += [Role.MENTEE] * case.mentees
    emails = [f"p{index:03d}@example.org" for index in range(len(roles))]
    people = []
    for index, role in enumerate(roles):
        # Some speak only a language few others speak; some give no career stage.
        languages = rng.sample(LANGUAGES[1:], rng.choice((0, 1, 1)))
        if rng.random() < 0.75 or not languages:
            languages.insert(0, "English")
        team = rng.choice((*TEAMS, TEAMS[0], ""))
        interests = rng.sample(INTERESTS, rng.randint(0, 3))
        people.append(
            Participant(
                program=case.program.slug,
                email=emails[index],
                participant_id=f"{index:016x}",
                role=role,
                name=f"Person {index}",
                timezone=rng.choice(ZONES),
                languages=tuple(languages),
                availability=tuple(sorted(rng.sample(SLOTS, rng.randint(0, 4)))),
                skills=tuple(rng.sample(TOPICS, rng.randint(0, 2))) if role != Role.MENTEE else (),
                goals=tuple(rng.sample(TOPICS, rng.randint(0, 2))) if role != Role.MENTOR else (),
                department=rng.choice(DEPARTMENTS),
                reports_to=rng.choice(emails) if rng.random() < 0.2 else "",
                seniority=rng.choice((*SENIORITY_KEYS, "")),
                capacity=rng.randint(1, 2) if role is Role.MENTOR else 1,
                answers={"team": team, "interests": interests},
                status=Status.CONFIRMED,
            )
        )
    if case.alike:
        people[: case.mentors] = [
            replace(
                p,
                timezone="Europe/London",
                languages=("English",),
                skills=TOPICS[:4],
                answers={"team": TEAMS[0], "interests": list(INTERESTS)},
            )
            for p in people[: case.mentors]
        ]
    history = [frozenset(rng.sample(emails, 2)) for _ in range(len(emails) // 3)]
    return people, history


def _json(value: Any) -> str:
    # Plain Python values only (a NumPy integer would not serialise), keys in the same order.
    return json.dumps(value, default=lambda u: [u.email, u.role, u.reason])


def random_assignment(
    scorer: Scorer, capacity: npt.NDArray[np.int64], rng: random.Random
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Some mentees on compatible mentors with room, the rest waiting: any assignment will do,
    and a careless one leaves mentees waiting while their mentors have room."""
    parts = scorer.components(np.arange(len(scorer.rows), dtype=np.intp))
    assignment = np.full(len(scorer.rows), -1, dtype=np.int32)
    pair_scores = np.full(len(scorer.rows), -1, dtype=np.int32)
    load = np.zeros(len(scorer.cols), dtype=np.int64)
    for row in rng.sample(range(len(scorer.rows)), len(scorer.rows)):
        ok = [c for c in np.flatnonzero(parts.veto[row] == 0).tolist() if load[c] < capacity[c]]
        if ok and rng.random() < 0.6:
            col = rng.choice(ok)
            assignment[row], pair_scores[row] = col, parts.score[row, col]
            load[col] += 1
    return assignment, pair_scores, load


@pytest.fixture(params=[None, 8], ids=["blocks-as-shipped", "tiny-blocks"])
def block_pairs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The block size; tiny blocks split every person's row or column over many blocks."""
    size: int = request.param or candidates.BLOCK_PAIRS
    monkeypatch.setattr(candidates, "BLOCK_PAIRS", size)
    monkeypatch.setattr(explain, "BLOCK_PAIRS", size)
    return size


def _codes(unmatched: list[Unmatched]) -> Counter[str]:
    return Counter(u.reason["code"] for u in unmatched)


def careless(case: Case, seed: int, block_pairs: int) -> tuple[str, str]:
    """The case's people left waiting by a careless assignment, explained both ways (JSON)."""
    people, history = population(case, seed)
    mentors, mentees = split_roles(case.program, people)
    scorer = Scorer(case.program, mentors, mentees, now=NOW, history=history)
    rng = random.Random(seed)
    if case.program.format.value == "peer":
        # Peers: each partnered with a compatible one at random, the rest alone.
        veto = scorer.components(np.arange(len(people), dtype=np.intp)).veto
        partner = np.full(len(people), -1, dtype=np.int32)
        for a in rng.sample(range(len(people)), len(people)):
            free = [b for b in np.flatnonzero(veto[a] == 0).tolist() if partner[b] < 0]
            if partner[a] < 0 and free and rng.random() < 0.6:
                b = rng.choice(free)
                partner[a], partner[b] = b, a
        # With the candidates' tallies, as a round has them, instead of scoring everyone again.
        got = explain.explain_alone_peers(
            scorer, partner, candidates=keep_best(scorer, 20, symmetric=True)
        )
        return _json(got), _json(reference_explain_alone_peers(scorer, partner, block_pairs))
    capacity = capacities(case.program, mentors)
    assignment, pair_scores, load = random_assignment(scorer, capacity, rng)
    # With the candidates' counts and tallies, as a round has them, instead of scoring
    # everyone again.
    explained = explain.explain_unmatched(
        scorer, assignment, pair_scores, load, capacity, candidates=keep_best(scorer, 50)
    )
    reference = reference_explain_unmatched(
        scorer, assignment, pair_scores, load, capacity, block_pairs
    )
    return _json(explained), _json(reference)


SEEDS = (1, 2, 3)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_careless_assignment_is_explained_as_the_loop_explained_it(
    case: Case, seed: int, block_pairs: int
) -> None:
    got, want = careless(case, seed, block_pairs)
    assert got == want


def test_the_populations_reach_every_reason_and_tie() -> None:
    # Else the comparisons above would say little: every reason a waiting person can be given
    # among people who have someone, and rules tied in count, ordered by the first met.
    codes: Counter[str] = Counter()
    ties = 0
    for case in CASES:
        for seed in SEEDS:
            explained = json.loads(careless(case, seed, candidates.BLOCK_PAIRS)[0])
            waiting = explained if case.program.format.value == "peer" else explained[0]
            for _, _, reason in waiting:
                codes[reason["code"]] += 1
                counts = [rule["count"] for rule in reason.get("rules", [])]
                ties += len(counts) != len(set(counts))
    assert set(codes) >= {
        r.NO_ONE_PASSES,
        r.NO_ONE_SPEAKS,
        r.NO_ONE_OFFERS,
        r.EVERYONE_TOO_FAR,
        r.NO_ONE_SAME_ANSWER,
        r.EVERYONE_BREAKS,
        r.NO_MATCH_GOOD_ENOUGH,
        r.NO_ONE_IN_BAND_SPEAKS,
        r.COMPATIBLE_FULL,
        r.OTHERS_HAVE_ROOM,
        r.COMPATIBLE_TAKEN,
        r.PEERS_TAKEN,
    }, codes
    assert ties >= 20, ties


@pytest.mark.parametrize(
    ("fmt", "roles"),
    [
        ("one-on-one", ("mentee", "mentee")),  # no mentor at all
        ("one-on-one", ("mentor", "mentor")),  # no mentee at all
        ("one-on-one", ("mentor", "mentee")),  # one of each, unmatched
        ("peer", ("peer",)),  # a peer alone in the program
    ],
)
def test_a_pool_with_no_one_on_a_side_is_explained_as_the_loop_did(
    fmt: str, roles: tuple[str, ...]
) -> None:
    prog = program(fmt, weights={"languages": "must"})
    people = [
        replace(person, role=Role(role))
        for person, role in zip(population(CASES[0], seed=1)[0], roles, strict=False)
    ]
    mentors, mentees = split_roles(prog, people)
    scorer = Scorer(prog, mentors, mentees, now=NOW)
    if fmt == "peer":
        partner = np.full(len(people), -1, dtype=np.int32)
        got = explain.explain_alone_peers(scorer, partner, keep_best(scorer, 20, symmetric=True))
        assert _json(got) == _json(reference_explain_alone_peers(scorer, partner))
        assert got[0].reason["code"] == r.NOBODY_SIGNED_UP
        return
    capacity = capacities(prog, mentors)
    assignment = np.full(len(mentees), -1, dtype=np.int32)
    load = np.zeros(len(mentors), dtype=np.int64)
    args = (scorer, assignment, assignment.copy(), load, capacity)
    explained = explain.explain_unmatched(*args, keep_best(scorer, 50))
    assert _json(explained) == _json(reference_explain_unmatched(*args))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_round_explains_its_unmatched_as_the_loop_did(
    case: Case, block_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    people, history = population(case, seed=7)
    compared: list[str] = []

    def checked(name: str, reference: Callable[..., Any]) -> Callable[..., Any]:
        vectorised = getattr(explain, name)

        def both(*args: Any, **kwargs: Any) -> Any:
            # The round passes its candidates (tallies from its one pass over every pair);
            # the reference scores everyone again.
            assert kwargs.get("candidates") is not None
            got = vectorised(*args, **kwargs)
            assert _json(got) == _json(reference(*args, block_pairs))
            compared.append(name)
            return got

        return both

    monkeypatch.setattr(
        flow, "explain_unmatched", checked("explain_unmatched", reference_explain_unmatched)
    )
    monkeypatch.setattr(
        peers, "explain_alone_peers", checked("explain_alone_peers", reference_explain_alone_peers)
    )
    result = match(case.program, people, now=NOW, history=history)
    assert compared  # the round explained through the vectorised code
    assert result.unmatched


def test_ties_are_broken_by_the_rule_met_first_as_the_counter_did() -> None:
    # Among rules keeping out as many people, the one met first in the row comes first.
    vetoes = np.array(
        [
            [Veto.DEPARTMENT, Veto.LANGUAGE, Veto.LANGUAGE, Veto.DEPARTMENT, Veto.TIMEZONE_GAP],
            [Veto.TIMEZONE_GAP, Veto.LANGUAGE, Veto.DEPARTMENT, Veto.DEPARTMENT, Veto.LANGUAGE],
            [Veto.SAME_PERSON, Veto.QUESTION + 1, Veto.QUESTION, Veto.QUESTION, Veto.QUESTION + 1],
        ],
        dtype=np.uint8,
    )
    tallies = tally_vetoes(vetoes)
    for row, tally in zip(vetoes, tallies, strict=True):
        counter = Counter(int(v) for v in row if v != Veto.SAME_PERSON)
        assert tally.most_common() == counter.most_common()
    assert [code for code, _ in tallies[0].most_common()] == [
        Veto.DEPARTMENT,
        Veto.LANGUAGE,
        Veto.TIMEZONE_GAP,
    ]
    assert [code for code, _ in tallies[1].most_common()] == [
        Veto.LANGUAGE,
        Veto.DEPARTMENT,
        Veto.TIMEZONE_GAP,
    ]
