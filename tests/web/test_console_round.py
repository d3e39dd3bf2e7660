"""Run a round now: a preview of a round on today's pool, then published or discarded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.container import Services
from portal.domain.participants import Status
from portal.mail.senders import MemorySender
from portal.persistence import tables
from portal.presenters.reasons import strengths
from portal.presenters.waiting import unmatched_text
from portal.services.rounds import round_id_for
from tests.conftest import FakeClock, csrf_token
from tests.factories import seed_demo_people
from tests.web.conftest import Site
from tests.web.dom import parse
from tests.web.helpers import sign_in_as_organizer

ROUND = "/organize/programs/demo/round"
# The demo people (portal.local.demo): 16 mentors with one place each, 24 mentees.
DEMO_PAIRS = 16


def _people(services: Services, slug: str = "demo") -> dict[str, Any]:
    return {p.email: p for p in services.participants.for_program(slug)}


def _pool_tables() -> dict[str, list[dict[str, Any]]]:
    """What a round reads and writes: the people, matches and rounds, as stored."""
    return {
        model.Meta.table_name: sorted(
            (record.serialize() for record in model.scan()), key=lambda item: str(item)
        )
        for model in (tables.ParticipantRecord, tables.MatchRecord, tables.RoundRecord)
    }


def _preview(
    client: FlaskClient, slug: str = "demo", expect: int = 302
) -> tuple[TestResponse, str]:
    """Press "Preview a round" on the round page; the page it leads to, and its round id."""
    page = client.get(f"/organize/programs/{slug}/round")
    assert page.status_code == 200
    made = client.post(
        f"/organize/programs/{slug}/round", data={"csrf_token": csrf_token(page.text)}
    )
    assert made.status_code == expect
    shown = client.get(f"/organize/programs/{slug}/round")
    forms = [f.get("action") for f in parse(shown.text).find_all("form")]
    round_id = next((a.split("/")[-2] for a in forms if a.endswith("/publish")), "")
    return shown, round_id


def _press(client: FlaskClient, action: str, slug: str, round_id: str) -> TestResponse:
    page = client.get(f"/organize/programs/{slug}/round")
    return client.post(
        f"/organize/programs/{slug}/round/{round_id}/{action}",
        data={"csrf_token": csrf_token(page.text)},
    )


def _audit(services: Services, slug: str = "demo") -> list[tuple[str, str, str]]:
    """The program's audit entries (the test clock stands still: in order of action)."""
    order = ["preview_round", "publish_round", "discard_round"]
    rows = sorted(
        (e for e, _ in services.audit.page(slug).rows), key=lambda e: order.index(e.action)
    )
    return [(e.action, e.subject_kind, e.detail) for e in rows]


def _introductions(mailbox: MemorySender) -> list[str]:
    return [to for to, m in mailbox.sent if m["Subject"].strip().startswith("Meet")]


def test_a_preview_shows_the_pairs_reasons_and_the_unmatched_and_tells_nobody(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    sent_before = len(mailbox.sent)

    page, round_id = _preview(client)

    assert "no-store" in page.headers["Cache-Control"]
    people = _people(services)
    drafts = services.rounds.matches.for_round("demo", round_id)
    assert len(drafts) == DEMO_PAIRS
    assert {m.status for m in drafts} == {"proposed"}
    text = parse(page.text).one("main").text
    for pair in drafts:
        assert people[pair.mentor].name in text
        assert people[pair.mentee].name in text
        assert strengths(pair.reasons)[0] in text
    result = services.rounds.open_preview(services.programs.get("demo"))  # type: ignore[arg-type]
    assert result is not None
    assert result.result is not None
    assert len(result.result.unmatched) == 24 - DEMO_PAIRS
    for waiting in result.result.unmatched:
        assert people[waiting.email].name in text
        assert unmatched_text(waiting.reason) in text
    assert f"Publish: email {DEMO_PAIRS} introductions now" in text
    # Nothing made, nobody told.
    assert services.rounds.matches.active("demo") == []
    assert all(p.active_matches == 0 for p in _people(services).values())
    services.mail.drain(per_second=1000)
    assert mailbox.sent[sent_before:] == []
    assert _audit(services) == [("preview_round", "round", f"{DEMO_PAIRS} pairs, 8 unmatched")]


def test_publishing_makes_the_matches_and_sends_the_introductions(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    drafts = services.rounds.matches.for_round("demo", round_id)

    published = _press(client, "publish", "demo", round_id)

    assert published.status_code == 302
    page = client.get(ROUND).text
    assert f"Published: {DEMO_PAIRS} pairs are introduced by email." in page
    active = services.rounds.matches.active("demo")
    assert {(m.mentor, m.mentee) for m in active} == {(m.mentor, m.mentee) for m in drafts}
    services.mail.drain(per_second=1000)
    people = _people(services)
    expected = [people[m.mentor].mailbox for m in drafts] + [
        people[m.mentee].mailbox for m in drafts
    ]
    assert sorted(_introductions(mailbox)) == sorted(expected)
    assert services.rounds.rounds.get("demo", round_id).status == "introduced"  # type: ignore[union-attr]
    assert [a for a, _, _ in _audit(services)] == ["preview_round", "publish_round"]
    assert _audit(services)[-1] == (
        "publish_round",
        "round",
        f"{DEMO_PAIRS} made, 0 could not be made",
    )
    # The preview is gone: the page offers a new one.
    assert "Preview a round on today" in page


def test_discarding_leaves_the_pool_as_it_was_and_tells_nobody(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    before, sent_before = _pool_tables(), len(mailbox.sent)
    _, round_id = _preview(client)
    assert _pool_tables() != before

    discarded = _press(client, "discard", "demo", round_id)

    assert discarded.status_code == 302
    assert "Discarded: the preview is deleted, and nobody was told." in client.get(ROUND).text
    assert _pool_tables() == before  # the lock went too: it lives in the rounds table
    services.mail.drain(per_second=1000)
    assert mailbox.sent[sent_before:] == []
    assert [a for a, _, _ in _audit(services)] == ["preview_round", "discard_round"]


def test_a_scheduled_round_waits_while_a_preview_is_open(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    program = services.programs.get("demo")
    assert program is not None
    seed_demo_people(services, program, clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    clock.advance(hours=1)

    busy = services.rounds.run(program, round_id_for(clock()), trigger="schedule")

    assert busy.status == "busy"
    assert services.rounds.matches.active("demo") == []
    _press(client, "publish", "demo", round_id)
    clock.advance(minutes=1)
    after = services.rounds.run(program, round_id_for(clock()), trigger="schedule")
    assert after.status in ("done", "nobody")
    assert after.pairs == 0  # everyone who could be matched was, once


def test_a_pair_whose_mentee_left_meanwhile_is_not_made_and_the_page_says_why(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    drafts = services.rounds.matches.for_round("demo", round_id)
    leaver = drafts[0]
    services.participation.set_status("demo", leaver.mentee, Status.LEFT)

    _press(client, "publish", "demo", round_id)

    page = client.get(ROUND).text
    assert f"Published: {DEMO_PAIRS - 1} pairs are introduced by email." in page
    assert "1 could not be made: 1 because someone left the program." in page
    active = services.rounds.matches.active("demo")
    assert len(active) == DEMO_PAIRS - 1
    assert leaver.mentee not in {m.mentee for m in active}
    services.mail.drain(per_second=1000)
    assert _people(services)[leaver.mentee].mailbox not in _introductions(mailbox)
    assert _audit(services)[-1][2] == f"{DEMO_PAIRS - 1} made, 1 could not be made"


def test_a_second_publish_is_told_it_was_published_already(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    token = csrf_token(client.get(ROUND).text)
    path = f"{ROUND}/{round_id}/publish"

    first = client.post(path, data={"csrf_token": token})
    services.mail.drain(per_second=1000)
    sent = len(mailbox.sent)
    second = client.post(path, data={"csrf_token": token}, follow_redirects=True)

    assert first.status_code == 302
    assert "This preview was published already" in second.text
    services.mail.drain(per_second=1000)
    assert mailbox.sent[sent:] == []
    assert len(services.rounds.matches.active("demo")) == DEMO_PAIRS
    assert [a for a, _, _ in _audit(services)] == ["preview_round", "publish_round"]


def test_a_preview_a_day_old_is_not_published(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    clock.advance(hours=25)
    sign_in_as_organizer(client, mailbox)  # the session of two hours ran out

    page = client.get(ROUND).text
    assert "more than 24 hours old" in page
    assert "Publish:" not in page
    refused = _press(client, "publish", "demo", round_id)

    assert refused.status_code == 302
    assert services.rounds.matches.active("demo") == []
    assert _press(client, "discard", "demo", round_id).status_code == 302
    assert services.rounds.matches.for_round("demo", round_id) == []


def test_a_second_preview_is_not_made_while_one_is_open(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    clock.advance(minutes=5)

    page, again = _preview(client)

    assert again == round_id
    assert "A preview is open already: publish or discard it first." in page.text
    assert len(services.rounds.rounds.previews("demo")) == 1


def test_a_preview_that_is_not_there_is_a_404_and_changes_nothing(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    _press(client, "discard", "demo", round_id)
    before = _pool_tables()

    for action in ("publish", "discard"):
        for name in (round_id, "2026-01-01T0000Z", "not-a-round", "x" * 1000):
            gone = _press(client, action, "demo", name)
            assert gone.status_code == 404, (action, name)
            assert "No preview by that name is open" in gone.text
    assert _pool_tables() == before


def test_another_programs_round_page_is_404_and_a_stranger_gets_403(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock, app: Any
) -> None:
    stranger = app.test_client()
    assert stranger.get(ROUND).status_code == 403
    assert stranger.post(ROUND).status_code in (400, 403)  # no CSRF token, no session
    sign_in_as_organizer(client, mailbox)
    token = csrf_token(client.get(ROUND).text)

    assert client.get("/organize/programs/leaders-group/round").status_code == 404
    other = client.post("/organize/programs/leaders-group/round", data={"csrf_token": token})
    assert other.status_code == 404
    assert services.rounds.rounds.previews("leaders-group") == []
    signed_out = stranger.get(ROUND)
    assert "no-store" in signed_out.headers["Cache-Control"]


def test_a_group_program_whose_mentees_choose_previews_and_publishes_suggestions(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "leaders-group", clock())
    sign_in_as_organizer(client, mailbox, "leaders@example.org")
    page, round_id = _preview(client, "leaders-group")
    suggestions = services.rounds.matches.for_round("leaders-group", round_id)
    mentees = {m.mentee for m in suggestions}
    assert suggestions
    assert {m.status for m in suggestions} == {"suggested"}
    assert f"Publish: email suggestions to {len(mentees)} mentees now" in page.text
    assert "Suggested mentor" in page.text
    sent = len(mailbox.sent)

    _press(client, "publish", "leaders-group", round_id)

    services.mail.drain(per_second=1000)
    people = _people(services, "leaders-group")
    told = [to for to, m in mailbox.sent[sent:] if m["Subject"].startswith("Choose your mentor")]
    assert sorted(told) == sorted(people[m].mailbox for m in mentees)
    assert services.rounds.matches.active("leaders-group") == []  # the mentees choose


def test_a_peer_program_previews_and_publishes_its_pairs(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "peer-circles", clock())
    sign_in_as_organizer(client, mailbox, "returners@example.org")
    page, round_id = _preview(client, "peer-circles")
    drafts = services.rounds.matches.for_round("peer-circles", round_id)
    assert len(drafts) == 20
    assert "People matched" in page.text

    _press(client, "publish", "peer-circles", round_id)

    assert len(services.rounds.matches.active("peer-circles")) == 20
    services.mail.drain(per_second=1000)
    people = _people(services, "peer-circles")
    expected = [people[e].mailbox for m in drafts for e in (m.mentor, m.mentee)]
    assert sorted(_introductions(mailbox)) == sorted(expected)


@pytest.mark.parametrize("next_round", ["scheduled", "previewed"])
def test_a_publish_cut_short_is_finished_as_published_by_the_next_round(
    build_site: Callable[..., Site],
    content_copy: Path,
    mailbox: MemorySender,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    next_round: str,
) -> None:
    demo = content_copy / "programs" / "demo.md"
    demo.write_text(demo.read_text().replace("approval: auto", "approval: organizer", 1))
    services = build_site(content_dir=content_copy).services
    program = services.programs.get("demo")
    assert program is not None
    seed_demo_people(services, program, clock())
    preview = services.rounds.preview(program)
    round_id = preview.round.round_id

    def cut_short(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the function timed out")

    monkeypatch.setattr(services.rounds, "_announce", cut_short)
    with pytest.raises(RuntimeError):
        services.rounds.publish(program, round_id)  # pairs made, nobody told yet
    monkeypatch.undo()
    assert len(services.rounds.matches.active("demo")) == DEMO_PAIRS
    assert _introductions(mailbox) == []

    clock.advance(hours=1)
    if next_round == "scheduled":
        services.rounds.run(program, round_id_for(clock()), trigger="schedule")
    else:  # a program without a schedule: the organizer's next preview finishes it
        services.rounds.preview(program)

    # The organizer published it: its pairs are introduced, not left as drafts to approve.
    assert services.rounds.rounds.get("demo", round_id).status == "introduced"  # type: ignore[union-attr]
    services.mail.drain(per_second=1000)
    assert len(_introductions(mailbox)) == 2 * DEMO_PAIRS


def test_a_previews_draft_pairs_are_not_listed_or_exported_as_matches(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    seed_demo_people(services, "demo", clock())
    sign_in_as_organizer(client, mailbox)
    _, round_id = _preview(client)
    assert len(services.rounds.matches.for_round("demo", round_id)) == DEMO_PAIRS  # stored

    listed = client.get("/organize/programs/demo/matches").text
    exports = client.get("/organize/programs/demo/exports").text
    exported = client.post(
        "/organize/programs/demo/exports/matches.csv",
        data={"csrf_token": csrf_token(exports), "columns": "default"},
    )

    assert "No matches yet." in listed
    assert exported.get_data().decode("utf-8").strip().count("\n") == 0  # the header only
