"""The network view's figures, from a small program whose links are known by heart.

Seven people, matched so (departments, time zones on 2 March 2026, languages):
- Ada (Engineering, London UTC, English+Spanish) with Ben (Data, New York UTC-5, English),
  twice in two rounds: one pair;
- Cy (Data, London, English) with Dee ("data ", Berlin UTC+1, English+German), ended;
- Eve (Design, Kolkata UTC+5:30, Hindi+English) with Fay (Design, Kolkata, Hindi), completed;
- Ada with Gus (no department, London, English);
- Cy and Ben only proposed (a draft never met); Eve with an erased person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from portal.domain.matches import Match, MatchState
from portal.domain.network import Group, gap_minutes, network, offset_label
from portal.domain.participants import Participant
from tests.factories import mentee, mentor

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Europe and the US on winter time

ADA = mentor("Ada", department="Engineering", languages=("English", "Spanish"))
BEN = mentee("Ben", department="Data", timezone="America/New_York")
CY = mentor("Cy", department="Data")
DEE = mentee("Dee", department="data ", timezone="Europe/Berlin", languages=("English", "German"))
EVE = mentor("Eve", department="Design", timezone="Asia/Kolkata", languages=("Hindi", "English"))
FAY = mentee("Fay", department="Design", timezone="Asia/Kolkata", languages=("Hindi",))
GUS = mentee("Gus")
PEOPLE = (ADA, BEN, CY, DEE, EVE, FAY, GUS)


def match(
    a: Participant,
    b: Participant,
    status: MatchState = MatchState.ACTIVE,
    round_id: str = "2026-03-02T0900Z",
) -> Match:
    return Match(
        program="test",
        match_id=f"{round_id}#{a.participant_id}#{b.participant_id}",
        round_id=round_id,
        mentor=a.email,
        mentee=b.email,
        mentor_id=a.participant_id,
        mentee_id=b.participant_id,
        status=status,
        score=60,
        reasons=(),
        created_at=NOW,
    )


ERASED = Match(
    program="test",
    match_id="2026-02-02T0900Z#eve#former",
    round_id="2026-02-02T0900Z",
    mentor=EVE.email,
    mentee="former-participant@erased.invalid",
    mentor_id=EVE.participant_id,
    mentee_id="former-participant-0123456789abcdef",
    status=MatchState.ENDED,
    score=60,
    reasons=(),
    created_at=NOW,
)
MATCHES = (
    match(ADA, BEN, MatchState.ENDED, "2026-02-02T0900Z"),
    match(ADA, BEN),
    match(CY, DEE, MatchState.ENDED),
    match(EVE, FAY, MatchState.COMPLETED),
    match(ADA, GUS),
    match(CY, BEN, MatchState.PROPOSED, "2026-03-09T0900Z"),
    ERASED,
)


def test_pairs_are_people_matched_once_or_more_and_erased_people_are_left_out() -> None:
    found = network(PEOPLE, MATCHES, NOW)
    assert found.pairs == 4  # Ada-Ben (twice), Cy-Dee, Eve-Fay, Ada-Gus; not the draft
    assert found.gone == 1


def test_departments_bridged_and_the_isolated_ones() -> None:
    departments = network(PEOPLE, MATCHES, NOW).departments
    assert departments.known
    assert departments.groups == (
        Group("Data", people=3, within=1, outside=1),  # " data " is Data, as first written
        Group("Design", people=2, within=1, outside=0),
        Group("Engineering", people=1, within=0, outside=1),
    )
    assert departments.pairs == 3  # Ada-Gus: Gus gave no department
    assert departments.unknown == 1
    assert departments.apart == 1  # Ada-Ben, Engineering with Data
    assert [g.name for g in departments.bridged] == ["Data", "Engineering"]
    assert [g.name for g in departments.isolated] == ["Design"]
    assert departments.links == {
        ("Engineering", "Data"): 1,
        ("Data", "Engineering"): 1,
        ("Data", "Data"): 1,
        ("Design", "Design"): 1,
    }
    assert departments.linked("Data") == (("Engineering", 1),)
    assert departments.linked("Design") == ()


def test_time_zones_are_utc_offset_groups_and_pairs_three_hours_apart() -> None:
    found = network(PEOPLE, MATCHES, NOW)
    zones = found.time_zones
    assert zones.groups == (
        Group("UTC-5", people=1, within=0, outside=1),
        Group("UTC", people=3, within=1, outside=2),
        Group("UTC+1", people=1, within=0, outside=1),
        Group("UTC+5:30", people=2, within=1, outside=0),
    )
    assert zones.apart == 2  # Ada-Ben and Cy-Dee are in different offsets
    assert found.far_apart == 1  # only Ada-Ben, 5 hours apart
    assert [g.name for g in zones.isolated] == ["UTC+5:30"]


def test_languages_shared_and_the_ones_no_pair_reaches_out_of() -> None:
    languages = network(PEOPLE, MATCHES, NOW).languages
    assert languages.groups == (
        Group("English", people=6, within=3, outside=1),  # Eve speaks it, Fay does not
        Group("German", people=1, within=0, outside=1),
        Group("Hindi", people=2, within=1, outside=0),
        Group("Spanish", people=1, within=0, outside=2),
    )
    assert languages.apart == 0  # every pair shares a language
    assert [g.name for g in languages.isolated] == ["Hindi"]


def test_a_pair_with_no_language_in_common_is_apart() -> None:
    fay = mentor("Fay2", languages=("Hindi",))
    languages = network((fay, ADA), (match(fay, ADA),), NOW).languages
    assert languages.apart == 1
    assert languages.links[("Hindi", "English")] == 1


def test_a_program_whose_people_gave_no_department() -> None:
    people = [replace(p, department="") for p in PEOPLE]
    found = network(people, MATCHES, NOW)
    assert not found.departments.known
    assert found.departments.groups == ()
    assert found.departments.unknown == 4
    assert found.departments.pairs == 0
    assert found.time_zones.known  # the other groupings still stand


def test_no_pairs_no_groups() -> None:
    found = network(PEOPLE, (), NOW)
    assert found.pairs == 0
    assert not found.languages.known


def test_offsets_in_words_and_gaps_around_the_clock() -> None:
    assert [offset_label(m) for m in (0, 60, -300, 330, -570)] == [
        "UTC",
        "UTC+1",
        "UTC-5",
        "UTC+5:30",
        "UTC-9:30",
    ]
    assert gap_minutes(-11 * 60, 12 * 60) == 60
    assert gap_minutes(-300, 0) == 300
