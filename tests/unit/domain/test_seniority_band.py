"""The `seniority_gap` rule: the mentor a band of career levels ahead (behind, in reverse)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from portal import i18n
from portal.domain import reasons as r
from portal.domain.matching import MatchResult, match
from portal.domain.participants import Participant
from portal.domain.program import Program
from portal.domain.scoring import Scorer, Veto
from portal.presenters.reasons import unmatched_text, veto_text, widen_text
from tests.factories import NOW, mentee, mentor, program

BAND = {"min": 1, "max": 2}


def veto(prog: Program, a_mentor: Participant, a_mentee: Participant) -> int:
    parts = Scorer(prog, [a_mentor], [a_mentee], now=NOW).components(np.array([0], dtype=np.intp))
    return int(parts.veto[0, 0])


def reason_for(result: MatchResult, name: str) -> dict[str, Any]:
    found = [u for u in result.unmatched if u.email == f"{name.lower()}@example.org"]
    assert found, f"{name} is matched, not left out"
    return dict(found[0].reason)


# -- the rule, pair by pair -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor_stage", "mentee_stage", "allowed"),
    [
        ("mid", "early", True),  # one level ahead
        ("senior", "early", True),  # two levels ahead
        ("lead", "early", False),  # three: too far ahead
        ("early", "early", False),  # the same level
        ("early", "mid", False),  # behind
    ],
)
def test_a_mentor_must_be_one_or_two_levels_ahead(
    mentor_stage: str, mentee_stage: str, allowed: bool
) -> None:
    prog = program(seniority_gap=BAND)
    result = veto(
        prog, mentor("Ana", seniority=mentor_stage), mentee("Ben", seniority=mentee_stage)
    )
    assert result == (Veto.NONE if allowed else Veto.SENIORITY_GAP)


@pytest.mark.parametrize(
    ("mentor_stage", "mentee_stage", "allowed"),
    [
        ("early", "mid", True),  # the mentee (who teaches) one level ahead
        ("early", "senior", True),
        ("mid", "early", False),  # the mentor ahead: not what reverse mentoring asks
        ("early", "executive", False),  # four levels: outside the band
    ],
)
def test_in_reverse_mentoring_the_mentor_is_behind(
    mentor_stage: str, mentee_stage: str, allowed: bool
) -> None:
    prog = program("reverse", seniority_gap=BAND)
    result = veto(
        prog, mentor("Ana", seniority=mentor_stage), mentee("Ben", seniority=mentee_stage)
    )
    assert result == (Veto.NONE if allowed else Veto.SENIORITY_GAP)


@pytest.mark.parametrize(("mentor_stage", "mentee_stage"), [("", "early"), ("mid", ""), ("", "")])
def test_someone_without_a_career_stage_is_not_allowed_under_the_rule(
    mentor_stage: str, mentee_stage: str
) -> None:
    a, b = mentor("Ana", seniority=mentor_stage), mentee("Ben", seniority=mentee_stage)
    assert veto(program(seniority_gap=BAND), a, b) == Veto.SENIORITY_GAP
    assert veto(program(), a, b) == Veto.NONE  # without the rule, nothing to check


def test_a_band_from_zero_allows_the_same_level() -> None:
    prog = program(seniority_gap={"min": 0, "max": 0})
    assert veto(prog, mentor("Ana", seniority="mid"), mentee("Ben", seniority="mid")) == 0
    assert veto(prog, mentor("Ana", seniority="senior"), mentee("Ben", seniority="mid")) != 0


def test_the_vetoed_pair_says_why() -> None:
    prog = program(seniority_gap=BAND)
    pair = Scorer(
        prog, [mentor("Ana", seniority="lead")], [mentee("Ben", seniority="early")], now=NOW
    )
    _, _, vetoed = pair.explain(0, 0)
    assert vetoed == {"code": r.VETO_SENIORITY_GAP, "who": "mentor", "min": 1, "max": 2,
                      "missing": False}  # fmt: skip
    assert veto_text(vetoed) == (
        "the mentor is not one or two career levels above the mentee, as the program requires"
    )


# -- a round where the band binds ---------------------------------------------------------------


def test_a_round_keeps_to_the_band_and_says_why_someone_waits() -> None:
    people = [
        mentor("Ana", seniority="executive"),  # four levels above Ben: outside the band
        mentor("Cy", seniority="senior"),  # two above Ben
        mentee("Ben", seniority="mid"),
        mentee("Dee", seniority="mid"),
    ]
    result = match(program(seniority_gap=BAND), people, now=NOW)
    assert len(result.pairs) == 1
    assert result.pairs[0].mentor == "cy@example.org"
    waiting = next(u for u in result.unmatched if u.role == "mentor")
    assert waiting.email == "ana@example.org"
    assert waiting.reason == {
        "code": r.EVERYONE_BREAKS,
        "other": "mentee",
        "rule": r.RULE_SENIORITY_GAP,
        "ahead": False,
        "min": 1,
        "max": 2,
        "missing": False,
    }
    assert (
        unmatched_text(waiting.reason, "mentor")
        == "no mentee is one or two career levels below you"
    )


def test_no_mentor_in_the_band_speaks_their_language() -> None:
    people = [
        mentor("Ana", seniority="senior", languages=["English"]),  # in the band, no Portuguese
        mentor("Bo", seniority="executive", languages=["Portuguese"]),  # speaks it, too senior
        mentee("Ben", seniority="early", languages=["Portuguese"]),
    ]
    result = match(program(seniority_gap=BAND), people, now=NOW)
    assert not result.pairs
    reason = reason_for(result, "Ben")
    assert reason == {
        "code": r.NO_ONE_IN_BAND_SPEAKS,
        "other": "mentor",
        "languages": ["Portuguese"],
        "ahead": True,
        "min": 1,
        "max": 2,
        "missing": False,
    }
    assert unmatched_text(reason, "mentee") == (
        "no mentor one or two career levels above you speaks Portuguese"
    )
    assert unmatched_text(reason, "organizer") == (
        "no mentor one or two career levels above them speaks Portuguese"
    )


def test_a_mentee_without_a_career_stage_is_told_to_give_it() -> None:
    people = [mentor("Ana", seniority="senior"), mentee("Ben")]
    result = match(program(seniority_gap=BAND), people, now=NOW)
    reason = reason_for(result, "Ben")
    assert reason["rule"] == r.RULE_SENIORITY_GAP
    assert reason["missing"] is True
    assert unmatched_text(reason, "mentee") == (
        "this program pairs people a set number of career levels apart, and you have not "
        "given your career stage"
    )
    assert widen_text(reason, "mentee") == (
        "Adding your career stage to your answers lets the program match you."
    )


def test_several_rules_count_the_band_among_them() -> None:
    people = [
        mentor("Ana", seniority="executive"),
        mentor("Bo", seniority="lead"),
        mentor("Cy", seniority="senior", languages=["German"]),
        mentee("Ben", seniority="early", department="IT"),
        mentor("Di", seniority="mid", department="IT"),
    ]
    result = match(program(seniority_gap=BAND, exclude_same_department=True), people, now=NOW)
    reason = reason_for(result, "Ben")
    assert reason["code"] == r.NO_ONE_PASSES
    assert reason["rules"][0]["rule"] == r.RULE_SENIORITY_GAP
    assert reason["rules"][0]["count"] == 2
    assert unmatched_text(reason).startswith(
        "none of the four mentors passes the rules: two are not the number of career levels "
        "apart the program requires"
    )


# -- the setting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "words"),
    [
        ({"min": 3, "max": 1}, "min (3) must not be more than max (1)"),
        ({"min": -1, "max": 1}, "min (-1) must be a number of career levels from 0 to 5"),
        ({"min": 1, "max": 6}, "max (6) must be a number of career levels from 0 to 5"),
        ({"min": 1}, "Field required"),
        ({"min": 1, "max": 2, "most": 3}, "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_band_is_refused_naming_the_key(band: dict[str, int], words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        program(seniority_gap=band)
    assert words in str(raised.value)
    assert "seniority_gap" in str(raised.value)


def test_peers_cannot_have_a_band() -> None:
    with pytest.raises(ValidationError, match=r"matching\.seniority_gap: peers have no mentor"):
        program("peer", seniority_gap=BAND)


def test_the_band_survives_being_stored() -> None:
    prog = program(seniority_gap=BAND)
    again = Program.model_validate(prog.model_dump(mode="json"))
    assert again.matching.seniority_gap == prog.matching.seniority_gap


# -- in Spanish ---------------------------------------------------------------------------------


def test_the_band_reasons_in_spanish() -> None:
    speaks = {
        "code": r.NO_ONE_IN_BAND_SPEAKS,
        "other": "mentor",
        "languages": ["Portuguese"],
        "ahead": True,
        "min": 1,
        "max": 2,
    }
    breaks = {"code": r.EVERYONE_BREAKS, "other": "mentee", "rule": r.RULE_SENIORITY_GAP,
              "ahead": False, "min": 1, "max": 3}  # fmt: skip
    vetoed = {"code": r.VETO_SENIORITY_GAP, "who": "mentor", "min": 2, "max": 2}
    with i18n.speaking("es"):
        assert unmatched_text(speaks, "mentee") == (
            "ningún mentor que esté uno o dos niveles profesionales por encima de usted habla "
            "Portuguese"
        )
        assert unmatched_text(breaks, "mentor") == (
            "ningún mentee está de uno a tres niveles profesionales por debajo de usted"
        )
        assert veto_text(vetoed) == (
            "el mentor no está dos niveles profesionales por encima del mentee, como exige el "
            "programa"
        )
