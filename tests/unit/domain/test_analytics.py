"""The weekly progress summary's figures and exceptions, from plain values."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from portal.domain.analytics import Figure, weekly_progress
from portal.domain.checkins import Checkin, Fit, Kind
from portal.domain.participants import Participant, Status
from portal.domain.program import Program
from tests.factories import mentee, mentor, program

NOW = datetime(2026, 5, 1, 7, tzinfo=UTC)  # a Friday
START = NOW - timedelta(days=40)


@dataclass(frozen=True)
class Match:
    match_id: str
    mentor: str
    mentee: str
    status: str = "active"
    created_at: datetime = START
    ended_at: datetime | None = None
    end_reason: str = ""
    ended_by: str = ""


def checkin(
    match: Match,
    author: str,
    days_ago: float,
    *,
    satisfaction: int | None = None,
    fit: Fit | None = None,
    note: str = "",
) -> Checkin:
    at = NOW - timedelta(days=days_ago)
    return Checkin(
        program="test",
        match_id=match.match_id,
        checkin_id=f"{at.isoformat()}#{author}",
        author=author,
        kind=Kind.CHECKIN,
        created_at=at,
        satisfaction=satisfaction,
        fit=fit,
        note=note,
    )


def cohort(pairs: int) -> tuple[Program, list[Participant], list[Match]]:
    """`pairs` active one-on-one pairs, everyone confirmed."""
    people: list[Participant] = []
    matches = []
    for n in range(pairs):
        a = replace(mentor(f"Mentor{n}"), confirmed_at=START - timedelta(days=3))
        b = replace(mentee(f"Mentee{n}"), confirmed_at=START - timedelta(days=3))
        people += [a, b]
        matches.append(Match(f"m{n}", a.email, b.email))
    return program(), people, matches


def test_a_quiet_pair_past_the_alert_day_is_listed_as_stalled_with_its_last_checkin() -> None:
    prog, people, matches = cohort(3)
    checkins = [
        checkin(matches[0], matches[0].mentee, 2, satisfaction=4),
        checkin(matches[1], matches[1].mentor, 30, satisfaction=4),  # quiet for 30 days
        # matches[2]: nobody has ever checked in, 40 days since the start
    ]
    progress = weekly_progress(
        prog, now=NOW, participants=people, matches=matches, checkins=checkins
    )
    assert [(s.match_id, s.quiet_days) for s in progress.stalled] == [("m2", 40), ("m1", 30)]
    assert progress.stalled[0].last_checkin is None
    assert progress.stalled[1].last_checkin == NOW - timedelta(days=30)


def test_low_ratings_and_rematch_requests_of_this_week_are_flagged_with_the_private_note() -> None:
    prog, people, matches = cohort(2)
    checkins = [
        checkin(matches[0], matches[0].mentee, 1, satisfaction=2, note="we never meet"),
        checkin(matches[0], matches[0].mentor, 3, satisfaction=3),
        checkin(matches[1], matches[1].mentee, 2, fit=Fit.REMATCH, note="different goals"),
        checkin(matches[1], matches[1].mentor, 10, satisfaction=1),  # last week: not new
    ]
    progress = weekly_progress(
        prog, now=NOW, participants=people, matches=matches, checkins=checkins
    )
    assert [(f.author, f.other, f.satisfaction, f.note) for f in progress.low_ratings] == [
        (matches[0].mentee, matches[0].mentor, 2, "we never meet")
    ]
    assert [(f.author, f.note) for f in progress.rematch_requests] == [
        (matches[1].mentee, "different goals")
    ]
    # Every check-in of the week is listed, oldest first, with the other person of its pair.
    assert [(c.author, other) for c, other in progress.this_week] == [
        (matches[0].mentor, matches[0].mentee),
        (matches[1].mentee, matches[1].mentor),
        (matches[0].mentee, matches[0].mentor),
    ]


def test_people_waiting_for_a_match_are_listed_longest_first() -> None:
    prog, people, matches = cohort(1)
    early = replace(mentee("Early"), confirmed_at=NOW - timedelta(days=20))
    late = replace(mentee("Late"), confirmed_at=NOW - timedelta(days=2))
    paused = replace(mentee("Paused"), status=Status.PAUSED, confirmed_at=NOW)
    pending = replace(mentee("Pending"), status=Status.PENDING)
    progress = weekly_progress(
        prog,
        now=NOW,
        participants=[*people, late, early, paused, pending],
        matches=matches,
        checkins=[],
    )
    assert [(w.email, w.days) for w in progress.waiting] == [(early.email, 20), (late.email, 2)]


def test_the_funnel_counts_people_at_each_stage() -> None:
    prog, people, matches = cohort(6)
    pending = [replace(mentee(f"Pending{n}"), status=Status.PENDING) for n in range(3)]
    ended = replace(matches[0], status="ended", ended_at=NOW - timedelta(days=5), end_reason="left")
    done = Match(
        "old",
        "old-mentor@example.org",
        "old-mentee@example.org",
        created_at=NOW - timedelta(days=100),
    )  # ran its 12 weeks: completed
    old_people = [
        replace(mentor("Old-mentor"), confirmed_at=START),
        replace(mentee("Old-mentee"), confirmed_at=START),
    ]
    progress = weekly_progress(
        prog,
        now=NOW,
        participants=[*people, *pending, *old_people],
        matches=[ended, *matches[1:], done],
        checkins=[],
    )
    f = progress.funnel
    assert f.signed_up == Figure(17, 17)
    assert f.confirmed == Figure(14, 14)
    assert f.matched == Figure(14, 14)
    assert f.active == Figure(12, 12)  # the ended pair is not, the completed one still is
    assert f.completed.value == 2
    assert f.completed.suppressed  # two people: shown as "fewer than 5"
    # Everyone matched is still in a match or through one, except the two whose match ended.
    assert progress.retention == Figure(round(100 * 12 / 14, 1), 14)


def test_checkins_this_week_and_last_and_the_satisfaction_trend() -> None:
    prog, people, matches = cohort(6)
    this_week = [
        checkin(m, who, 1 + i % 5, satisfaction=4)
        for i, m in enumerate(matches)
        for who in (m.mentor, m.mentee)
    ]
    last_week = [checkin(m, m.mentee, 9, satisfaction=3) for m in matches]
    progress = weekly_progress(
        prog, now=NOW, participants=people, matches=matches, checkins=this_week + last_week
    )
    assert progress.checkins_this_week == Figure(12, 12)
    assert progress.checkins_last_week == Figure(6, 6)
    assert progress.satisfaction_this_week == Figure(4.0, 12)
    assert progress.satisfaction_last_week == Figure(3.0, 6)
    assert progress.satisfaction_trend == 1.0


def test_a_figure_about_fewer_than_five_people_is_suppressed_and_has_no_trend() -> None:
    prog, people, matches = cohort(6)
    few = [checkin(m, m.mentee, 2, satisfaction=1) for m in matches[:2]]
    many = [checkin(m, m.mentee, 9, satisfaction=4) for m in matches]
    progress = weekly_progress(
        prog, now=NOW, participants=people, matches=matches, checkins=few + many
    )
    assert progress.satisfaction_this_week.people == 2
    assert progress.satisfaction_this_week.suppressed
    assert not progress.satisfaction_last_week.suppressed
    assert progress.satisfaction_trend is None
    assert progress.checkins_this_week.suppressed


def test_a_week_with_nobody_has_nothing_to_report() -> None:
    progress = weekly_progress(program(), now=NOW, participants=[], matches=[], checkins=[])
    assert not progress.needs_attention
    assert progress.funnel.signed_up == Figure(0, 0)
    assert not progress.funnel.signed_up.suppressed  # zero identifies nobody
    assert progress.satisfaction_this_week.value is None
    assert progress.retention.value is None


def test_matches_that_ended_early_this_week_are_listed_with_who_and_why() -> None:
    prog, people, matches = cohort(4)
    this_week = replace(
        matches[0],
        status="ended",
        ended_at=NOW - timedelta(days=2),
        end_reason="rematch",
        ended_by=matches[0].mentee,
    )
    last_week = replace(
        matches[1], status="ended", ended_at=NOW - timedelta(days=9), end_reason="left"
    )
    progress = weekly_progress(
        prog,
        now=NOW,
        participants=people,
        matches=[this_week, last_week, *matches[2:]],
        checkins=[],
    )
    [ended] = progress.ended
    assert (ended.match_id, ended.reason, ended.by) == ("m0", "rematch", matches[0].mentee)
    assert ended.people == (matches[0].mentor, matches[0].mentee)
    assert progress.needs_attention
