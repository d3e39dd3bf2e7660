"""When a round has news for someone it left waiting: a new reason, not new counts."""

from __future__ import annotations

from dataclasses import replace

from portal.domain import reasons as r
from portal.domain.participants import Status
from portal.domain.reasons import reason
from portal.domain.waiting import has_news, situation, waits
from tests.factories import mentee, mentor


def test_counts_that_move_each_week_are_not_news() -> None:
    assert situation(reason(r.COMPATIBLE_FULL, count=3, outscored=True)) == situation(
        reason(r.COMPATIBLE_FULL, count=4, outscored=False)
    )
    rules = [{"rule": r.RULE_LANGUAGE, "count": 3}, {"rule": r.RULE_TIME_ZONE, "count": 1}]
    moved = [{"rule": r.RULE_LANGUAGE, "count": 5}, {"rule": r.RULE_TIME_ZONE, "count": 2}]
    assert situation(reason(r.NO_ONE_PASSES, other="mentor", total=4, rules=rules)) == situation(
        reason(r.NO_ONE_PASSES, other="mentor", total=7, rules=moved)
    )


def test_every_mentor_taken_is_the_same_news_the_round_after() -> None:
    # Round one: the mentors who pass are full; round two: the full mentors are not in it.
    assert situation(reason(r.COMPATIBLE_FULL, count=2, outscored=True)) == situation(
        reason(r.NO_FREE_MENTOR)
    )
    assert situation(reason(r.COMPATIBLE_TAKEN, count=2)) == situation(reason(r.NO_MENTEE_WAITING))


def test_another_reason_or_other_languages_or_rules_are_news() -> None:
    full = situation(reason(r.COMPATIBLE_FULL, count=2, outscored=True))
    weak = situation(reason(r.NO_MATCH_GOOD_ENOUGH, other="mentor", count=2, min_score=40))
    spanish = situation(reason(r.NO_ONE_SPEAKS, other="mentor", languages=["Spanish"]))
    hindi = situation(reason(r.NO_ONE_SPEAKS, other="mentor", languages=["Hindi"]))
    assert len({full, weak, spanish, hindi}) == 4


def test_only_a_confirmed_person_without_a_match_waits_and_hears_news() -> None:
    told = situation(reason(r.NO_FREE_MENTOR))
    ada = mentee("Ada")
    assert waits(ada)
    assert has_news(ada, reason(r.NO_FREE_MENTOR))  # never told: the first time is news
    assert not has_news(replace(ada, waiting_told=told), reason(r.COMPATIBLE_FULL, count=1))
    assert has_news(replace(ada, waiting_told=told), reason(r.NO_ONE_OFFERS, other="mentor"))
    assert not waits(replace(ada, status=Status.PAUSED))  # paused: asked not to be matched
    # A mentor with a mentee and room for another has a match: not waiting.
    assert not waits(replace(mentor("Bo", capacity=2), active_matches=1))
    assert not has_news(replace(ada, status=Status.PAUSED), reason(r.NO_FREE_MENTOR))
