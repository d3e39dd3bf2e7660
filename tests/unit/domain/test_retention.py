"""The retention rule: when a person's last cycle in a program ended, and until when it is kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from portal.domain.matches import Match, MatchState
from portal.domain.participants import Role, Status
from portal.domain.retention import cycle_end, kept_until, last_cycle_end
from tests.factories import NOW, program, stored_person

PROGRAM = program().model_copy(update={"cycle_weeks": 10, "retention_days": 30})
CYCLE = timedelta(weeks=10)
PERIOD = timedelta(days=30)
PERSON = stored_person("Ann", Role.MENTEE, NOW, "test")


def _match(status: MatchState, started: timedelta, ended: timedelta | None = None) -> Match:
    return Match(
        program="test",
        match_id=f"r#{status}#{started}",
        round_id="r",
        mentor="bob@example.org",
        mentee=PERSON.email,
        status=status,
        score=1,
        reasons=(),
        created_at=NOW + started,
        ended_at=None if ended is None else NOW + ended,
        mentee_id=PERSON.participant_id,
    )


def test_a_cycle_lasts_cycle_weeks_unless_the_match_ended_early() -> None:
    assert cycle_end(_match(MatchState.ACTIVE, timedelta(0)), PROGRAM) == NOW + CYCLE
    assert cycle_end(_match(MatchState.COMPLETED, timedelta(0), CYCLE), PROGRAM) == NOW + CYCLE
    early = _match(MatchState.ENDED, timedelta(0), timedelta(days=20))
    assert cycle_end(early, PROGRAM) == NOW + timedelta(days=20)


def test_the_last_cycle_is_the_latest_match_or_the_one_waited_in_and_drafts_do_not_count() -> None:
    later = _match(MatchState.COMPLETED, timedelta(days=100), timedelta(days=170))
    draft = _match(MatchState.PROPOSED, timedelta(days=400))
    assert last_cycle_end(PERSON, [later, draft], PROGRAM) == NOW + timedelta(days=100) + CYCLE
    # Never matched: the cycle they waited in, from their last change to the sign-up.
    paused = replace(PERSON, status=Status.PAUSED, updated_at=NOW + timedelta(days=5))
    assert last_cycle_end(paused, [], PROGRAM) == NOW + timedelta(days=5) + CYCLE
    # Left: the day they left.
    left = replace(PERSON, status=Status.LEFT, updated_at=NOW + timedelta(days=5))
    assert last_cycle_end(left, [], PROGRAM) == NOW + timedelta(days=5)
    assert kept_until(left, [], PROGRAM) == NOW + timedelta(days=5) + PERIOD


def test_an_unconfirmed_sign_up_is_kept_7_days_legacy_ones_too() -> None:
    pending = replace(PERSON, status=Status.PENDING, expires_at=NOW + timedelta(days=7))
    assert kept_until(pending, [], PROGRAM) == NOW + timedelta(days=7)
    legacy = replace(pending, expires_at=None)
    assert kept_until(legacy, [], PROGRAM) == NOW + timedelta(days=7)
