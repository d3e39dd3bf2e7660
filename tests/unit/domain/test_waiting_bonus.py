"""The `waiting_bonus` setting: priority, in the objective only, for people who waited."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from portal.domain.matching import match
from portal.domain.program import Program
from portal.domain.scoring import Scorer
from tests.factories import NOW, mentee, mentor, peer, program

BONUS = {"points": 5, "cap": 15}


@pytest.mark.parametrize(
    ("bonus", "words"),
    [
        (
            {"points": -1, "cap": 10},
            "points\n  Value error, must be a number of points from 0 to 100",
        ),
        ({"points": 5, "cap": 500}, "not 500"),
        ({"points": "lots", "cap": 10}, "not 'lots'"),
        ({"points": True, "cap": 10}, "not True"),
        ({"points": 10, "cap": 5}, "cap (5) must not be less than points (10)"),
        ({"points": 0, "cap": 5}, "points and cap must both be more than 0"),
        ({"points": 5}, "Field required"),
        ({"points": 5, "cap": 10, "most": 3}, "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_bonus_is_refused_naming_the_key(bonus: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        program(waiting_bonus=bonus)
    assert words in str(raised.value)
    assert "waiting_bonus" in str(raised.value)


def test_the_bonus_is_off_by_default_and_survives_being_stored() -> None:
    assert program().matching.waiting_bonus is None
    prog = program(waiting_bonus=BONUS)
    again = Program.model_validate(prog.model_dump(mode="json"))
    assert again.matching.waiting_bonus == prog.matching.waiting_bonus
    assert prog.matching.waiting_bonus is not None
    assert prog.matching.waiting_bonus.points == 5


def test_each_mentee_gets_points_per_round_waited_up_to_the_cap() -> None:
    mentors = [mentor("Mia", rounds_waited=4)]
    mentees = [
        mentee(name, rounds_waited=n)
        for name, n in (("Ann", 0), ("Bo", 1), ("Cy", 2), ("Di", 3), ("Ed", 9))
    ]
    scorer = Scorer(program(waiting_bonus=BONUS), mentors, mentees, now=NOW)
    # Tenths of a point: 5 points a round, at most 15.
    assert scorer.row_bonus.tolist() == [0, 50, 100, 150, 150]
    assert scorer.row_bonus.dtype == np.int32
    assert scorer.row_bonus.shape == (len(mentees),)


def test_fractions_of_a_point_are_kept_in_tenths() -> None:
    scorer = Scorer(
        program(waiting_bonus={"points": 2.5, "cap": 6}),
        [mentor("Mia")],
        [mentee("Ann", rounds_waited=1), mentee("Bo", rounds_waited=5)],
        now=NOW,
    )
    assert scorer.row_bonus.tolist() == [25, 60]


def test_no_setting_no_bonus_however_long_people_waited() -> None:
    scorer = Scorer(program(), [mentor("Mia")], [mentee("Ann", rounds_waited=7)], now=NOW)
    assert scorer.row_bonus.tolist() == [0]


def test_peers_get_it_as_rows() -> None:
    people = [peer("Ann", rounds_waited=1), peer("Bo"), peer("Cy", rounds_waited=2)]
    scorer = Scorer(program("peer", waiting_bonus=BONUS), people, people, now=NOW)
    assert scorer.row_bonus.tolist() == [50, 0, 100]


def test_the_bonus_never_changes_a_score() -> None:
    mentors = [mentor("Mia", skills=("Python",))]
    mentees = [mentee("Ann", goals=("Python",), rounds_waited=3)]
    columns = np.array([0], dtype=np.intp)
    plain = Scorer(program(), mentors, mentees, now=NOW).components(columns)
    bonus = Scorer(program(waiting_bonus=BONUS), mentors, mentees, now=NOW).components(columns)
    assert bonus.score.tolist() == plain.score.tolist()


def test_the_person_who_waited_gets_the_one_place() -> None:
    # One mentor, two mentees the same in every way but the rounds they waited: whichever
    # of them waited gets the place, under either objective.
    for objective in ("participation", "score"):
        for waited in ("Ann", "Bo"):
            people = [
                mentor("Mia"),
                *(mentee(name, rounds_waited=2 if name == waited else 0) for name in ("Ann", "Bo")),
            ]
            chosen = match(program(objective=objective, waiting_bonus=BONUS), people, now=NOW)
            assert [p.mentee for p in chosen.pairs] == [f"{waited.lower()}@example.org"]
            # The bonus decided, but the pair's score is the criteria's alone.
            plain = match(program(objective=objective), people, now=NOW)
            assert chosen.pairs[0].score == plain.pairs[0].score
            assert chosen.proof.certified


def test_a_peer_who_waited_is_paired_first() -> None:
    # Three peers, one pair: whichever of them waited is in it.
    for waited in ("Ann", "Bo", "Cy"):
        people = [
            peer(name, rounds_waited=3 if name == waited else 0) for name in ("Ann", "Bo", "Cy")
        ]
        result = match(program("peer", waiting_bonus=BONUS), people, now=NOW)
        paired = {e for p in result.pairs for e in (p.mentor, p.mentee)}
        assert f"{waited.lower()}@example.org" in paired
