"""Erasing a person: the service and `portal erase`. Nothing of them is left but one digest."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.container import Services
from portal.domain.addresses import address_digest
from portal.domain.participants import Role
from portal.persistence.erasure import FORMER_ADDRESS, ErasureStore
from portal.persistence.tables import OutboxRecord, SuppressionRecord
from portal.services.erasure import NobodyToErase
from portal.services.export import BY_THE_PERSON, WEB
from tests.conftest import FakeClock, parse, table_snapshot
from tests.factories import (
    ADA_GOAL,
    ADA_NOTE,
    PARTNER_NOTE,
    History,
    person_with_history,
    stored_person,
)


@pytest.fixture
def history(services: Services, clock: FakeClock) -> History:
    person = person_with_history(services, clock)
    services.exports.export(person.ada.email, route=WEB, requested_by=BY_THE_PERSON)
    services.links.me_url("demo", person.ada.email)  # one more link to her, unused
    return person


def _dump() -> str:
    return json.dumps(table_snapshot(), sort_keys=True, default=str).lower()


def _traces(history: History) -> list[str]:
    ada = history.ada
    return [
        ada.email.lower(),
        ada.mailbox.lower(),
        ada.name.lower(),
        ada.participant_id.lower(),
        history.ada_peer.participant_id.lower(),
        ADA_GOAL.lower(),
        ADA_NOTE.lower(),
    ]


def _left_of_ada(history: History) -> list[str]:
    dump = _dump()
    return [trace for trace in _traces(history) if trace in dump]


def _match_ended_to_max(services: Services, history: History) -> list[Any]:
    return [
        parse(r.raw)
        for r in OutboxRecord.scan()
        if r.recipient == history.partner.email and r.template == "match_ended" and r.raw
    ]


def test_erasure_leaves_nothing_of_the_person_but_the_suppressions_digest(
    services: Services, history: History
) -> None:
    assert _left_of_ada(history) == _traces(history)  # all there before

    done = services.erasure.erase(history.ada.email.upper())
    services.mail.drain(per_second=1000)

    assert _left_of_ada(history) == []
    assert sorted(done.programs) == ["demo", "peer-circles"]
    assert done.counts["sign_ups"] == 2
    assert done.counts["matches_ended"] == 1
    assert done.counts["checkins"] == 2  # her check-in and her rating
    assert done.counts["goals"] == 1
    assert done.counts["exports"] == 1
    assert done.counts["links"] >= 1
    # The one hash kept: the suppression still holds.
    assert [r.address_hash for r in SuppressionRecord.scan()] == [address_digest(history.ada.email)]
    assert services.unsubscribes.suppressions.reason(history.ada.email) == "unsubscribe"


def test_the_partner_is_told_once_and_keeps_their_own_notes(
    services: Services, history: History
) -> None:
    services.erasure.erase(history.ada.email)
    with pytest.raises(NobodyToErase):
        services.erasure.erase(history.ada.email)

    told = [
        r
        for r in OutboxRecord.scan()
        if r.recipient == history.partner.email
        and r.template == "match_ended"
        and r.status == "pending"
    ]
    assert len(told) == 1
    assert "has left the program" in told[0].raw
    (match,) = services.participation.matches.for_person("demo", history.partner.email)
    assert (match.status.value, match.mentee, match.ended_by) == (
        "ended",
        FORMER_ADDRESS,
        FORMER_ADDRESS,
    )
    notes = [c.note for c in services.checkins.checkins.for_match(match.match_id)]
    assert notes == [PARTNER_NOTE]


def test_a_draft_pair_or_suggestion_with_the_person_is_withdrawn(
    services: Services, history: History, clock: FakeClock
) -> None:
    other = replace(stored_person("Grace", Role.MENTOR, clock()), participant_id="grace-id")
    services.participants.save(other)
    for round_id, status in (("2026-04-01T0900Z", "proposed"), ("2026-04-02T0900Z", "suggested")):
        services.rounds.matches.save_proposed(
            "demo",
            round_id,
            mentor=other.email,
            mentee=history.ada.email,
            score=50,
            reasons=(),
            now=clock(),
            status=status,
        )

    done = services.erasure.erase(history.ada.email)

    assert done.counts["drafts"] == 2
    assert services.rounds.matches.for_person("demo", other.email) == []
    assert history.ada.participant_id not in _dump()


def test_erasing_twice_changes_nothing_the_second_time(
    services: Services, history: History
) -> None:
    services.erasure.erase(history.ada.email)
    before = table_snapshot()

    with pytest.raises(NobodyToErase):
        services.erasure.erase(history.ada.email)
    with pytest.raises(NobodyToErase):
        services.erasure.plan(history.ada.email)

    assert table_snapshot() == before


def test_a_dry_run_counts_what_erasure_removes_and_changes_nothing(
    services: Services, history: History
) -> None:
    before = table_snapshot()

    planned = services.erasure.plan(history.ada.email)

    assert table_snapshot() == before
    assert planned.counts == services.erasure.erase(history.ada.email).counts


class Interrupted(RuntimeError):
    pass


@pytest.mark.parametrize("deletes", [0, 1, 2, 4, 6, 9, 12])
def test_an_erasure_interrupted_anywhere_is_finished_by_the_next_run(
    services: Services,
    history: History,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    deletes: int,
) -> None:
    real = ErasureStore._delete
    done: list[object] = []

    def fail_after(store: ErasureStore, record: Any) -> None:
        if len(done) == deletes:
            raise Interrupted("killed between tables")
        done.append(record)
        real(store, record)

    monkeypatch.setattr(ErasureStore, "_delete", fail_after)
    with pytest.raises(Interrupted):
        services.erasure.erase(history.ada.email)
    monkeypatch.setattr(ErasureStore, "_delete", real)

    # What runs in between trips over nothing half-erased.
    _everything_else_still_works(services, history, clock)
    services.erasure.erase(history.ada.email)
    services.mail.drain(per_second=1000)

    assert _left_of_ada(history) == []
    assert len(_match_ended_to_max(services, history)) + _sent_match_ended(history) == 2
    _everything_else_still_works(services, history, clock)


def _sent_match_ended(history: History) -> int:
    return sum(
        1
        for r in OutboxRecord.scan()
        if r.recipient == history.partner.email and r.template == "match_ended" and not r.raw
    )


def _everything_else_still_works(services: Services, history: History, clock: FakeClock) -> None:
    """Reminders, the summaries and the partner's own reading of their matches."""
    clock.advance(days=1)
    services.reminders.remind(clock())
    demo = services.programs.get("demo")
    assert demo is not None
    report = services.summaries.summary_for(demo, clock())
    services.summaries.context(report)
    services.summaries.send_summaries(clock())
    services.exports.export(history.partner.email, route=WEB, requested_by=BY_THE_PERSON)


def test_reminders_summaries_and_the_partners_export_work_after_erasure(
    services: Services, history: History, clock: FakeClock
) -> None:
    services.erasure.erase(history.ada.email)

    _everything_else_still_works(services, history, clock)

    document = services.exports.export(
        history.partner.email, route=WEB, requested_by=BY_THE_PERSON
    ).document
    assert [m["partner_name"] for m in document["matches"]] == ["a former participant"]
    assert [n["note"] for n in document["private_notes"]] == [PARTNER_NOTE]


def test_portal_erase_is_a_dry_run_unless_applied(
    services: Services, history: History, cli_env: None
) -> None:
    before = table_snapshot()

    dry = CliRunner().invoke(main, ["erase", "--email", history.ada.email])

    assert dry.exit_code == 0, dry.output
    assert "Would erase" in dry.output
    assert "--apply" in dry.output
    assert "      2  sign-ups (participant records)" in dry.output
    assert table_snapshot() == before

    applied = CliRunner().invoke(main, ["erase", "--email", history.ada.email, "--apply"])

    assert applied.exit_code == 0, applied.output
    assert f"Erased {history.ada.email} from demo, peer-circles:" in applied.output
    assert "      1  goals they added" in applied.output
    # (The partner's email, queued by the command's clock, names her until it is sent.)
    dump = _dump()
    for trace in (history.ada.email, history.ada.participant_id, history.ada_peer.participant_id):
        assert trace.lower() not in dump


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not-an-address", "is not an email address"),
        ("nobody@example.org", "no program holds a sign-up for nobody@example.org"),
    ],
)
def test_portal_erase_refuses_a_bad_or_unknown_address_and_changes_nothing(
    services: Services, history: History, cli_env: None, address: str, message: str
) -> None:
    before = table_snapshot()

    for flags in ([], ["--apply"]):
        result = CliRunner().invoke(main, ["erase", "--email", address, *flags])

        assert result.exit_code != 0
        assert message in result.output
    assert table_snapshot() == before
