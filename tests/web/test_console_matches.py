"""The console's matches: the list and its filter, the people waiting, ending a match and
moving a waiting mentee to a mentor with room, each asked first and in the audit log."""

from __future__ import annotations

from dataclasses import replace

from flask.testing import FlaskClient

from portal.container import Services
from portal.domain.checkins import match_ref
from portal.domain.matches import MatchState
from portal.domain.participants import Participant, Role
from portal.mail.senders import MemorySender
from tests.conftest import FakeClock, csrf_token
from tests.factories import pair, stored_person
from tests.web.dom import parse
from tests.web.helpers import DEMO_ORGANIZER, sign_in_as_organizer

MATCHES = "/organize/programs/demo/matches"


def _save(services: Services, person: Participant) -> Participant:
    services.participants.save(person)
    stored = services.participants.get(person.program, person.email)
    assert stored is not None
    return stored


def _sent_to(mailbox: MemorySender) -> list[str]:
    return sorted(to for to, _ in mailbox.sent)


def _end_url(match_id: str) -> str:
    return f"{MATCHES}/{match_ref(match_id)}/end"


def test_the_list_shows_matches_active_first_and_filters_by_status(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    ended = pair(services, "Ada", "Bo", clock())
    services.participation.end("demo", ended, ended.mentee, "rematch")  # Bo asked for another match
    clock.advance(days=1)
    active = pair(services, "Cy", "Di", clock())
    sign_in_as_organizer(client, mailbox)

    page = client.get(MATCHES)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    text = page.text
    assert text.index("Cy Example") < text.index("Ada Example")  # active first
    assert "End this match" in text
    assert _end_url(active.match_id) in text
    assert _end_url(ended.match_id) not in text  # an ended match has nothing to end

    only_ended = client.get(f"{MATCHES}?status=ended").text
    assert "Ada Example" in only_ended
    assert "Cy Example" not in only_ended
    assert "No completed matches." in client.get(f"{MATCHES}?status=completed").text
    # A status the list does not know shows every match.
    assert "Cy Example" in client.get(f"{MATCHES}?status=nonsense").text


def test_people_waiting_are_listed_with_why(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    pair(services, "Ada", "Bo", clock())
    _save(services, stored_person("Cy", Role.MENTEE, clock()))
    program = services.programs.get("demo")
    assert program is not None
    clock.advance(days=1)
    assert services.rounds.run(program, "2026-03-03T0900Z", trigger="test").status == "done"
    _save(services, stored_person("Di", Role.MENTEE, clock()))  # confirmed after the round
    sign_in_as_organizer(client, mailbox)

    text = client.get(MATCHES).text

    waiting = text[text.index('id="waiting"') :]
    assert "Bo Example" not in waiting  # matched
    cy = waiting[waiting.index("Cy Example") : waiting.index("</tr>", waiting.index("Cy Example"))]
    assert "no mentor has a free place" in cy  # the reason the round gave her
    di = waiting[waiting.index("Di Example") : waiting.index("</tr>", waiting.index("Di Example"))]
    assert "no round has left them waiting yet" in di


def test_ending_a_match_is_asked_first_then_emails_both_and_frees_both_places(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = pair(services, "Ada", "Bo", clock())
    sign_in_as_organizer(client, mailbox)
    mailbox.sent.clear()

    confirm = client.get(_end_url(match.match_id))
    assert confirm.status_code == 200
    assert "no-store" in confirm.headers["Cache-Control"]
    assert "Ada Example and Bo Example" in confirm.text
    assert "Both get a kind email" in confirm.text
    assert services.rounds.matches.get("demo", match.match_id).status is MatchState.ACTIVE  # type: ignore[union-attr]

    done = client.post(
        _end_url(match.match_id),
        data={"csrf_token": csrf_token(confirm.text), "seen": "active", "reason": "Asked by HR"},
        follow_redirects=True,
    )

    assert done.status_code == 200
    assert "both were emailed, and both places are free" in done.text
    stored = services.rounds.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.status is MatchState.ENDED
    for email in (match.mentor, match.mentee):
        person = services.participants.get("demo", email)
        assert person is not None
        assert person.active_matches == 0
    services.mail.drain(per_second=1000)
    assert _sent_to(mailbox) == ["ada@example.org", "bo@example.org"]
    for _, message in mailbox.sent:
        body = " ".join(message.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
        assert "the program's organizers closed it" in body
        assert "nobody's fault" in body
        assert "Asked by HR" not in body  # the reason is for the record
    (entry, _), *_ = services.audit.page("demo").rows
    assert (entry.action, entry.subject_kind, entry.subject, entry.detail) == (
        "end_match",
        "match",
        match.match_id,
        "Asked by HR",
    )
    assert entry.organizer == DEMO_ORGANIZER


def test_ending_needs_a_reason_and_changes_nothing_without_one(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = pair(services, "Ada", "Bo", clock())
    sign_in_as_organizer(client, mailbox)
    confirm = client.get(_end_url(match.match_id))

    refused = client.post(
        _end_url(match.match_id),
        data={"csrf_token": csrf_token(confirm.text), "seen": "active", "reason": "   "},
    )

    assert refused.status_code == 422
    assert "Please give a reason" in refused.text
    assert services.rounds.matches.get("demo", match.match_id).status is MatchState.ACTIVE  # type: ignore[union-attr]
    assert services.audit.page("demo").rows == []


def test_a_match_ended_meanwhile_is_said_so_and_nothing_changes(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = pair(services, "Ada", "Bo", clock())
    sign_in_as_organizer(client, mailbox)
    confirm = client.get(_end_url(match.match_id))
    # Bo asks for another match while the organizer reads the confirm page.
    services.participation.end_match("demo", match.match_id, match.mentee, "rematch")
    services.mail.drain(per_second=1000)
    mailbox.sent.clear()

    refused = client.post(
        _end_url(match.match_id),
        data={"csrf_token": csrf_token(confirm.text), "seen": "active", "reason": "Asked by HR"},
    )

    assert refused.status_code == 409
    assert "This match was ended meanwhile, by Bo Example: nothing was changed." in refused.text
    stored = services.rounds.matches.get("demo", match.match_id)
    assert stored is not None
    assert stored.end_reason == "rematch"
    services.mail.drain(per_second=1000)
    assert mailbox.sent == []
    assert services.audit.page("demo").rows == []


def _waiting(services: Services, clock: FakeClock) -> tuple[Participant, Participant]:
    """A mentor with room and a waiting mentee of the demo program."""
    mentor = _save(services, stored_person("Ada", Role.MENTOR, clock()))
    mentee = _save(services, stored_person("Bo", Role.MENTEE, clock()))
    return mentor, mentee


def _move(client: FlaskClient, mentee: Participant, mentor: Participant) -> str:
    query = f"?mentee={mentee.participant_id}&mentor={mentor.participant_id}"
    confirm = client.get(f"{MATCHES}/move{query}")
    assert confirm.status_code == 200
    assert "no-store" in confirm.headers["Cache-Control"]
    assert f"Match {mentee.name} with {mentor.name}?" in confirm.text
    done = client.post(
        f"{MATCHES}/move",
        data={
            "csrf_token": csrf_token(confirm.text),
            "mentee": mentee.participant_id,
            "mentor": mentor.participant_id,
        },
        follow_redirects=True,
    )
    assert done.status_code == 200
    return done.text


def test_moving_a_waiting_mentee_matches_and_introduces_them(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    mentor, mentee = _waiting(services, clock)
    sign_in_as_organizer(client, mailbox)
    assert "Ada Example (0 of 1)" in client.get(MATCHES).text  # the select of mentors with room
    mailbox.sent.clear()

    text = _move(client, mentee, mentor)

    assert "Matched Bo Example with Ada Example" in text
    (match,) = services.rounds.matches.for_person("demo", mentee.email)
    assert (match.status, match.mentor) == (MatchState.ACTIVE, mentor.email)
    for email in (mentor.email, mentee.email):
        person = services.participants.get("demo", email)
        assert person is not None
        assert person.active_matches == 1
    services.mail.drain(per_second=1000)
    assert _sent_to(mailbox) == ["ada@example.org", "bo@example.org"]
    assert all(str(m["Subject"]).startswith("Meet") for _, m in mailbox.sent)
    (entry, _), *_ = services.audit.page("demo").rows
    assert (entry.action, entry.subject_kind, entry.subject) == (
        "move_mentee",
        "match",
        match.match_id,
    )


def _refused(
    client: FlaskClient, services: Services, mentee: Participant, mentor: Participant
) -> str:
    before = list(services.rounds.matches.for_program("demo"))
    text = _move(client, mentee, mentor)
    assert list(services.rounds.matches.for_program("demo")) == before
    assert services.audit.page("demo").rows == []
    return text


def test_a_move_that_breaks_a_must_rule_is_refused_by_name(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    mentor, mentee = _waiting(services, clock)
    mentee = _save(services, replace(mentee, languages=("German",)))
    sign_in_as_organizer(client, mailbox)

    text = _refused(client, services, mentee, mentor)

    assert "Not moved: Bo Example and Ada Example cannot be paired: no shared language." in text


def test_a_move_to_a_mentor_without_room_is_refused(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    full = pair(services, "Ada", "Cy", clock())
    mentor = services.participants.get("demo", full.mentor)
    mentee = _save(services, stored_person("Bo", Role.MENTEE, clock()))
    assert mentor is not None
    sign_in_as_organizer(client, mailbox)

    text = _refused(client, services, mentee, mentor)

    assert "Not moved: Ada Example already has 1 of 1 place." in text


def test_a_mentee_no_longer_waiting_is_not_moved(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    mentor = _save(services, stored_person("Di", Role.MENTOR, clock()))
    taken = pair(services, "Ada", "Bo", clock())
    mentee = services.participants.get("demo", taken.mentee)
    assert mentee is not None
    sign_in_as_organizer(client, mailbox)

    text = _refused(client, services, mentee, mentor)

    assert "Not moved: Bo Example is no longer waiting: they have a match now." in text


def test_another_programs_matches_are_not_found(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    match = pair(services, "Ada", "Bo", clock())
    sign_in_as_organizer(client, mailbox)

    assert client.get("/organize/programs/leaders-group/matches").status_code == 404
    other = f"/organize/programs/leaders-group/matches/{match_ref(match.match_id)}/end"
    assert client.get(other).status_code == 404
    assert client.get(f"{MATCHES}/0000000000000000/end").status_code == 404


def test_signed_out_the_matches_are_refused(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    match = pair(services, "Ada", "Bo", clock())
    assert client.get(MATCHES).status_code == 403
    assert client.get(_end_url(match.match_id)).status_code == 403
    assert client.post(f"{MATCHES}/move", data={}).status_code in (400, 403)


def test_the_list_is_paged_fifty_at_a_time(
    client: FlaskClient, services: Services, mailbox: MemorySender, clock: FakeClock
) -> None:
    for n in range(52):
        pair(services, f"Mentor{n:02d}", f"Mentee{n:02d}", clock())
        clock.advance(minutes=1)
    sign_in_as_organizer(client, mailbox)

    first = parse(client.get(MATCHES).text)
    second = parse(client.get(f"{MATCHES}?page=2").text)
    past_the_end = parse(client.get(f"{MATCHES}?page=9").text)

    assert len(first.find_all("table")[0].one("tbody").find_all("tr")) == 50
    assert "Page 1 of 2 (52 matches)." in " ".join(first.text.split())
    rows = second.find_all("table")[0].one("tbody").find_all("tr")
    assert [r.find_all("td")[0].text for r in rows] == ["Mentor01 Example", "Mentor00 Example"]
    assert "Page 2 of 2" in past_the_end.text  # a page past the last is the last
    assert client.get(f"{MATCHES}?page=abc").status_code == 200  # the first page
