"""Retention: the daily run and `portal purge` remove what the privacy notice keeps no longer."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.addresses import address_digest
from portal.domain.participants import Participant, Role, Status
from portal.persistence.matches import StoredMatch
from portal.persistence.sessions import SessionRepository, SignIn
from portal.persistence.tables import (
    AddressRecord,
    ExportRecord,
    OutboxRecord,
    ParticipantRecord,
    SessionRecord,
    TokenRecord,
)
from portal.services.export import BY_THE_PERSON, WEB
from tests.conftest import FakeClock, table_snapshot
from tests.factories import pair, queue_confirmations, stored_person

# demo: a 12-week cycle, retention_days 365 (content/programs/demo.md).
CYCLE = timedelta(weeks=12)
RETENTION = timedelta(days=365)


def _dump() -> str:
    return json.dumps(table_snapshot(), sort_keys=True, default=str).lower()


def _traces(match: StoredMatch) -> list[str]:
    return [
        match.mentor.lower(),
        match.mentee.lower(),
        match.mentor_id.lower(),
        match.mentee_id.lower(),
    ]


def _pending(name: str, sent: datetime, *, legacy: bool = False) -> Participant:
    """An unconfirmed sign-up sent at `sent` (a legacy one carries no expiry)."""
    person = stored_person(name, Role.MENTEE, sent)
    return replace(
        person,
        status=Status.PENDING,
        confirmed_at=None,
        expires_at=None if legacy else sent + timedelta(days=7),
    )


def _sign_ups(name: str) -> int:
    return sum(1 for r in ParticipantRecord.scan() if r.name == f"{name} Example")


def test_a_pair_past_the_cycle_plus_retention_is_erased_and_a_later_pair_is_untouched(
    services: Services, clock: FakeClock
) -> None:
    start = clock()
    old = pair(services, "Ann", "Bob", start)
    clock.advance(days=200)
    new = pair(services, "Cat", "Dan", clock())
    due = start + CYCLE + RETENTION

    early = services.retention.plan(due - timedelta(days=1))
    assert early.counts["people"] == 0
    done = services.retention.purge(due)

    assert (done.counts["people"], done.counts["matches_completed"], done.failed) == (2, 1, 0)
    dump = _dump()
    assert [t for t in _traces(old) if t in dump] == []
    assert [t for t in _traces(new) if t not in dump] == []
    assert services.participants.get("demo", new.mentee) is not None
    kept = services.rounds.matches.get("demo", new.match_id)
    assert kept is not None
    assert kept.holds_places
    # Their match was long past its cycle: marked completed, so nobody was told it "ended".
    assert not [r for r in OutboxRecord.scan() if r.template == "match_ended"]
    # A second run finds nothing more.
    assert services.retention.purge(due).total == 0


def test_someone_who_left_is_counted_from_the_day_they_left(
    services: Services, clock: FakeClock
) -> None:
    start = clock()
    match = pair(services, "Ann", "Bob", start)
    clock.advance(days=10)
    services.participation.set_status("demo", match.mentee, Status.LEFT)
    left = clock()

    # Bob (the mentee) left; Ann stays signed up: her own cycle runs on from her sign-up, so
    # only Bob is due.
    assert services.retention.plan(left + RETENTION - timedelta(minutes=1)).counts["people"] == 0
    done = services.retention.purge(left + RETENTION + timedelta(minutes=1))

    assert done.counts["people"] == 1
    assert services.participants.get("demo", match.mentor) is not None
    assert (_sign_ups("Ann"), _sign_ups("Bob")) == (1, 0)


def test_a_person_past_one_programs_period_is_kept_while_inside_anothers(
    services: Services, clock: FakeClock
) -> None:
    start = clock()
    match = pair(services, "Ann", "Bob", start)
    clock.advance(days=300)
    ann_peer = replace(
        stored_person("Ann", Role.PEER, clock(), "peer-circles"), participant_id="ann-peer"
    )
    services.participants.save(ann_peer)

    done = services.retention.purge(start + CYCLE + RETENTION + timedelta(days=1))

    assert (done.counts["people"], done.counts["people_kept"]) == (1, 1)  # Bob erased, Ann kept
    assert services.participants.get("demo", match.mentor) is not None
    assert services.participants.get("peer-circles", match.mentor) is not None
    assert services.participants.get("demo", match.mentee) is None


def test_an_unconfirmed_sign_up_goes_after_7_days_and_not_before(
    services: Services, clock: FakeClock
) -> None:
    now = clock()
    for name, days in (("Eve", 8), ("Fay", 6)):
        services.participants.save(_pending(name, now - timedelta(days=days)))
    services.participants.save(_pending("Gil", now - timedelta(days=8), legacy=True))

    plan = services.retention.plan(now)
    assert plan.counts["unconfirmed"] == 2
    assert (_sign_ups("Eve"), _sign_ups("Gil")) == (1, 1)  # a dry run deletes nothing

    done = services.retention.purge(now)

    assert done.counts["unconfirmed"] == 2
    assert (_sign_ups("Eve"), _sign_ups("Fay"), _sign_ups("Gil")) == (0, 1, 0)
    left = {r.address_hash for r in AddressRecord.scan()}
    assert address_digest("fay@example.org") in left
    assert address_digest("eve@example.org") not in left


def test_an_unconfirmed_sign_up_of_someone_confirmed_elsewhere_goes_alone(
    services: Services, clock: FakeClock
) -> None:
    now = clock()
    services.participants.save(
        replace(stored_person("Eve", Role.PEER, now, "peer-circles"), participant_id="eve-peer")
    )
    services.participants.save(_pending("Eve", now - timedelta(days=8)))

    done = services.retention.purge(now)

    assert (done.counts["unconfirmed"], done.counts["people"]) == (1, 0)
    assert services.participants.get("peer-circles", "eve@example.org") is not None
    assert [r.program for r in AddressRecord.scan()] == ["peer-circles"]


def test_expired_links_and_sessions_go_and_live_ones_stay(
    services: Services, clock: FakeClock
) -> None:
    services.links.me_url("demo", "ann@example.org")  # lives two weeks
    clock.advance(days=15)
    services.links.me_url("demo", "bob@example.org")

    done = services.retention.purge(clock())

    assert done.counts["links"] == 1
    assert [r.subject for r in TokenRecord.scan()] == ["bob@example.org"]


def test_sent_emails_go_90_days_after_sending_and_queued_ones_stay(
    services: Services, clock: FakeClock
) -> None:
    (_sent, legacy) = queue_confirmations(services, 2)
    services.mail.drain(per_second=1000)
    # Sent before sent emails carried an expiry: judged by when it was sent.
    OutboxRecord(legacy).update(actions=[OutboxRecord.expires_at.remove()])
    clock.advance(days=89)
    (queued,) = queue_confirmations(services, 1, "peer-circles")

    assert services.retention.purge(clock()).counts["emails"] == 0
    clock.advance(days=2)
    done = services.retention.purge(clock())

    assert done.counts["emails"] == 2
    assert [r.key for r in OutboxRecord.scan()] == [queued]


def test_expired_sessions_and_year_old_exports_go(services: Services, clock: FakeClock) -> None:
    start = clock()
    pair(services, "Ann", "Bob", start)
    services.exports.export("ann@example.org", route=WEB, requested_by=BY_THE_PERSON)
    SessionRepository().add(
        "session-hash",
        {"me": SignIn("demo", "ann@example.org", start + timedelta(hours=8))},
        now=start,
    )

    assert services.retention.purge(start + timedelta(hours=7)).counts["sessions"] == 0
    done = services.retention.purge(start + timedelta(days=366))

    assert (done.counts["sessions"], done.counts["exports"], done.counts["people"]) == (1, 1, 0)
    assert list(SessionRecord.scan()) == []
    assert list(ExportRecord.scan()) == []


def test_the_dry_run_changes_nothing(services: Services, clock: FakeClock) -> None:
    start = clock()
    pair(services, "Ann", "Bob", start)
    services.participants.save(_pending("Eve", start - timedelta(days=8)))
    before = table_snapshot()

    plan = services.retention.plan(start + CYCLE + RETENTION + timedelta(days=1))

    assert (plan.counts["people"], plan.counts["unconfirmed"]) == (2, 1)
    assert table_snapshot() == before


# -- portal purge -----------------------------------------------------------------------------


def test_portal_purge_is_a_dry_run_unless_applied(
    services: Services, clock: FakeClock, cli_env: None
) -> None:
    match = pair(services, "Ann", "Bob", clock())
    services.participants.save(_pending("Eve", clock()))
    at = (clock() + CYCLE + RETENTION + timedelta(days=1)).strftime("%Y-%m-%d")
    before = table_snapshot()

    dry = CliRunner().invoke(main, ["purge", "--at", at])

    assert dry.exit_code == 0, dry.output
    assert f"Would remove at {at} 00:00 UTC (a dry run: run again with --apply):" in dry.output
    assert "      2  people past the retention period of every program" in dry.output
    assert "      1  sign-ups not confirmed within 7 days" in dry.output
    assert "      1  matches long past their cycle" in dry.output
    assert table_snapshot() == before

    applied = CliRunner().invoke(main, ["purge", "--at", at, "--apply"])

    assert applied.exit_code == 0, applied.output
    assert f"Removed at {at} 00:00 UTC:" in applied.output
    assert "      2  people past the retention period of every program" in applied.output
    dump = _dump()
    assert [t for t in _traces(match) if t in dump] == []
    assert "eve example" not in dump


def test_portal_purge_without_at_reads_the_clock(
    services: Services, clock: FakeClock, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair(services, "Ann", "Bob", clock())
    monkeypatch.setenv("PORTAL_CLOCK", (clock() + CYCLE + RETENTION * 2).isoformat())

    result = CliRunner().invoke(main, ["purge"])

    assert result.exit_code == 0, result.output
    assert "      2  people past the retention period of every program" in result.output


@pytest.mark.parametrize("at", ["tomorrow", "2027-13-01", "2027-02-30T25:00"])
def test_portal_purge_refuses_a_bad_date_and_changes_nothing(
    services: Services, clock: FakeClock, cli_env: None, at: str
) -> None:
    pair(services, "Ann", "Bob", clock())
    before = table_snapshot()

    result = CliRunner().invoke(main, ["purge", "--at", at, "--apply"])

    assert result.exit_code == 2
    assert f"Invalid value for '--at': {at!r} is not an ISO date or date-time" in result.output
    assert table_snapshot() == before
