"""People a round leaves waiting hear why, once per change of their situation; weak pairs wait."""

from __future__ import annotations

import json
from dataclasses import replace
from email.message import EmailMessage

import pytest

from portal.container import Services
from portal.domain.matching import match, score_all_pairs
from portal.domain.participants import Role, Status
from portal.domain.program import Program
from portal.mail.senders import MemorySender
from portal.persistence.tables import OutboxRecord
from portal.presenters.reasons import unmatched_text
from portal.services.export import BY_THE_PERSON, WEB
from tests.conftest import FakeClock, html, plain
from tests.factories import seed_demo_people, store_pair, stored_person

ROUND = "2026-03-02T0900Z"  # the clock fixture's Monday, 09:00 in London
NEXT_ROUND = "2026-03-09T0900Z"
THIRD_ROUND = "2026-03-16T0900Z"


@pytest.fixture
def demo(services: Services) -> Program:
    program = services.programs.get("demo")
    assert program is not None
    return program


def flat(text: str) -> str:
    return " ".join(text.split())


def delivered(services: Services, mailbox: MemorySender) -> list[tuple[str, EmailMessage]]:
    """Send what is queued; the messages this call sent, and forget them."""
    services.mail.drain(per_second=0)
    sent = list(mailbox.sent)
    mailbox.sent.clear()
    return sent


def waiting_emails(sent: list[tuple[str, EmailMessage]]) -> dict[str, EmailMessage]:
    found: dict[str, EmailMessage] = {}
    for to, message in sent:
        subject = str(message["Subject"]).strip()  # a long subject is folded after "Subject:"
        if subject.startswith(("No match for you yet", "An update while you wait")):
            assert to not in found, f"two waiting emails to {to}"
            found[to] = message
    return found


def run(services: Services, program: Program, round_id: str, clock: FakeClock) -> str:
    clock.now = clock.now.replace(day=int(round_id[8:10]))
    return services.rounds.run(program, round_id, trigger="cli").status


def test_after_a_round_every_confirmed_person_has_an_introduction_or_a_waiting_email(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    people = {p.email: p for p in seed_demo_people(services, demo, clock())}
    # One more mentee who paused before the round: not waiting, so not written to.
    paused = next(p for p in people.values() if p.role is Role.MENTEE)
    services.participation.set_status("demo", paused.email, Status.PAUSED)

    assert run(services, demo, ROUND, clock) == "done"
    sent = delivered(services, mailbox)

    introduced = {to for to, m in sent if str(m["Subject"]).startswith("Meet ")}
    waiting = waiting_emails(sent)
    confirmed = {p.mailbox for p in people.values() if p.email != paused.email}
    assert introduced.isdisjoint(waiting)
    assert introduced | set(waiting) == confirmed  # everyone hears, once
    assert paused.mailbox not in introduced | set(waiting)
    assert len(waiting) == 7  # 24 mentees, one paused, 16 mentors with one place each

    stored = {p.mailbox: p for p in services.participants.for_program("demo")}
    # The engine's reasons for this pool (a round is deterministic for the same input).
    pool = [p for p in people.values() if p.email != paused.email]
    reasons = {u.email: u.reason for u in match(demo, pool, now=clock()).unmatched}
    for to, message in waiting.items():
        person = stored[to]
        text, page = flat(plain(message)), html(message)
        assert str(message["Subject"]) == "No match for you yet in Demo: Tech Careers mentoring"
        # Why, in the engine's words from their side; what next; what to change; pause, leave.
        why = unmatched_text(reasons[person.email], person.role.value)
        assert flat(why[:1].upper() + why[1:]) in text
        assert "The next round is on Monday 9 March." in text
        assert "/me/" in text
        assert "Open my page</a>" in page
        assert "Update your profile" in text
        assert "pause from your page" in text
        assert "leave the program" in text
        # Not something they asked for: unsubscribing stops it, and it says how.
        link = message["List-Unsubscribe"].strip("<>")
        assert "/unsubscribe/" in link
        assert link in text
        assert link in page
        # Their record says since when they wait, for their page.
        assert person.waiting_since == clock()
        assert person.waiting_told


def test_a_second_round_with_the_same_situation_sends_no_new_waiting_email(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seed_demo_people(services, demo, clock())
    run(services, demo, ROUND, clock)
    assert len(waiting_emails(delivered(services, mailbox))) == 8

    # A week on, the same eight wait for the same reason (every mentor is taken): no email,
    # to them or to the organizers, and nobody's "waiting since" moves.
    before = {p.email: p.waiting_since for p in services.participants.for_program("demo")}
    assert run(services, demo, NEXT_ROUND, clock) == "nobody"
    assert delivered(services, mailbox) == []
    assert not [
        r.key for r in OutboxRecord.scan() if r.key.startswith("waiting:demo:" + NEXT_ROUND)
    ]
    after = {p.email: p.waiting_since for p in services.participants.for_program("demo")}
    assert after == before


def test_waiting_again_after_a_pause_is_news_and_only_for_that_person(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seed_demo_people(services, demo, clock())
    run(services, demo, ROUND, clock)
    first = waiting_emails(delivered(services, mailbox))
    someone = next(p for p in services.participants.for_program("demo") if p.mailbox in first)
    clock.advance(days=2)
    services.participation.set_status("demo", someone.email, Status.PAUSED)
    services.participation.set_status("demo", someone.email, Status.CONFIRMED)

    run(services, demo, NEXT_ROUND, clock)

    again = waiting_emails(delivered(services, mailbox))
    assert list(again) == [someone.mailbox]
    assert str(again[someone.mailbox]["Subject"]).startswith("No match for you yet")
    resumed = services.participants.get("demo", someone.email)
    assert resumed is not None
    assert resumed.waiting_since == clock()


def test_a_changed_reason_sends_one_email_saying_since_when(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seed_demo_people(services, demo, clock(), mentors=4, mentees=4)
    run(services, demo, ROUND, clock)
    first = waiting_emails(delivered(services, mailbox))
    rosa = services.participants.get("demo", "rosa.delgado@demo.example.org")
    assert rosa is not None
    assert rosa.mailbox in first

    # Rosa adds a language no demo mentor speaks and drops her others: a new reason.
    services.participation.update_profile(rosa, {"languages": ("Hindi",)})
    run(services, demo, NEXT_ROUND, clock)
    second = waiting_emails(delivered(services, mailbox))
    assert rosa.mailbox in second
    message = second[rosa.mailbox]
    assert str(message["Subject"]) == "An update while you wait in Demo: Tech Careers mentoring"
    text = flat(plain(message))
    assert "You have been waiting for a match in Demo: Tech Careers mentoring since 2 March" in text
    assert "Hindi" in text

    # The week after, nothing has changed: no third email.
    run(services, demo, THIRD_ROUND, clock)
    assert rosa.mailbox not in waiting_emails(delivered(services, mailbox))


def test_an_unsubscribed_person_gets_no_waiting_email_but_their_wait_is_recorded(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seed_demo_people(services, demo, clock(), mentors=4, mentees=4)
    rosa = "rosa.delgado@demo.example.org"
    unsubscribes = services.unsubscribes
    unsubscribes.unsubscribe(unsubscribes.url(rosa).rsplit("/", 1)[1])

    run(services, demo, ROUND, clock)

    assert rosa not in waiting_emails(delivered(services, mailbox))
    stored = services.participants.get("demo", rosa)
    assert stored is not None
    assert stored.waiting_since == clock()
    # What the portal holds of it is in her export, as everything else it holds.
    done = services.exports.export(rosa, route=WEB, requested_by=BY_THE_PERSON)
    [sign_up] = json.loads(done.text)["sign_ups"]
    assert sign_up["waiting_since"] == "2026-03-02T09:00:00+00:00"
    assert sign_up["waiting_told"] == stored.waiting_told


# Weak pairs wait (matching.min_score)


def test_a_weak_pair_is_held_in_an_auto_program(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    # Of the first four demo mentors and mentees, Rosa's one possible mentor is Amara, and
    # they would score 38.6: below the demo's min_score of 40, though the program is `auto`.
    seed_demo_people(services, demo, clock(), mentors=4, mentees=4)
    rosa, amara = "rosa.delgado@demo.example.org", "amara.okafor@demo.example.org"
    assert demo.matching.min_score == 40
    assert demo.approval.value == "auto"

    outcome = services.rounds.run(demo, ROUND, trigger="cli")

    pairs = {(m.mentor, m.mentee) for m in services.rounds.matches.for_program("demo")}
    assert outcome.pairs == len(pairs) == 3
    assert all(rosa not in pair for pair in pairs)
    assert all(m.score >= 40 for m in services.rounds.matches.for_program("demo"))
    sent = delivered(services, mailbox)
    assert not [m for to, m in sent if to == rosa and str(m["Subject"]).startswith("Meet ")]
    told = flat(plain(waiting_emails(sent)[rosa]))
    assert (
        "No match is good enough yet: the only mentor who passes the program's rules would "
        "be a weak match for you." in told
    )
    # The organizers' summary names her among those waiting, and why, with the minimum.
    [summary] = [m for to, m in sent if to == "organizer@example.org"]
    assert (
        "no match good enough yet: the only mentor who passes the rules scores below the "
        "program's minimum of 40" in flat(plain(summary))
    )
    # The rules allow Rosa and Amara: it is their score that held them.
    people = list(services.participants.for_program("demo"))
    [held] = [
        p
        for p in score_all_pairs(demo, people, now=clock())
        if (p.mentor, p.mentee) == (amara, rosa)
    ]
    assert held.veto == {"code": "below_min_score", "min_score": 40}
    unfloored = demo.model_copy(
        update={"matching": demo.matching.model_copy(update={"min_score": 0})}
    )
    [allowed] = [
        p
        for p in score_all_pairs(unfloored, people, now=clock())
        if (p.mentor, p.mentee) == (amara, rosa)
    ]
    assert allowed.veto is None
    assert allowed.score == 38.6


def test_a_waiting_email_is_sent_once_however_often_the_round_resumes(
    services: Services, demo: Program, clock: FakeClock, mailbox: MemorySender
) -> None:
    seed_demo_people(services, demo, clock(), mentors=4, mentees=4)
    run(services, demo, ROUND, clock)
    first = waiting_emails(delivered(services, mailbox))
    assert first
    # The same round named again (a repeated event) repeats nothing.
    assert services.rounds.run(demo, ROUND, trigger="schedule").status == "repeated"
    clock.advance(minutes=5)
    assert waiting_emails(delivered(services, mailbox)) == {}


def test_a_match_ends_the_wait_so_waiting_again_afterwards_is_news(
    services: Services, clock: FakeClock
) -> None:
    ada = stored_person("Ada", Role.MENTEE, clock())
    bo = stored_person("Bo", Role.MENTOR, clock())
    services.participants.save(ada)
    assert services.participants.note_waiting("demo", ada.participant_id, since=clock(), told="x")
    waiting = services.participants.get("demo", ada.email)
    assert waiting is not None
    assert (waiting.waiting_since, waiting.waiting_told) == (clock(), "x")

    store_pair(services, "demo", bo, ada, clock())

    matched = services.participants.get("demo", ada.email)
    assert matched is not None
    assert (matched.waiting_since, matched.waiting_told, matched.active_matches) == (None, "", 1)


def test_a_paused_person_is_not_recorded_as_waiting(services: Services, clock: FakeClock) -> None:
    ada = replace(stored_person("Ada", Role.MENTEE, clock()), status=Status.PAUSED)
    services.participants.save(ada)
    assert not services.participants.note_waiting(
        "demo", ada.participant_id, since=clock(), told="x"
    )
    stored = services.participants.get("demo", ada.email)
    assert stored is not None
    assert stored.waiting_since is None
